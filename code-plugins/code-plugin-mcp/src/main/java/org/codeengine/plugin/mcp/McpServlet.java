package org.codeengine.plugin.mcp;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * An {@link McpServer} on Streamable HTTP inside a servlet container (Jakarta Servlet 6.0 or later): the same
 * transport as {@link McpHttpServer} — JSON or SSE answers to POST, the GET stream, DELETE, {@code MCP-Session-Id},
 * {@code Last-Event-ID} resumption, Host and Origin checks, bearer authorization — with the container binding the
 * port and mapping the path. The container calls it only for the paths it is mapped to, and every one of them is the
 * MCP endpoint except those below {@code /.well-known/oauth-protected-resource}, where it serves the RFC 9728
 * metadata; with authorization on, map it there too.
 *
 * <p>Register an instance, with async support on, so that a streaming response holds no container thread: each
 * request is put in async mode and served on a virtual thread, which blocks while the response streams and completes
 * the request when it ends. Without async support it still works, but each stream holds a container thread.
 *
 * <pre>{@code
 * McpServlet servlet = new McpServlet(server, McpHttpServer.Options.loopback(0).withAllowedHosts(Set.of("tools.example")));
 * ServletRegistration.Dynamic mcp = context.addServlet("mcp", servlet);
 * mcp.setAsyncSupported(true);
 * mcp.addMapping("/mcp");
 * }</pre>
 *
 * <p>Host names other than the loopback ones must be listed in {@link McpHttpServer.Options#allowedHosts()}, or their
 * requests get 403. The container's servlet API is needed only by this class: the rest of the plugin never loads it.
 */
@SuppressWarnings("exports") // jakarta.servlet is required statically, not transitively: see module-info
public final class McpServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient StreamableHttp transport;

    /**
     * @param server what to serve
     * @param options the allowed hosts, SSE retry delay, session limits and authorization; the host, port and path are
     *        the container's and are not used
     * @throws IllegalArgumentException if {@code server} or {@code options} is null
     */
    public McpServlet(McpServer server, McpHttpServer.Options options) {
        if (server == null || options == null) {
            throw new IllegalArgumentException("server and options must not be null");
        }
        this.transport = new StreamableHttp(server, options, null);
    }

    /** {@return how many sessions are open} */
    public int sessionCount() {
        return transport.sessionCount();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Exchange exchange = new ServletExchange(request, response);
        if (!request.isAsyncSupported()) {
            transport.handle(exchange);
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(0); // a stream lasts as long as the transport keeps it; it sends its own keep-alives
        Thread.ofVirtual().name("mcp-servlet").start(() -> {
            try {
                transport.handle(exchange);
            } finally {
                async.complete();
            }
        });
    }

    /** Ends every session; the container calls it when it takes the servlet out of service. */
    @Override
    public void destroy() {
        transport.close();
    }

    @Override
    public String toString() {
        return "McpServlet[sessions=" + transport.sessionCount() + "]";
    }

    /** A servlet request and its response. */
    private record ServletExchange(HttpServletRequest request, HttpServletResponse response) implements Exchange {
        @Override
        public String method() {
            return request.getMethod();
        }

        @Override
        public String path() {
            return request.getRequestURI().substring(request.getContextPath().length());
        }

        @Override
        public String source() {
            return request.getRemoteAddr();
        }

        @Override
        public @Nullable String requestHeader(String name) {
            return request.getHeader(name);
        }

        @Override
        public InputStream body() throws IOException {
            return request.getInputStream();
        }

        @Override
        public void responseHeader(String name, String value) {
            response.setHeader(name, value);
        }

        @Override
        public OutputStream send(int status, long length) throws IOException {
            response.setStatus(status);
            if (length < 0) {
                return OutputStream.nullOutputStream();
            }
            if (length > 0) {
                response.setContentLengthLong(length);
            }
            OutputStream out = response.getOutputStream();
            if (length == 0) {
                response.flushBuffer(); // the status and headers go now; the body streams after them
            }
            return out;
        }
    }
}
