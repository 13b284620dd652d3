package org.codeengine.core.internal.experts;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.experts.Axiom;
import org.codeengine.api.experts.Cluster;
import org.codeengine.api.experts.Vote;
import org.codeengine.api.security.SecretScanner;
import org.codeengine.schema.JsonSchema;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Checks a decided answer against the panel's axioms. */
final class Axioms {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Axioms() {}

    /**
     * {@return the name of the first axiom broken, or null when all hold}
     *
     * @param providers expert id to provider name
     */
    static @Nullable String firstBroken(List<Axiom> axioms, @Nullable String answer, @Nullable Cluster chosen,
            List<Vote> votes, Map<String, String> providers, SecretScanner scanner) {
        for (Axiom axiom : axioms) {
            boolean holds = switch (axiom) {
                case Axiom.MinAgreement a -> chosen != null && chosen.weight() + 1e-9 >= a.share();
                case Axiom.MinProviders p -> chosen != null && distinctProviders(chosen, providers) >= p.providers();
                case Axiom.NoSecrets n -> noSecrets(answer, chosen, votes, scanner);
                case Axiom.JsonSchema s -> answer != null && matchesSchema(answer, s.schema());
            };
            if (!holds) {
                return axiom.name();
            }
        }
        return null;
    }

    /** The answer, and the raw replies behind it (extraction may have changed case or cut a secret apart). */
    private static boolean noSecrets(@Nullable String answer, @Nullable Cluster chosen, List<Vote> votes,
            SecretScanner scanner) {
        if (answer != null && !scanner.scan(answer, "consensus").isEmpty()) {
            return false;
        }
        for (Vote v : votes) {
            if (chosen != null && chosen.experts().contains(v.expert()) && !scanner.scan(v.reply(), v.expert())
                    .isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static int distinctProviders(Cluster chosen, Map<String, String> providers) {
        Set<String> distinct = new HashSet<>();
        for (String expert : chosen.experts()) {
            distinct.add(providers.getOrDefault(expert, expert));
        }
        return distinct.size();
    }

    static boolean matchesSchema(String answer, JsonNode schema) {
        JsonNode value;
        try {
            value = JSON.readTree(answer);
        } catch (JacksonException e) {
            return false;
        }
        return value != null && JsonSchema.validate(schema, value).isEmpty();
    }
}
