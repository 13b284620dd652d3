package org.codeengine.plugin.mcp;

import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tool an {@link McpServer} serves. The server checks the arguments against {@code inputSchema} before the handler
 * runs; arguments that break it give a result with {@code isError: true} naming the broken rules.
 *
 * @param name unique on the server: letters, digits, {@code _}, {@code -} and {@code .}, 1 to 128 characters
 * @param title a display name, or null
 * @param description what it does
 * @param inputSchema a JSON Schema (2020-12) object of its arguments; sent as given
 * @param outputSchema a JSON Schema of its {@code structuredContent}, or null
 * @param annotations hints such as {@code readOnlyHint}, or null
 * @param secretArguments names of arguments never written to an audit entry or a log; copied
 * @param handler does the work
 * @param taskSupport whether a call may run as a task of the tasks extension (SEP-2663): the handler turns a call into
 *        one with {@link McpRequestContext#runAsTask()}
 */
public record McpTool(String name, @Nullable String title, String description, ObjectNode inputSchema,
        @Nullable ObjectNode outputSchema, @Nullable ObjectNode annotations, Set<String> secretArguments,
        Handler handler, TaskSupport taskSupport) {
    /** Whether a tool's calls may run as tasks (SEP-2663), as {@code tools/list} declares it. */
    public enum TaskSupport {
        /** Never a task: the call is answered when the handler returns. */
        FORBIDDEN,
        /** A task when the client negotiated the tasks extension, else answered when the handler returns. */
        OPTIONAL,
        /**
         * Only as a task: a client that did not negotiate the tasks extension is refused with -32021 before the
         * handler runs.
         */
        REQUIRED;

        /** {@return the name on the wire: {@code forbidden}, {@code optional} or {@code required}} */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Does a tool's work. An exception other than {@link McpException} becomes a result with {@code isError}. */
    @FunctionalInterface
    public interface Handler {
        /**
         * {@return the result}
         *
         * @param arguments the arguments, valid against the input schema (an empty object when none were sent)
         * @param context the request
         * @throws Exception if the tool fails
         */
        McpToolResult call(JsonNode arguments, McpRequestContext context) throws Exception;
    }

    /** @throws IllegalArgumentException if a field breaks its rule */
    public McpTool {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,128}")) {
            throw new IllegalArgumentException("name must match [A-Za-z0-9_.-]{1,128} but was " + name);
        }
        if (description == null) {
            throw new IllegalArgumentException("description of tool " + name + " must not be null");
        }
        if (inputSchema == null || !"object".equals(inputSchema.path("type").asString(""))) {
            throw new IllegalArgumentException("inputSchema of tool " + name + " must be an object schema "
                    + "({\"type\":\"object\",...})");
        }
        if (handler == null) {
            throw new IllegalArgumentException("handler of tool " + name + " must not be null");
        }
        secretArguments = Set.copyOf(secretArguments == null ? Set.of() : secretArguments);
        if (taskSupport == null) {
            throw new IllegalArgumentException("taskSupport of tool " + name + " must not be null");
        }
    }

    /** A tool whose calls are never tasks ({@link TaskSupport#FORBIDDEN}). */
    public McpTool(String name, @Nullable String title, String description, ObjectNode inputSchema,
            @Nullable ObjectNode outputSchema, @Nullable ObjectNode annotations, Set<String> secretArguments,
            Handler handler) {
        this(name, title, description, inputSchema, outputSchema, annotations, secretArguments, handler,
                TaskSupport.FORBIDDEN);
    }

    /**
     * {@return this tool with that task support}
     *
     * @param support whether its calls may run as tasks
     */
    public McpTool withTaskSupport(TaskSupport support) {
        return new McpTool(name, title, description, inputSchema, outputSchema, annotations, secretArguments, handler,
                support);
    }

    /** {@return a tool with only a name, description, input schema and handler} */
    public static McpTool of(String name, String description, ObjectNode inputSchema, Handler handler) {
        return new McpTool(name, null, description, inputSchema, null, null, Set.of(), handler);
    }
}
