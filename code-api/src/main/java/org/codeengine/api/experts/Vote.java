package org.codeengine.api.experts;

import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * One expert's say, as a consensus strategy sees it.
 *
 * @param expert the expert's id
 * @param provider the expert's provider
 * @param answer the extracted, normalised answer, or {@code null} for "no answer"
 * @param reply the raw reply
 * @param weight the expert's prior weight
 */
public record Vote(String expert, String provider, @Nullable String answer, String reply, double weight) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public Vote {
        Checks.notBlank(expert, "expert");
        Checks.notBlank(provider, "provider");
        Checks.notNull(reply, "reply");
    }
}
