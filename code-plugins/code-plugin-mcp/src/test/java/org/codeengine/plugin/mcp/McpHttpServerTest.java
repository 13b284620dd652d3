package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The Streamable HTTP scenarios on the server's own HTTP/1.1 server. */
class McpHttpServerTest extends StreamableHttpScenarios {
    @Override
    Served serve(McpServer mcp, McpHttpServer.Options options) {
        McpHttpServer started = mcp.startHttp(options);
        return new Served() {
            @Override
            public URI endpoint() {
                return started.endpoint();
            }

            @Override
            public int sessionCount() {
                return started.sessionCount();
            }

            @Override
            public void close() {
                started.close();
            }
        };
    }

    @Test
    void endpoint_isOnLoopback() {
        assertThat(http.endpoint().toString()).matches("http://127\\.0\\.0\\.1:\\d+/mcp");
    }
}
