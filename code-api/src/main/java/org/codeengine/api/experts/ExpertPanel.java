package org.codeengine.api.experts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.internal.Checks;
import org.codeengine.api.spi.ProviderConfig;

/**
 * Who the circle asks and how it decides: the experts, how to reach their providers, the quorum, the time limits, the
 * cache, how answers are extracted, the strategy, the axioms, the prices and the per-provider limits. Built with
 * {@link #builder()}; immutable.
 *
 * @param experts the members, in the order results list them; not empty, ids unique; copied
 * @param providers how to reach each provider the experts name; copied
 * @param quorum how many must answer; not more than the panel
 * @param expertTimeout the longest one expert's call may take, retries included; positive
 * @param cacheTtl how long a result is served again for an identical query; zero turns the cache off
 * @param extraction how answers are taken out of replies
 * @param strategy the name of the consensus strategy ({@code reliability}, {@code majority}, {@code unsupervised},
 *        {@code medoid}, or one given to the engine)
 * @param axioms rules a result must satisfy; copied
 * @param prices price per model name (or {@code provider/model}); models not listed are free; copied
 * @param limits call limits per provider name; providers not listed get {@link ProviderLimits#DEFAULT}; copied
 */
public record ExpertPanel(List<ExpertSpec> experts, Map<String, ProviderConfig> providers, Quorum quorum,
        Duration expertTimeout, Duration cacheTtl, Extraction extraction, String strategy, List<Axiom> axioms,
        Map<String, Price> prices, Map<String, ProviderLimits> limits) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule, naming it
     */
    public ExpertPanel {
        experts = List.copyOf(Checks.notNull(experts, "experts"));
        if (experts.isEmpty()) {
            throw new IllegalArgumentException("experts must not be empty: configure at least one expert");
        }
        Set<String> ids = new HashSet<>();
        for (ExpertSpec expert : experts) {
            if (!ids.add(expert.id())) {
                throw new IllegalArgumentException("experts must have unique ids but '" + expert.id()
                        + "' appears twice (give one a role)");
            }
        }
        providers = Map.copyOf(Checks.notNull(providers, "providers"));
        Checks.notNull(quorum, "quorum");
        if (quorum.required(experts.size()) > experts.size()) {
            throw new IllegalArgumentException("quorum must not be larger than the panel: "
                    + quorum.required(experts.size()) + " of " + experts.size() + " experts");
        }
        Checks.positive(expertTimeout, "expertTimeout");
        Checks.notNegative(cacheTtl, "cacheTtl");
        Checks.notNull(extraction, "extraction");
        Checks.name(strategy, "strategy");
        axioms = List.copyOf(Checks.notNull(axioms, "axioms"));
        prices = Map.copyOf(Checks.notNull(prices, "prices"));
        limits = Map.copyOf(Checks.notNull(limits, "limits"));
    }

    /** {@return a builder with a majority quorum, 30 second expert timeout, no cache, auto extraction, reliability} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Calls one provider may take.
     *
     * @param ratePerSecond calls per second, at least 0.001
     * @param concurrent calls at once; at least 1
     * @param attempts tries per call, the first included; at least 1
     */
    public record ProviderLimits(double ratePerSecond, int concurrent, int attempts) {
        /** 50 calls a second, 16 at once, 3 tries. */
        public static final ProviderLimits DEFAULT = new ProviderLimits(50, 16, 3);

        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field breaks its rule
         */
        public ProviderLimits {
            Checks.between(ratePerSecond, 0.001, 1e9, "ratePerSecond");
            Checks.atLeast(concurrent, 1, "concurrent");
            Checks.atLeast(attempts, 1, "attempts");
        }
    }

    /** Collects a panel; each setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private final List<ExpertSpec> experts = new ArrayList<>();
        private final Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        private Quorum quorum = Quorum.majority();
        private Duration expertTimeout = Duration.ofSeconds(30);
        private Duration cacheTtl = Duration.ZERO;
        private Extraction extraction = Extraction.auto();
        private String strategy = "reliability";
        private final List<Axiom> axioms = new ArrayList<>();
        private final Map<String, Price> prices = new LinkedHashMap<>();
        private final Map<String, ProviderLimits> limits = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Adds an expert to the panel.
         *
         * @param expert a member
         * @return this builder
         */
        public Builder expert(ExpertSpec expert) {
            experts.add(Checks.notNull(expert, "expert"));
            return this;
        }

        /**
         * Says how to reach a provider plugin the experts use.
         *
         * @param name the provider plugin's name
         * @param config how to reach it
         * @return this builder
         * @throws IllegalArgumentException if the name breaks the naming rule
         */
        public Builder provider(String name, ProviderConfig config) {
            providers.put(Checks.name(name, "provider"), Checks.notNull(config, "config"));
            return this;
        }

        /**
         * Sets how many experts must answer (default: a majority).
         *
         * @param value how many must answer
         * @return this builder
         */
        public Builder quorum(Quorum value) {
            this.quorum = Checks.notNull(value, "quorum");
            return this;
        }

        /**
         * Sets the longest one expert may take (default 30 s).
         *
         * @param value the longest one expert may take, retries included
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is zero or negative
         */
        public Builder expertTimeout(Duration value) {
            this.expertTimeout = Checks.positive(value, "expertTimeout");
            return this;
        }

        /**
         * Sets how long identical queries are answered from the cache (default zero: no cache).
         *
         * @param value how long identical queries are answered from the cache; zero for none
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative
         */
        public Builder cacheTtl(Duration value) {
            this.cacheTtl = Checks.notNegative(value, "cacheTtl");
            return this;
        }

        /**
         * Sets how answers are extracted from the replies (default: automatic).
         *
         * @param value how answers are extracted
         * @return this builder
         */
        public Builder extraction(Extraction value) {
            this.extraction = Checks.notNull(value, "extraction");
            return this;
        }

        /**
         * Sets the consensus strategy (default {@code reliability}).
         *
         * @param name the consensus strategy's name
         * @return this builder
         * @throws IllegalArgumentException if the name breaks the naming rule
         */
        public Builder strategy(String name) {
            this.strategy = Checks.name(name, "strategy");
            return this;
        }

        /**
         * Adds a rule the result must satisfy.
         *
         * @param axiom a rule results must satisfy
         * @return this builder
         */
        public Builder axiom(Axiom axiom) {
            axioms.add(Checks.notNull(axiom, "axiom"));
            return this;
        }

        /**
         * Sets a model's price, for the cost of a query.
         *
         * @param model a model name or {@code provider/model}
         * @param price its price
         * @return this builder
         * @throws IllegalArgumentException if {@code model} is blank
         */
        public Builder price(String model, Price price) {
            prices.put(Checks.notBlank(model, "model"), Checks.notNull(price, "price"));
            return this;
        }

        /**
         * Sets a provider's call limits.
         *
         * @param provider the provider's name
         * @param value its call limits
         * @return this builder
         */
        public Builder limits(String provider, ProviderLimits value) {
            limits.put(Checks.name(provider, "provider"), Checks.notNull(value, "limits"));
            return this;
        }

        /**
         * {@return the panel}
         *
         * @throws IllegalArgumentException if the panel breaks a rule (no experts, quorum larger than the panel, ...)
         */
        public ExpertPanel build() {
            return new ExpertPanel(experts, providers, quorum, expertTimeout, cacheTtl, extraction, strategy, axioms,
                    prices, limits);
        }
    }
}
