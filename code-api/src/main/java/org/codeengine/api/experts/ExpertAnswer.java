package org.codeengine.api.experts;

import java.time.Duration;
import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * What one expert said, or why it said nothing.
 *
 * @param expert the expert's id ({@code provider/model[#role]})
 * @param text the raw reply, or {@code null} when the expert failed
 * @param extracted the answer extracted from the reply, or {@code null} when there was none ("no answer")
 * @param usage tokens used
 * @param cost what the reply cost, in US dollars
 * @param latency time from request to the end of the reply
 * @param failure why the expert gave no reply (error, timeout, circuit open), or {@code null}
 */
public record ExpertAnswer(String expert, @Nullable String text, @Nullable String extracted, Usage usage,
        double cost, Duration latency, @Nullable String failure) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule, or there is neither a reply nor a failure
     */
    public ExpertAnswer {
        Checks.notBlank(expert, "expert");
        Checks.notNull(usage, "usage");
        if (!(cost >= 0)) {
            throw new IllegalArgumentException("cost must not be negative but was " + cost);
        }
        Checks.notNegative(latency, "latency");
        if ((text == null) == (failure == null)) {
            throw new IllegalArgumentException("exactly one of text and failure must be set for expert " + expert);
        }
    }

    /** {@return the extracted answer, if the reply held one} */
    public Optional<String> answer() {
        return Optional.ofNullable(extracted);
    }

    /** {@return why the expert failed, if it did} */
    public Optional<String> failed() {
        return Optional.ofNullable(failure);
    }
}
