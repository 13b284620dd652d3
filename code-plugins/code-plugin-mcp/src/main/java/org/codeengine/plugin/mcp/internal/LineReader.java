package org.codeengine.plugin.mcp.internal;

import java.io.IOException;
import java.io.Reader;
import org.jspecify.annotations.Nullable;

/** Reads newline-delimited messages with a bound on their length: a longer line is skipped whole, not buffered. */
public final class LineReader implements AutoCloseable {
    private final Reader in;
    private final int max;

    /**
     * One line.
     *
     * @param text the line without its end; empty when it was too long
     * @param tooLong whether it was longer than the bound and dropped
     */
    public record Line(String text, boolean tooLong) {}

    /**
     * @param in the input; buffered by the caller
     * @param max the longest line kept, in characters
     */
    public LineReader(Reader in, int max) {
        this.in = in;
        this.max = max;
    }

    /** @return the next line, or null at the end of input */
    public @Nullable Line next() throws IOException {
        StringBuilder line = new StringBuilder();
        boolean tooLong = false;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                return finish(line, tooLong);
            }
            if (tooLong) {
                continue;
            }
            if (line.length() >= max) {
                tooLong = true;
                line.setLength(0);
                line.trimToSize();
            } else {
                line.append((char) c);
            }
        }
        return line.isEmpty() && !tooLong ? null : finish(line, tooLong);
    }

    private static Line finish(StringBuilder line, boolean tooLong) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
        }
        return new Line(line.toString(), tooLong);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
