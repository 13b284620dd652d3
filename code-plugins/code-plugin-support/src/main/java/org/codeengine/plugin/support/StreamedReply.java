package org.codeengine.plugin.support;

import java.time.Duration;
import java.util.List;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ChatResponse.FinishReason;
import org.codeengine.api.spi.RateLimits;
import org.codeengine.api.spi.StreamListener;
import org.codeengine.api.spi.ToolCall;
import org.jspecify.annotations.Nullable;

/**
 * Collects a streamed reply while its pieces arrive: passes each piece on to the listener, keeps the text and the
 * reasoning, and times the first piece and the whole. Made just before the request is sent. Not thread-safe.
 */
public final class StreamedReply {
    private final long began = System.nanoTime();
    private final StreamListener listener;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private long firstToken = -1;

    /**
     * A reply that passes each piece on to {@code listener} as it comes.
     *
     * @param listener receives the pieces
     */
    public StreamedReply(StreamListener listener) {
        this.listener = listener;
    }

    /**
     * Adds a piece of the reply's text.
     *
     * @param piece the next piece of the reply's text; an empty piece is ignored
     */
    public void text(String piece) {
        if (!piece.isEmpty()) {
            first();
            text.append(piece);
            listener.onText(piece);
        }
    }

    /**
     * Adds a piece of the model's separate reasoning.
     *
     * @param piece the next piece of the model's separate reasoning; an empty piece is ignored
     */
    public void reasoning(String piece) {
        if (!piece.isEmpty()) {
            first();
            reasoning.append(piece);
            listener.onReasoning(piece);
        }
    }

    private void first() {
        if (firstToken < 0) {
            firstToken = System.nanoTime() - began;
        }
    }

    /**
     * Ends the reply once the stream has ended as it should: passes the tool calls on to the listener.
     *
     * @param model the model that answered
     * @param finish why it stopped
     * @param usage the tokens used
     * @param toolCalls the complete tool calls, in order
     * @param requestId the provider's request id, or null
     * @param rateLimits the rate limits said
     * @return the whole reply, with its time to first token (the whole time when no piece came)
     */
    public ChatResponse finish(String model, FinishReason finish, Usage usage, List<ToolCall> toolCalls,
            @Nullable String requestId, RateLimits rateLimits) {
        toolCalls.forEach(listener::onToolCall);
        Duration latency = Duration.ofNanos(System.nanoTime() - began);
        return new ChatResponse(text.toString(), model, finish, usage, latency, firstToken < 0
                ? latency
                : Duration.ofNanos(firstToken), toolCalls, reasoning.isEmpty() ? null : reasoning.toString(),
                requestId, rateLimits);
    }
}
