package org.codeengine.api.agents;

import org.codeengine.api.experts.Price;
import org.codeengine.api.internal.Checks;

/** What thinks for an agent: one provider's model, or a named panel of the engine. */
public sealed interface Brain permits Brain.Model, Brain.Panel {
    /**
     * One model of one provider plugin, reached with the provider configuration the engine was given for that
     * provider name.
     *
     * @param provider the provider plugin's name ({@code openai}, {@code anthropic}, ...)
     * @param model the provider's model name; not blank
     * @param price what the model charges, for the cost budget; {@link Price#FREE} when unknown
     */
    record Model(String provider, String model, Price price) implements Brain {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field breaks its rule, naming it
         */
        public Model {
            Checks.name(provider, "provider");
            Checks.notBlank(model, "model");
            Checks.notNull(price, "price");
        }

        /**
         * A model with no price, so its calls cost nothing in the budget.
         *
         * @param provider the provider plugin's name
         * @param model the model name
         */
        public Model(String provider, String model) {
            this(provider, model, Price.FREE);
        }
    }

    /**
     * A panel the engine was given by name: the agent speaks with the panel's experts in their order, the next one
     * taking over when one is unavailable; the panel's prices count against the cost budget.
     *
     * @param name the panel's name
     */
    record Panel(String name) implements Brain {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if the name breaks its rule
         */
        public Panel {
            Checks.name(name, "name");
        }
    }
}
