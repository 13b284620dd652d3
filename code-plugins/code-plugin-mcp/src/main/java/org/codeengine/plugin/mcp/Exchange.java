package org.codeengine.plugin.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request and its response as {@link StreamableHttp} sees them, whichever server carries them: the JDK's
 * HttpServer ({@link McpHttpServer}) or a servlet container ({@link McpServlet}). Used by one thread at a time; the
 * server that made it ends it once {@link StreamableHttp#handle} returns.
 */
interface Exchange {
    /** {@return the request's method, such as {@code POST}} */
    String method();

    /** {@return the request's path below the server's root (for a servlet: below its context path)} */
    String path();

    /** {@return the remote address the request came from} */
    String source();

    /**
     * {@return the header's first value, or null when the request has none}
     *
     * @param name a header's name, matched without regard to case
     */
    @Nullable
    String requestHeader(String name);

    /** {@return the request's body, read once} */
    InputStream body() throws IOException;

    /** Sets a response header; only before {@link #send}. */
    void responseHeader(String name, String value);

    /**
     * Sends the status and the headers set so far.
     *
     * @param status the HTTP status
     * @param length the body's length in bytes; 0 for a body of unknown length streamed until the exchange ends, each
     *        flush sending what was written; -1 for no body
     * @return where the body goes
     */
    OutputStream send(int status, long length) throws IOException;
}
