package org.codeengine.plugin.mcp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.plugin.mcp.McpRequestContext.InputRequest;
import org.codeengine.plugin.mcp.internal.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tasks of the tasks extension (SEP-2663) that an {@link McpServer} keeps. A task belongs to the principal whose
 * call started it and no other principal sees it; it is kept for its time to live, counted from its creation, and then
 * forgotten (one still running then is cancelled). Bounded: at most {@code maxPerOwner} tasks per principal and
 * {@code maxTotal} in all; a new task first pushes out the oldest finished one of its principal, and is refused when
 * every one of them still runs. Thread-safe.
 */
final class ServerTasks {
    /** The extension's identifier under {@code capabilities.extensions}. */
    static final String EXTENSION = "io.modelcontextprotocol/tasks";
    /** How often a client should poll {@code tasks/get}, in milliseconds. */
    static final long POLL_INTERVAL_MS = 500;

    private final Clock clock;
    private final Duration ttl;
    private final int maxPerOwner;
    private final int maxTotal;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();

    /**
     * @param clock what tells the time of creation, update and expiry
     * @param ttl how long a task is kept after its creation
     * @param maxPerOwner the most tasks one principal holds at once
     * @param maxTotal the most tasks the server holds at once
     */
    ServerTasks(Clock clock, Duration ttl, int maxPerOwner, int maxTotal) {
        this.clock = clock;
        this.ttl = ttl;
        this.maxPerOwner = maxPerOwner;
        this.maxTotal = maxTotal;
    }

    /** {@return whether a request's client declared the tasks extension in its capabilities} */
    static boolean negotiated(JsonNode clientCapabilities) {
        return clientCapabilities.path("extensions").has(EXTENSION);
    }

    /** {@return the error for a client that did not declare the extension: -32021, naming it (SEP-2575)} */
    static McpException notNegotiated(String what) {
        ObjectNode data = Json.object();
        data.putObject("requiredCapabilities").putObject("extensions").putObject(EXTENSION);
        return new McpException(McpException.MISSING_CAPABILITY, what + " needs the " + EXTENSION + " extension, "
                + "which the client did not declare", data);
    }

    /**
     * Creates a task that {@code worker} runs, once the bounds allow it.
     *
     * @param owner who may see it
     * @param worker the thread that runs it, interrupted when it is cancelled
     * @return the task, findable at once
     * @throws McpException if the owner, or the server, holds as many tasks as allowed and every one still runs
     */
    synchronized Task create(String owner, Thread worker) {
        Instant now = clock.instant();
        tasks.values().removeIf(t -> t.expire(now));
        if (tasks.values().stream().filter(t -> t.owner.equals(owner)).count() >= maxPerOwner && !evict(owner)) {
            throw new McpException(McpException.INVALID_REQUEST, "a principal holds at most " + maxPerOwner
                    + " tasks at once and all of them still run: cancel one first", null);
        }
        if (tasks.size() >= maxTotal && !evict(null)) {
            throw new McpException(McpException.INVALID_REQUEST, "the server holds " + maxTotal + " running tasks, "
                    + "its limit: try again later", null);
        }
        Task task = new Task(UUID.randomUUID().toString(), owner, now, worker);
        tasks.put(task.id, task);
        return task;
    }

    /** Forgets the oldest finished task of an owner (of anyone when null); @return whether there was one */
    private boolean evict(@Nullable String owner) {
        Optional<Task> oldest = tasks.values().stream().filter(t -> owner == null || t.owner.equals(owner)).filter(
                Task::terminal).min(Comparator.comparing(t -> t.createdAt));
        oldest.ifPresent(t -> tasks.remove(t.id));
        return oldest.isPresent();
    }

    /**
     * {@return the owner's live task of that id}
     *
     * @throws McpException (invalid params) if there is none: unknown, expired, or another principal's
     */
    Task find(String owner, String id) {
        Task task = tasks.get(id);
        if (task != null && task.expire(clock.instant())) {
            tasks.remove(id, task);
            task = null;
        }
        if (task == null || !task.owner.equals(owner)) {
            throw new McpException(McpException.INVALID_PARAMS, "unknown task: " + Json.clip(id), null);
        }
        return task;
    }

    /** {@return how many tasks are held now, expired ones included until the next creation} */
    int size() {
        return tasks.size();
    }

    /**
     * One task: its status, and once it ends, its result or error; while it waits for the client, the questions not
     * answered yet.
     */
    final class Task {
        private final String id;
        private final String owner;
        private final Instant createdAt;
        private final Thread worker;
        private String status = "working";
        private Instant lastUpdatedAt;
        private @Nullable ObjectNode result;
        private @Nullable ObjectNode error;
        private final Map<String, InputRequest> pending = new LinkedHashMap<>();
        private final Map<String, JsonNode> answers = new LinkedHashMap<>();

        private Task(String id, String owner, Instant createdAt, Thread worker) {
            this.id = id;
            this.owner = owner;
            this.createdAt = createdAt;
            this.lastUpdatedAt = createdAt;
            this.worker = worker;
        }

        String id() {
            return id;
        }

        private boolean terminal() {
            return switch (status) {
                case "completed", "failed", "cancelled" -> true;
                default -> false;
            };
        }

        synchronized boolean cancelled() {
            return status.equals("cancelled");
        }

        /** Cancels it if its time to live has passed; @return whether it has */
        private synchronized boolean expire(Instant now) {
            if (now.isBefore(createdAt.plus(ttl))) {
                return false;
            }
            cancel();
            return true;
        }

        private void move(String next) {
            status = next;
            lastUpdatedAt = clock.instant();
            notifyAll();
        }

        /** Ends it with the tool's result, unless it ended before (it was cancelled). */
        synchronized void complete(ObjectNode toolResult) {
            if (!terminal()) {
                result = toolResult;
                move("completed");
            }
        }

        /** Ends it with a protocol error, unless it ended before. */
        synchronized void fail(McpException why) {
            if (!terminal()) {
                error = (ObjectNode) Json.error(null, why.code(), String.valueOf(why.getMessage()), why.data()).get(
                        "error");
                move("failed");
            }
        }

        /** Cancels it if it still runs, interrupting its worker; a finished task stays as it is. */
        synchronized void cancel() {
            if (!terminal()) {
                pending.clear();
                move("cancelled");
                worker.interrupt();
            }
        }

        /**
         * Asks the client: the task waits in {@code input_required} until {@code tasks/update} answered every question.
         *
         * @return the answers by key
         * @throws McpException if the task is cancelled (or its worker interrupted) meanwhile
         */
        synchronized Map<String, JsonNode> ask(Map<String, InputRequest> questions) {
            answers.clear();
            pending.putAll(questions);
            move("input_required");
            try {
                while (!pending.isEmpty() && !terminal()) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (terminal() || Thread.currentThread().isInterrupted()) {
                throw new McpException(McpException.INTERNAL_ERROR, "the task was cancelled", null);
            }
            move("working");
            return Map.copyOf(answers);
        }

        /**
         * Takes the answers to questions the task asked ({@code tasks/update}); answers to other keys, and answers
         * that are not objects, are ignored.
         */
        synchronized void answer(JsonNode responses) {
            for (Map.Entry<String, JsonNode> e : responses.properties()) {
                if (pending.containsKey(e.getKey()) && e.getValue().isObject()) {
                    pending.remove(e.getKey());
                    answers.put(e.getKey(), e.getValue());
                }
            }
            lastUpdatedAt = clock.instant();
            notifyAll();
        }

        /**
         * {@return the task as the wire shows it}
         *
         * @param detailed whether to add what {@code tasks/get} shows besides the status: the open questions, the
         *        result or the error
         */
        synchronized ObjectNode describe(boolean detailed) {
            ObjectNode node = Json.object().put("taskId", id).put("status", status).put("createdAt", createdAt
                    .toString()).put("lastUpdatedAt", lastUpdatedAt.toString()).put("ttlMs", ttl.toMillis()).put(
                            "pollIntervalMs", POLL_INTERVAL_MS);
            if (detailed) {
                if (!pending.isEmpty()) {
                    ObjectNode inputs = node.putObject("inputRequests");
                    pending.forEach((key, q) -> {
                        ObjectNode each = inputs.putObject(key).put("method", q.method());
                        each.set("params", q.params());
                    });
                }
                if (result != null) {
                    node.set("result", result);
                }
                if (error != null) {
                    node.set("error", error);
                }
            }
            return node;
        }
    }
}
