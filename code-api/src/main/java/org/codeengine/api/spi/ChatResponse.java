package org.codeengine.api.spi;

import java.time.Duration;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.internal.Checks;

/**
 * A chat model's reply.
 *
 * @param text the reply
 * @param model the model that actually answered
 * @param finishReason why generation stopped
 * @param usage tokens used
 * @param latency time from sending the request to the end of the reply
 */
public record ChatResponse(String text, String model, FinishReason finishReason, Usage usage, Duration latency) {
    /** Why a model stopped generating, normalised across providers. */
    public enum FinishReason {
        /** It finished, or met a stop sequence. */
        STOP,
        /** It hit the token limit. */
        LENGTH,
        /** It asked to call a tool. */
        TOOL_CALL,
        /** A content filter cut it. */
        CONTENT_FILTER,
        /** Anything else. */
        OTHER
    }

    public ChatResponse {
        Checks.notNull(text, "text");
        Checks.notNull(model, "model");
        Checks.notNull(finishReason, "finishReason");
        Checks.notNull(usage, "usage");
        Checks.notNegative(latency, "latency");
    }
}
