package org.codeengine.plugin.mcp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reads newline-delimited messages as bytes, with a bound on their length: a longer line is skipped whole as it
 * streams by, never buffered. The bytes are not decoded: '\n' never occurs inside a UTF-8 sequence, and the parser
 * checks the UTF-8.
 */
public final class LineReader implements AutoCloseable {
    private final InputStream in;
    private final int max;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int end;

    /**
     * One line.
     *
     * @param bytes the line without its end ({@code \n}, or {@code \r\n}); empty when it was too long
     * @param tooLong whether it was longer than the bound and dropped
     */
    public record Line(byte[] bytes, boolean tooLong) {
        /** {@return whether it holds nothing but JSON whitespace} */
        public boolean blank() {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * @param in the input; read in blocks, so it needs no buffer
     * @param max the longest line kept, in bytes
     */
    public LineReader(InputStream in, int max) {
        this.in = in;
        this.max = max;
    }

    /** {@return the next line, or null at the end of input} */
    public @Nullable Line next() throws IOException {
        byte[] line = new byte[Math.min(max, 256)];
        int length = 0;
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (position == end) {
                int n = in.read(buffer);
                if (n < 0) {
                    return any ? finish(line, length, tooLong) : null;
                }
                position = 0;
                end = n;
            }
            any = true;
            int newline = position;
            while (newline < end && buffer[newline] != '\n') {
                newline++;
            }
            int chunk = newline - position;
            if (!tooLong && length + chunk > max) {
                tooLong = true; // from here on the line streams by unkept
                line = new byte[0];
                length = 0;
            }
            if (!tooLong) {
                if (length + chunk > line.length) {
                    line = Arrays.copyOf(line, (int) Math.min(max, Math.max(length + chunk, 2L * line.length)));
                }
                System.arraycopy(buffer, position, line, length, chunk);
                length += chunk;
            }
            position = newline;
            if (newline < end) {
                position++;
                return finish(line, length, tooLong);
            }
        }
    }

    private static Line finish(byte[] line, int length, boolean tooLong) {
        int kept = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        return new Line(kept == line.length ? line : Arrays.copyOf(line, kept), tooLong);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
