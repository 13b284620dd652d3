package org.codeengine.plugin.mcp.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.codeengine.api.CodeException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.UnavailableException;
import org.codeengine.plugin.mcp.McpException;
import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One end of a JSON-RPC 2.0 conversation, the same for client and server: it dispatches incoming requests to handlers
 * on virtual threads (or, for a transport that gives each request a thread of its own, on that thread), routes their answers and the messages sent while handling them to the sink the request came
 * with, matches answers to its own requests, and carries cancellation and progress. The transport feeds it messages
 * with {@link #receive} and carries what it sends.
 */
public final class Peer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Peer.class.getName());

    /** Where the messages about a batch of incoming requests go (for HTTP: the POST's reply). */
    public interface Sink {
        /** A notification or request sent while handling one of the sink's requests. */
        void message(ObjectNode message);

        /** The answer to one of the sink's requests; null when it was cancelled and gets none. */
        void answer(@Nullable ObjectNode response);

        /** Ends the transport's stream for these requests now; what follows waits for the client to reconnect. */
        default void detach() {}

        /**
         * {@return whether the answers to a batch go to {@link #answers} as one array, as JSON-RPC 2.0 sends them
         *         (stdio), rather than one by one to {@link #answer} (Streamable HTTP, which may stream them)}
         */
        default boolean collects() {
            return false;
        }

        /** The answers to one batch, never empty; only for a sink that {@link #collects()}. */
        default void answers(ArrayNode batch) {
            throw new UnsupportedOperationException("this sink takes answers one by one");
        }
    }

    /** Handles one method; a thrown {@link McpException} becomes the error answer. */
    @FunctionalInterface
    public interface Handler {
        JsonNode handle(Request request) throws Exception;
    }

    /** Decides whether a method may run now (the lifecycle); throws {@link McpException} to refuse. */
    @FunctionalInterface
    public interface Gate {
        void check(String method);
    }

    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final Map<String, BiConsumer<Peer, ObjectNode>> notifications = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, BiConsumer<Double, ObjectNode>> progressListeners = new ConcurrentHashMap<>();
    private final Map<String, Request> running = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Sink outbound;
    private final JsonMapper reader;
    private volatile Gate gate = method -> {
    };
    private volatile boolean batches;

    /** @param outbound where messages go that belong to no incoming request */
    public Peer(Sink outbound) {
        this(outbound, Json.JSON);
    }

    /**
     * @param outbound where messages go that belong to no incoming request
     * @param reader parses what comes over the wire, within its limits
     */
    public Peer(Sink outbound, JsonMapper reader) {
        this.outbound = outbound;
        this.reader = reader;
        notifications.put("notifications/cancelled", (peer, params) -> cancelled(params));
        notifications.put("notifications/progress", (peer, params) -> progressed(params));
    }

    /** {@return where messages go that belong to no incoming request} */
    public Sink outbound() {
        return outbound;
    }

    public void handle(String method, Handler handler) {
        handlers.put(method, handler);
    }

    public void onNotification(String method, BiConsumer<Peer, ObjectNode> handler) {
        notifications.put(method, handler);
    }

    public void gate(Gate gate) {
        this.gate = gate;
    }

    /** @param allowed whether JSON arrays (batches) are accepted: only the 2025-03-26 revision has them */
    public void batches(boolean allowed) {
        this.batches = allowed;
    }

    /** {@return whether batches are accepted now} */
    public boolean batches() {
        return batches;
    }

    /** {@return how many incoming requests are being handled now} */
    public int running() {
        return running.size();
    }

    /**
     * Parses and takes one message as it came over the wire: JSON in UTF-8. What is not gets a parse error.
     *
     * @return how many answers will go to {@code sink}
     */
    public int receive(byte[] bytes, Sink sink) {
        JsonNode message;
        try {
            message = Json.parse(reader, bytes);
        } catch (McpException e) {
            sink.answer(Json.error(null, e.code(), e.getMessage(), null));
            return 1;
        }
        return receive(message, sink);
    }

    /**
     * Takes one parsed message (or batch).
     *
     * @return how many answers will go to {@code sink}
     */
    public int receive(JsonNode message, Sink sink) {
        return receive(message, sink, false);
    }

    /**
     * Takes one parsed message (or batch). With {@code inline}, a single request is handled on the calling thread,
     * which has nothing else to do meanwhile (Streamable HTTP: the exchange's own thread): its answer has gone to
     * {@code sink} when this returns, and a cancel interrupts that thread. The requests of a batch still run each on
     * a thread of its own, at once.
     *
     * @return how many answers will go (or went) to {@code sink}
     */
    public int receive(JsonNode message, Sink sink, boolean inline) {
        if (message.isArray()) {
            ObjectNode refused = refused(message);
            if (refused != null) {
                sink.answer(refused);
                return 1;
            }
            Collected collected = sink.collects() ? new Collected(sink) : null;
            Sink target = collected != null ? collected : sink;
            int answers = 0;
            for (JsonNode each : message) {
                if (malformed(each) == null && each.has("id") && "initialize".equals(each.path("method").stringValue(
                        null))) {
                    target.answer(invalid(each.get("id"), "initialize may not be part of a batch"));
                    answers++;
                } else {
                    answers += single(each, target, false); // a batch in a batch is no object: invalid
                }
            }
            if (collected != null) {
                collected.expect(answers);
            }
            return answers;
        }
        return single(message, sink, inline);
    }

    /**
     * {@return the answer to a batch (a JSON array) that is refused whole: an invalid request when it is empty or the
     *         negotiated revision has no batches; null when its messages are taken one by one}
     */
    public @Nullable ObjectNode refused(JsonNode batch) {
        if (!batches || batch.isEmpty()) {
            return Json.error(null, McpException.INVALID_REQUEST, batch.isEmpty()
                    ? "an empty batch is no request"
                    : "batches are not part of the negotiated protocol revision", null);
        }
        return null;
    }

    /**
     * Tells what is no JSON-RPC 2.0 message at all: not an object, {@code jsonrpc} other than {@code "2.0"}, a method
     * that is no string, an id that is neither a string nor an integer, neither a method nor a result or an error. A
     * response (a result or an error without a method) is never answered, however broken: answering answers could
     * ping-pong forever.
     *
     * @return the invalid-request error it gets, with its id when that is a valid one (so its sender can match it),
     *         or null when it is a request, a notification or a response
     */
    public static @Nullable ObjectNode malformed(JsonNode message) {
        if (!message.isObject()) {
            return invalid(null, "a JSON-RPC 2.0 message must be an object");
        }
        JsonNode method = message.get("method");
        if (method == null && (message.has("result") || message.has("error"))) {
            return null;
        }
        JsonNode id = message.get("id");
        JsonNode validId = id != null && Json.validId(id) ? id : null;
        if (!"2.0".equals(message.path("jsonrpc").stringValue(null))) {
            return invalid(validId, "a JSON-RPC 2.0 message must have \"jsonrpc\": \"2.0\"");
        }
        if (method == null) {
            return invalid(validId, "a message needs a method, or an id with a result or an error");
        }
        if (!method.isString()) {
            return invalid(validId, "method must be a string");
        }
        if (id != null && validId == null) {
            return invalid(null, "id must be a string or an integer, never null");
        }
        return null;
    }

    private static ObjectNode invalid(@Nullable JsonNode id, String why) {
        return Json.error(id, McpException.INVALID_REQUEST, why, null);
    }

    private int single(JsonNode message, Sink sink, boolean inline) {
        ObjectNode malformed = malformed(message);
        if (malformed != null) {
            sink.answer(malformed);
            return 1;
        }
        ObjectNode m = (ObjectNode) message;
        JsonNode id = m.get("id");
        JsonNode method = m.get("method");
        if (method == null) {
            if (id != null && Json.validId(id)) {
                answered(m, id);
            }
            return 0;
        }
        JsonNode params = m.get("params");
        if (params != null && !params.isObject()) {
            if (id == null) {
                return 0; // a notification is never answered, not even a broken one
            }
            sink.answer(Json.error(id, McpException.INVALID_PARAMS, "params must be an object", null));
            return 1;
        }
        ObjectNode p = params == null ? Json.object() : (ObjectNode) params;
        if (id == null) {
            notified(method.stringValue(), p);
            return 0;
        }
        request(id, method.stringValue(), p, sink, inline);
        return 1;
    }

    private void notified(String method, ObjectNode params) {
        BiConsumer<Peer, ObjectNode> handler = notifications.get(method);
        if (handler == null) {
            return;
        }
        try {
            handler.accept(this, params);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "the handler of notification " + method + " failed", e);
        }
    }

    private void request(JsonNode id, String method, ObjectNode params, Sink sink, boolean inline) {
        Handler handler = handlers.get(method);
        if (handler == null) {
            sink.answer(Json.error(id, McpException.METHOD_NOT_FOUND, "method not found: " + Json.clip(method),
                    null));
            return;
        }
        try {
            gate.check(method);
        } catch (McpException e) {
            sink.answer(Json.error(id, e.code(), e.getMessage(), e.data()));
            return;
        }
        Request request = new Request(id, method, params, sink);
        if (running.putIfAbsent(request.key, request) != null) {
            sink.answer(Json.error(id, McpException.INVALID_REQUEST, "a request with this id is still running",
                    null));
            return;
        }
        if (inline) {
            run(request, handler); // a hand-off to another thread would only add a wake-up and a wait
        } else {
            Thread.ofVirtual().name("mcp-" + Json.clip(method)).start(() -> run(request, handler));
        }
    }

    private void run(Request request, Handler handler) {
        request.running(Thread.currentThread());
        ObjectNode answer;
        try {
            JsonNode result = handler.handle(request);
            answer = Json.result(request.id, result);
        } catch (McpException e) {
            answer = Json.error(request.id, e.code(), e.getMessage(), e.data());
        } catch (InterruptedException e) {
            answer = Json.error(request.id, McpException.INTERNAL_ERROR, "the request was interrupted", null);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "the handler of " + request.method + " failed", e);
            answer = Json.error(request.id, McpException.INTERNAL_ERROR, "internal error", null);
        }
        running.remove(request.key);
        request.running(null); // no cancel interrupts this thread from now on: it may be the transport's own
        Thread.interrupted(); // a cancel that came meanwhile must not leak into the sink's write
        try {
            request.sink.answer(request.cancelled ? null : answer);
        } catch (RuntimeException e) {
            // the transport is gone (the client closed while this request ran): nobody is left to tell
            LOG.log(System.Logger.Level.DEBUG, () -> "the answer to " + request.method + " could not be sent", e);
        }
    }

    private void cancelled(ObjectNode params) {
        JsonNode id = params.get("requestId");
        if (id == null || !Json.validId(id)) {
            return;
        }
        Request request = running.get(id.toString());
        if (request != null && !request.method.equals("initialize")) {
            request.cancel();
        }
    }

    private void progressed(ObjectNode params) {
        JsonNode token = params.get("progressToken");
        if (token == null) {
            return;
        }
        BiConsumer<Double, ObjectNode> listener = progressListeners.get(token.toString());
        if (listener != null) {
            listener.accept(params.path("progress").asDouble(), params);
        }
    }

    private void answered(ObjectNode message, JsonNode id) {
        CompletableFuture<JsonNode> future = pending.remove(id.toString());
        if (future == null) {
            return;
        }
        JsonNode error = message.get("error");
        if (error != null && error.isObject()) {
            future.completeExceptionally(new McpException(error.path("code").asInt(McpException.INTERNAL_ERROR),
                    Json.clip(error.path("message").asString("error")), error.get("data")));
        } else {
            future.complete(message.has("result") ? message.get("result") : Json.object());
        }
    }

    /**
     * Sends a request and waits for its answer.
     *
     * @param via where the request goes (the sink of the incoming request it belongs to, or {@link #outbound()})
     * @param progress told of each progress notification for it, or null for none
     * @return the result
     * @throws McpException if the other side answered with an error
     * @throws DeadlineExceededException if no answer came within {@code timeout}; the request is cancelled
     * @throws UnavailableException if the peer closed or the thread was interrupted
     */
    public JsonNode call(Sink via, String method, ObjectNode params, Duration timeout,
            @Nullable BiConsumer<Double, ObjectNode> progress) {
        if (closed.get()) {
            throw new UnavailableException("the MCP session is closed", null, null);
        }
        long number = ids.incrementAndGet();
        JsonNode id = Json.JSON.getNodeFactory().numberNode(number);
        String key = id.toString();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(key, future);
        if (progress != null) {
            ObjectNode meta = params.has("_meta") && params.get("_meta").isObject()
                    ? (ObjectNode) params.get("_meta")
                    : params.putObject("_meta");
            meta.put("progressToken", number);
            progressListeners.put(key, progress);
        }
        try {
            via.message(Json.request(id, method, params));
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CodeException c) {
                throw c instanceof McpException m ? new McpException(m.code(), m.getMessage(), m.data()) : c;
            }
            throw new UnavailableException("the request " + method + " failed", null, e.getCause());
        } catch (TimeoutException e) {
            cancel(via, id, "timed out");
            throw new DeadlineExceededException("no answer to " + method + " within " + timeout, null, e);
        } catch (InterruptedException e) {
            cancel(via, id, "the caller was interrupted");
            Thread.currentThread().interrupt();
            throw new UnavailableException("waiting for the answer to " + method + " was interrupted", null, e);
        } finally {
            pending.remove(key);
            progressListeners.remove(key);
        }
    }

    private void cancel(Sink via, JsonNode id, String reason) {
        if (closed.get()) {
            return;
        }
        ObjectNode params = Json.object();
        params.set("requestId", id);
        params.put("reason", reason);
        try {
            via.message(Json.notification("notifications/cancelled", params));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "sending a cancellation failed", e);
        }
    }

    /** Fails the wait for the answer to one of this side's requests: the transport could not deliver it. */
    public void fail(JsonNode id, RuntimeException why) {
        CompletableFuture<JsonNode> future = pending.remove(id.toString());
        if (future != null) {
            future.completeExceptionally(why);
        }
    }

    /**
     * Runs this side's handler of {@code method} in place, for a request that reached it inside another message (the
     * input requests of a stateless revision's {@code input_required} result).
     *
     * @return the handler's result
     * @throws McpException with {@link McpException#METHOD_NOT_FOUND} if this side has no such handler, or as the
     *         handler throws it
     * @throws Exception as the handler throws it
     */
    public JsonNode local(String method, ObjectNode params) throws Exception {
        Handler handler = handlers.get(method);
        if (handler == null) {
            throw new McpException(McpException.METHOD_NOT_FOUND, "method not found: " + Json.clip(method), null);
        }
        return handler.handle(new Request(Json.JSON.getNodeFactory().stringNode("local"), method, params,
                outbound));
    }

    /** Sends a notification that belongs to no request. */
    public void notify(String method, ObjectNode params) {
        outbound.message(Json.notification(method, params));
    }

    /** Fails every request still waiting for an answer and interrupts every handler; the transport is gone. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        UnavailableException gone = new UnavailableException("the MCP session closed", null, null);
        pending.values().forEach(f -> f.completeExceptionally(gone));
        pending.clear();
        for (Request request : running.values()) {
            request.cancel();
        }
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return closed.get();
    }

    /** Collects the answers to one batch, for a sink that takes them as one array. */
    private static final class Collected implements Sink {
        private final Sink sink;
        private final ArrayNode answers = Json.array();
        private int answered;
        private int expected = -1;

        Collected(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void message(ObjectNode message) {
            sink.message(message);
        }

        @Override
        public synchronized void answer(@Nullable ObjectNode response) {
            answered++;
            if (response != null) {
                answers.add(response);
            }
            complete();
        }

        @Override
        public void detach() {
            sink.detach();
        }

        synchronized void expect(int count) {
            expected = count;
            complete();
        }

        private void complete() {
            if (expected >= 0 && answered == expected) {
                expected = -1; // once
                if (!answers.isEmpty()) {
                    sink.answers(answers); // never an empty array: answers cancelled all, or none were due
                }
            }
        }
    }

    /** An incoming request being handled. */
    public final class Request {
        private final JsonNode id;
        private final String key;
        private final String method;
        private final ObjectNode params;
        private final Sink sink;
        private volatile boolean cancelled;
        /** The thread handling it while its handler runs; guarded by this. */
        private @Nullable Thread thread;

        Request(JsonNode id, String method, ObjectNode params, Sink sink) {
            this.id = id;
            this.key = id.toString();
            this.method = method;
            this.params = params;
            this.sink = sink;
        }

        public JsonNode id() {
            return id;
        }

        private synchronized void running(@Nullable Thread handling) {
            thread = handling;
        }

        /** Marks it cancelled and interrupts its handler, never a thread that has gone on to other work. */
        private synchronized void cancel() {
            cancelled = true;
            if (thread != null) {
                thread.interrupt();
            }
        }

        public String method() {
            return method;
        }

        public ObjectNode params() {
            return params;
        }

        /** {@return the sink its answer goes to} */
        public Sink sink() {
            return sink;
        }

        /** {@return the peer it came to} */
        public Peer peer() {
            return Peer.this;
        }

        /** {@return whether the caller cancelled it} */
        public boolean cancelled() {
            return cancelled;
        }

        /** {@return the progress token the caller gave, or null} */
        public @Nullable JsonNode progressToken() {
            JsonNode token = params.path("_meta").get("progressToken");
            return token != null && (token.isString() || token.isIntegralNumber()) ? token : null;
        }

        /** Sends a notification that belongs to this request. */
        public void notify(String method, ObjectNode params) {
            if (!cancelled) {
                sink.message(Json.notification(method, params));
            }
        }

        /** Sends a request that belongs to this request (sampling, elicitation) and waits for its answer. */
        public JsonNode call(String method, ObjectNode params, Duration timeout) {
            return Peer.this.call(sink, method, params, timeout, null);
        }
    }
}
