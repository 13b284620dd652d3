package org.codeengine.plugin.mcp;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.plugin.mcp.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a tool, resource or prompt handler of an {@link McpServer} learns about the request it serves, and how it talks
 * back to the client while it works. Messages it sends belong to the request (over HTTP they go on the request's SSE
 * stream). Valid only while the handler runs.
 */
public interface McpRequestContext {
    /** {@return the authenticated caller, or the server's default principal; empty when there is neither} */
    Optional<Principal> principal();

    /** {@return the session's id (over stdio: {@code stdio})} */
    String sessionId();

    /** {@return the protocol revision the session negotiated, such as {@code 2025-11-25}} */
    String protocolVersion();

    /** {@return the capabilities the client declared in {@code initialize}} */
    JsonNode clientCapabilities();

    /** {@return whether the client cancelled the request; the handler should stop (it is interrupted too)} */
    boolean cancelled();

    /**
     * Sends a log message ({@code notifications/message}) if {@code level} is at or above the level the client set.
     *
     * @param level {@code debug}, {@code info}, {@code notice}, {@code warning}, {@code error}, {@code critical},
     *        {@code alert} or {@code emergency}
     * @param data the message: a string or any JSON; never a secret
     */
    void log(String level, JsonNode data);

    /**
     * Reports progress if the client asked for it with a progress token; does nothing otherwise.
     *
     * @param progress how far, increasing with each call
     * @param total the total, or a negative number when unknown
     * @param message a note for a person, or null
     */
    void progress(double progress, double total, @org.jspecify.annotations.Nullable String message);

    /**
     * Asks the client's model for a completion ({@code sampling/createMessage}) and waits up to 60 seconds.
     *
     * @param params the request's params: {@code messages}, {@code maxTokens}, ...
     * @return the client's result: {@code role}, {@code content}, {@code model}, {@code stopReason}
     * @throws McpException if the client has no sampling capability or refuses
     */
    JsonNode sample(ObjectNode params);

    /**
     * Asks the client's user for input ({@code elicitation/create}, form mode) and waits up to 10 minutes.
     *
     * @param message what to ask
     * @param requestedSchema a flat object schema of primitive properties
     * @return the client's result: {@code action} ({@code accept}, {@code decline}, {@code cancel}) and
     *         {@code content}
     * @throws McpException if the client has no elicitation capability or refuses
     */
    JsonNode elicit(String message, ObjectNode requestedSchema);

    /**
     * A person's approval through the client: each question goes to the client's user as an elicitation with nothing
     * to fill in, and only {@code accept} approves (decline and cancel refuse). The tool registry asks it before a
     * destructive call; an agent's person gate asks it too.
     *
     * @return the confirmer, or empty when the client declared no elicitation capability (nobody can be asked)
     */
    default Optional<Confirmer> confirmer() {
        if (!clientCapabilities().has("elicitation")) {
            return Optional.empty();
        }
        ObjectNode nothingToFill = Json.object().put("type", "object");
        nothingToFill.putObject("properties");
        return Optional.of(question -> elicit(question, nothingToFill.deepCopy()).path("action").asString("").equals(
                "accept"));
    }

    /**
     * {@return the client's roots ({@code roots/list}): {@code [{"uri":"file:///...","name":...}]}}
     *
     * @throws McpException if the client has no roots capability
     */
    JsonNode roots();

    /**
     * One question to the client: {@code sampling/createMessage}, {@code elicitation/create} or {@code roots/list},
     * with its params.
     *
     * @param method the method
     * @param params its params
     */
    record InputRequest(String method, ObjectNode params) {
        /** @throws IllegalArgumentException if the method is none of the three, or params is null */
        public InputRequest {
            if (!List.of("sampling/createMessage", "elicitation/create", "roots/list").contains(method)
                    || params == null) {
                throw new IllegalArgumentException("method must be sampling/createMessage, elicitation/create or "
                        + "roots/list and params set, but method was " + method);
            }
        }
    }

    /**
     * Asks the client for input, each question under a key of the handler's choosing, and returns the answers by the
     * same keys. On a session (revisions up to 2025-11-25) the questions go to the client as requests, one after the
     * other, while the handler waits. On the stateless wire (2026-07-28) the server cannot ask: the first time, the
     * request is answered with an {@code input_required} result carrying the questions and a sealed
     * {@code requestState}, the handler ends there (this method does not return), and the client calls again with
     * {@code inputResponses}; then the handler runs again from the start and this method returns the answers. A
     * handler that asks in several rounds therefore must ask the same questions, under the same keys, in the same
     * order each time it runs, and do nothing it must not repeat before its last question.
     *
     * @param requests the questions by key; questions for a capability the client did not declare are refused
     * @return the answers by key
     * @throws McpException if the client lacks a capability a question needs, or refuses
     */
    Map<String, JsonNode> inputs(Map<String, InputRequest> requests);

    /**
     * Ends the HTTP stream this request answers on now (SEP-1699 polling): the client reconnects with
     * {@code Last-Event-ID} after the retry interval and receives what follows. Does nothing over stdio or when the
     * request is answered with plain JSON.
     */
    void closeStream();

    /**
     * Turns a tool call into a task of the tasks extension (SEP-2663), if the tool supports tasks and the request's
     * client negotiated the extension (2026-07-28): the request is answered at once with a {@code CreateTaskResult}
     * and the handler goes on in the background; the client polls {@code tasks/get} for its status and result,
     * answers its questions ({@link #inputs}) with {@code tasks/update}, and stops it with {@code tasks/cancel} (the
     * handler is interrupted and {@link #cancelled()} turns true). From then on nothing is sent on the request's
     * stream ({@link #log} and {@link #progress} do nothing). A handler that asks the client for input first (the
     * {@code input_required} rounds of {@link #inputs}) calls this after its last question. Calling it again does
     * nothing.
     *
     * @return whether the call now runs as a task; false when the tool or the client does not do tasks, and the
     *         handler then goes on as an ordinary call
     * @throws McpException if the caller already has as many live tasks as the server allows
     */
    default boolean runAsTask() {
        return false;
    }
}
