package org.codeengine.api.spi;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Measures and traces the calls a plugin makes or serves: a provider's HTTP request, an MCP request sent or served.
 * The engine implements it (with Micrometer meters, and spans where the host configured tracing); a plugin only says
 * where a call begins and ends, and carries the trace headers the tracer hands it (W3C {@code traceparent},
 * {@code tracestate}).
 *
 * <p>Around each expert call and each tool call the engine binds {@link #CURRENT} to a tracer whose spans are children
 * of that call's span; a plugin that makes calls reads it on the calling
 * thread ({@code CallTracer.CURRENT.isBound()}) and does nothing when it is unbound.
 */
public interface CallTracer {
    /** The tracer of the expert or tool call the current thread works for; unbound outside one. */
    ScopedValue<CallTracer> CURRENT = ScopedValue.newInstance();

    /**
     * Starts an outgoing call: a child span of the current one, and a meter.
     *
     * @param name the meter and span name, such as {@code code.provider.http.requests}
     * @param tags low-cardinality tags for both, such as the provider's name; never secrets or URLs with queries
     * @param headers receives each trace header to send with the call (name, value); may be given none
     * @return the call, to end once its outcome is known
     */
    Call outgoing(String name, Map<String, String> tags, BiConsumer<String, String> headers);

    /**
     * Starts an incoming call, continuing the trace its sender's headers name (if any).
     *
     * @param name the meter and span name, such as {@code code.mcp.requests}
     * @param tags low-cardinality tags for both, such as the MCP method
     * @param headers the trace header of each name the sender sent, or null for one it did not
     * @return the call, to end once its outcome is known
     */
    Call incoming(String name, Map<String, String> tags, Function<String, @Nullable String> headers);

    /** One call being measured; {@link #end} it exactly once. */
    interface Call {
        /**
         * Runs work as part of this call: spans started inside it, on this thread, are its children.
         *
         * @param <T> what the work returns
         * @param work the work
         * @return what the work returned
         */
        <T> T within(Supplier<T> work);

        /**
         * Ends the call.
         *
         * @param outcome a low-cardinality outcome tag, such as {@code success}, {@code client_error}, {@code 429}
         * @param error what went wrong, or null if nothing did
         */
        void end(String outcome, @Nullable Throwable error);
    }
}
