package org.codeengine.api.experts;

import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * One member of the circle: a model of a provider, optionally in a role.
 *
 * @param provider the name of the {@link org.codeengine.api.spi.ExpertProvider} plugin, such as {@code openai}
 * @param model the provider's model name; not blank
 * @param role a short name for the role (used in the expert's id), or {@code null} for none
 * @param prompt the role's system prompt (such as "You are a security reviewer..."), or {@code null}
 * @param weight the expert's prior weight in votes; above 0, at most 1e6; 1 by default
 */
public record ExpertSpec(String provider, String model, @Nullable String role, @Nullable String prompt,
        double weight) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ExpertSpec {
        Checks.name(provider, "provider");
        Checks.notBlank(model, "model");
        if (role != null) {
            Checks.name(role, "role");
        }
        if (prompt != null && role == null) {
            throw new IllegalArgumentException("prompt needs a role name (expert " + provider + "/" + model + ")");
        }
        if (!(weight > 0) || weight > 1e6) {
            throw new IllegalArgumentException("weight must be above 0 and at most 1e6 but was " + weight);
        }
    }

    /**
     * {@return an expert with no role and weight 1}
     *
     * @param provider the provider plugin's name
     * @param model the model name
     */
    public static ExpertSpec of(String provider, String model) {
        return new ExpertSpec(provider, model, null, null, 1);
    }

    /**
     * {@return this expert in that role}
     *
     * @param name the role's short name
     * @param systemPrompt the role's system prompt
     */
    public ExpertSpec inRole(String name, String systemPrompt) {
        return new ExpertSpec(provider, model, name, systemPrompt, weight);
    }

    /** {@return {@code provider/model}, with {@code #role} when the expert has one} */
    public String id() {
        return provider + "/" + model + (role == null ? "" : "#" + role);
    }

    /** {@return the role's system prompt, if any} */
    public Optional<String> systemPrompt() {
        return Optional.ofNullable(prompt);
    }
}
