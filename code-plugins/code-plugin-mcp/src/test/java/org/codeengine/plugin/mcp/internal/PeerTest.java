package org.codeengine.plugin.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.codeengine.api.UnavailableException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class PeerTest {
    /**
     * {@code code mcp call} to a stdio server printed {@code Exception in thread "mcp-roots/list"
     * UnavailableException} after the result: the server asked for roots while the client closed, and the answer's
     * write to the closed stdin escaped the handler's thread.
     */
    @Test
    void answer_staysInsideThePeer_whenTheTransportClosedWhileTheHandlerRan() throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try {
            Peer.Sink gone = new Peer.Sink() {
                @Override
                public void message(ObjectNode message) {
                    throw new UnavailableException("the MCP server process is gone", null, null);
                }

                @Override
                public void answer(@Nullable ObjectNode response) {
                    message(Json.object());
                }
            };
            Peer peer = new Peer(gone);
            AtomicReference<Thread> handler = new AtomicReference<>();
            peer.handle("roots/list", r -> {
                handler.set(Thread.currentThread());
                return Json.object().set("roots", Json.array());
            });
            peer.receive("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"roots/list\"}".getBytes(
                    StandardCharsets.UTF_8), gone);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (handler.get() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(handler.get()).as("the handler ran").isNotNull();
            handler.get().join(10_000);
            assertThat(handler.get().isAlive()).isFalse();
            assertThat(uncaught).isEmpty();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    /** An id sent as a long and parsed back as an int names the same request. */
    @Test
    void sameId_comparesIntegersByValue_andStringsByText() {
        var nodes = Json.JSON.getNodeFactory();
        assertThat(Json.sameId(nodes.numberNode(7L), Json.parse("7"))).isTrue();
        assertThat(Json.sameId(nodes.numberNode(7L), Json.parse("8"))).isFalse();
        assertThat(Json.sameId(nodes.numberNode(7L), Json.parse("\"7\""))).isFalse();
        assertThat(Json.sameId(Json.parse("\"a\""), nodes.stringNode("a"))).isTrue();
        assertThat(Json.sameId(null, nodes.numberNode(1))).isFalse();
    }
}
