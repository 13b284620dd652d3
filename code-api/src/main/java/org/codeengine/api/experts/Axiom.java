package org.codeengine.api.experts;

import org.codeengine.api.internal.Checks;
import tools.jackson.databind.JsonNode;

/**
 * A rule a consensus must satisfy before it is returned. A result that breaks one is returned marked as rejected with
 * the rule's name ({@link ConsensusResult#rejectedBy()}), not thrown.
 */
public sealed interface Axiom {
    /** {@return the rule's name, as reported in a rejection} */
    String name();

    /**
     * At least this share of the answering weight behind the chosen answer.
     *
     * @param share 0 to 1
     */
    record MinAgreement(double share) implements Axiom {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if {@code share} is outside 0 to 1
         */
        public MinAgreement {
            Checks.between(share, 0, 1, "share");
        }

        @Override
        public String name() {
            return "min-agreement(" + share + ")";
        }
    }

    /**
     * Experts of at least this many different providers behind the chosen answer.
     *
     * @param providers at least 1
     */
    record MinProviders(int providers) implements Axiom {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if {@code providers} is below 1
         */
        public MinProviders {
            Checks.atLeast(providers, 1, "providers");
        }

        @Override
        public String name() {
            return "min-providers(" + providers + ")";
        }
    }

    /** The chosen answer holds nothing the secret scanner flags (keys, tokens, passwords). */
    record NoSecrets() implements Axiom {
        @Override
        public String name() {
            return "no-secrets";
        }
    }

    /**
     * The chosen answer parses as JSON and matches a JSON Schema (2020-12, checked as the engine checks tool
     * arguments: {@code org.codeengine.schema.JsonSchema} in the module code-schema).
     *
     * @param schema the schema
     */
    record JsonSchema(JsonNode schema) implements Axiom {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if {@code schema} is not a JSON object
         */
        public JsonSchema {
            Checks.notNull(schema, "schema");
            if (!schema.isObject()) {
                throw new IllegalArgumentException("schema must be a JSON object");
            }
        }

        @Override
        public String name() {
            return "json-schema";
        }
    }
}
