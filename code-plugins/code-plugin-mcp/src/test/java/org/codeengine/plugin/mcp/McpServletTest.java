package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The Streamable HTTP scenarios on {@link McpServlet} in a real container: embedded Jetty 12 (EE 10, Servlet 6.0) on
 * 127.0.0.1, the servlet registered with async support at {@code /mcp} and at the protected-resource metadata's path.
 */
class McpServletTest extends StreamableHttpScenarios {
    @Override
    Served serve(McpServer mcp, McpHttpServer.Options options) {
        return serve(mcp, options, true);
    }

    private static Served serve(McpServer mcp, McpHttpServer.Options options, boolean async) {
        McpServlet servlet = new McpServlet(mcp, options);
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder("mcp", servlet);
        holder.setAsyncSupported(async);
        context.addServlet(holder, "/mcp");
        context.addServlet(holder, "/.well-known/oauth-protected-resource/*");
        jetty.setHandler(context);
        try {
            jetty.start();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not start", e);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/mcp");
        return new Served() {
            @Override
            public URI endpoint() {
                return endpoint;
            }

            @Override
            public int sessionCount() {
                return servlet.sessionCount();
            }

            @Override
            public void close() {
                try {
                    jetty.stop(); // destroys the servlet, which ends its sessions
                } catch (Exception e) {
                    throw new IllegalStateException("Jetty did not stop", e);
                }
            }
        };
    }

    @Test
    void withoutAsyncSupport_streamsStillWork_onTheContainersThread() {
        try (Served blocking = serve(server, options(), false)) {
            pollResumes(blocking.endpoint());
        }
    }

    @Test
    void containerStop_endsTheSessions() throws Exception {
        HttpResponse<String> r = post(INITIALIZE, Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(server.sessionCount()).isEqualTo(1);
        http.close();
        assertThat(server.sessionCount()).isZero();
    }

    @Test
    void withoutTheServletApi_thePluginServesHttp_andOnlyMcpServletFailsToLoad() throws Exception {
        List<URL> path = new ArrayList<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.contains("jakarta.servlet") && !entry.contains("jetty")) {
                path.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader bare = new URLClassLoader(path.toArray(URL[]::new), ClassLoader
                .getPlatformClassLoader())) {
            assertThatThrownBy(() -> Class.forName("jakarta.servlet.http.HttpServlet", false, bare)).isInstanceOf(
                    ClassNotFoundException.class);
            Class<?> serverType = bare.loadClass(McpServer.class.getName());
            Class<?> optionsType = bare.loadClass(McpHttpServer.Options.class.getName());
            Object builder = serverType.getMethod("builder").invoke(null);
            Object mcp = builder.getClass().getMethod("build").invoke(builder);
            Object started = serverType.getMethod("startHttp", optionsType).invoke(mcp, optionsType.getMethod(
                    "loopback", int.class).invoke(null, 0));
            Method close = started.getClass().getMethod("close");
            try {
                URI endpoint = (URI) started.getClass().getMethod("endpoint").invoke(started);
                HttpResponse<String> r = raw.send(HttpRequest.newBuilder(endpoint).header("Content-Type",
                        "application/json").POST(HttpRequest.BodyPublishers.ofString(INITIALIZE)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
            } finally {
                close.invoke(started);
            }
            assertThatThrownBy(() -> Class.forName(McpServlet.class.getName(), true, bare)).isInstanceOf(
                    NoClassDefFoundError.class);
        }
    }
}
