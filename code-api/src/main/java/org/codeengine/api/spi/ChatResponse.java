package org.codeengine.api.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * A chat model's reply.
 *
 * @param text the reply (without separate reasoning)
 * @param model the model that actually answered
 * @param finishReason why generation stopped
 * @param usage tokens used
 * @param latency time from sending the request to the end of the reply
 * @param timeToFirstToken time from sending the request to the first piece of the reply, or {@code null} when the
 *        reply was not streamed
 * @param toolCalls the functions the model asked to call; copied
 * @param reasoning the model's separate reasoning (DeepSeek's {@code reasoning_content}), or {@code null}
 * @param requestId the provider's id of the request, for support tickets, or {@code null}
 * @param rateLimits what the provider said about its rate limits
 */
public record ChatResponse(String text, String model, FinishReason finishReason, Usage usage, Duration latency,
        @Nullable Duration timeToFirstToken, List<ToolCall> toolCalls, @Nullable String reasoning,
        @Nullable String requestId, RateLimits rateLimits) {
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

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ChatResponse {
        Checks.notNull(text, "text");
        Checks.notNull(model, "model");
        Checks.notNull(finishReason, "finishReason");
        Checks.notNull(usage, "usage");
        Checks.notNegative(latency, "latency");
        toolCalls = List.copyOf(Checks.notNull(toolCalls, "toolCalls"));
        Checks.notNull(rateLimits, "rateLimits");
    }

    /**
     * A reply that was not streamed, with no tool calls, reasoning, request id or rate limits.
     *
     * @param text the reply (without separate reasoning)
     * @param model the model that actually answered
     * @param finishReason why generation stopped
     * @param usage tokens used
     * @param latency time from sending the request to the end of the reply
     */
    public ChatResponse(String text, String model, FinishReason finishReason, Usage usage, Duration latency) {
        this(text, model, finishReason, usage, latency, null, List.of(), null, null, RateLimits.UNKNOWN);
    }

    /** {@return the time to the first token, if the reply was streamed} */
    public Optional<Duration> firstToken() {
        return Optional.ofNullable(timeToFirstToken);
    }
}
