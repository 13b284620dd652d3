package org.codeengine.plugin.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.UnavailableException;
import org.jspecify.annotations.Nullable;

/**
 * Reads a streamed reply line by line, and cuts it when no byte came for the idle timeout: a watchdog on a virtual
 * thread closes the stream, and the read fails with {@link DeadlineExceededException}. Not thread-safe: one reader.
 */
public final class LineStream implements AutoCloseable {
    private final InputStream in;
    private final BufferedReader reader;
    private final String provider;
    private final long idleNanos;
    private volatile long lastRead = System.nanoTime();
    private volatile boolean done;
    private volatile boolean stalled;
    private final Thread watchdog;

    /**
     * Reads the body's lines; a watchdog closes the body when no line comes for {@code idle}.
     *
     * @param in the body
     * @param idle the longest wait for the next line
     * @param provider the provider's name, for messages
     */
    public LineStream(InputStream in, Duration idle, String provider) {
        this.in = in;
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 8192);
        this.provider = provider;
        this.idleNanos = idle.toNanos();
        this.watchdog = Thread.ofVirtual().name("code-stream-watchdog").start(this::watch);
    }

    private void watch() {
        while (!done) {
            long left = lastRead + idleNanos - System.nanoTime();
            if (left <= 0) {
                stalled = true;
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing is all we can do
                }
                return;
            }
            LockSupport.parkNanos(left);
        }
    }

    /**
     * {@return the next line without its end, or null at the end of the stream}
     *
     * @throws DeadlineExceededException if the stream stalled
     * @throws UnavailableException if the connection broke
     */
    public @Nullable String readLine() {
        try {
            String line = reader.readLine();
            lastRead = System.nanoTime();
            if (stalled) {
                throw stalled();
            }
            return line;
        } catch (IOException e) {
            if (stalled) {
                throw stalled();
            }
            throw new UnavailableException("the stream from " + provider + " broke off: " + e.getClass()
                    .getSimpleName(), null, e);
        }
    }

    private DeadlineExceededException stalled() {
        return new DeadlineExceededException("the stream from " + provider + " stalled: nothing came for "
                + Duration.ofNanos(idleNanos), null, null);
    }

    @Override
    public void close() {
        done = true;
        LockSupport.unpark(watchdog);
        try {
            in.close();
        } catch (IOException ignored) {
            // the reply is read; a failing close changes nothing
        }
    }
}
