package org.codeengine.plugin.mcp;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.security.Principal;
import org.codeengine.plugin.mcp.internal.Json;
import org.codeengine.plugin.mcp.internal.Peer;
import org.codeengine.plugin.mcp.internal.Protocol;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Requests to a server on the stateless wire (2026-07-28), each through the server's own session of one request as
 * Streamable HTTP serves it, with the principal the transport would have authenticated.
 */
final class StatelessCalls {
    private StatelessCalls() {}

    /**
     * @param capabilities the client's capabilities, sent in the request's {@code _meta}
     * @return the whole JSON-RPC answer: its {@code result} or its {@code error}
     */
    static JsonNode call(McpServer server, Principal who, ObjectNode capabilities, String method, ObjectNode params)
            throws Exception {
        ObjectNode meta = Json.object().put(Protocol.META_VERSION, Protocol.STATELESS);
        meta.set(Protocol.META_CAPABILITIES, capabilities);
        ObjectNode message = Json.object().put("jsonrpc", "2.0").put("id", 1).put("method", method);
        message.set("params", params.deepCopy().set("_meta", meta));
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        Peer.Sink sink = new Peer.Sink() {
            @Override
            public void message(ObjectNode notification) {}

            @Override
            public void answer(@Nullable ObjectNode response) {
                answer.complete(response);
            }
        };
        ServerSession session = server.openStateless("test", sink, who, meta);
        try {
            session.peer().receive(Json.bytes(message), sink);
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            session.close();
        }
    }
}
