package org.codeengine.plugin.support;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Server-sent events (the WHATWG event-stream format) on a {@link LineStream}: comments and keep-alives
 * ({@code : OPENROUTER PROCESSING}) are skipped, {@code data} lines of one event are joined with newlines, an event
 * ends at a blank line; an unfinished event at the end of the stream is dropped. Lines that are no SSE field go to an
 * optional consumer, else they are dropped.
 */
public final class SseReader implements AutoCloseable {
    private final LineStream lines;
    private final Consumer<String> strays;
    private @Nullable String lastEventId;
    private long retryMillis = -1;

    /**
     * One event.
     *
     * @param event the {@code event} field, or null
     * @param data the data
     */
    public record Event(@Nullable String event, String data) {}

    /**
     * Reads server-sent events from the stream, ignoring stray lines.
     *
     * @param lines the stream
     */
    public SseReader(LineStream lines) {
        this(lines, line -> {
        });
    }

    /**
     * Reads server-sent events from the stream.
     *
     * @param lines the stream
     * @param strays receives each line that is no SSE field ({@code data}, {@code event}, {@code id}, {@code retry})
     *        nor a comment, as it is: Google's streams end in an error written as bare, pretty-printed JSON; it may
     *        throw to end the stream
     */
    public SseReader(LineStream lines, Consumer<String> strays) {
        this.lines = lines;
        this.strays = strays;
    }

    /**
     * {@return the next event, or null at the end of the stream}
     *
     * @throws org.codeengine.api.CodeException if the stream stalls or breaks off
     */
    public @Nullable Event next() {
        String event = null;
        StringBuilder data = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(event, data.toString());
                }
                event = null;
                continue;
            }
            if (line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> event = value;
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                case "id" -> {
                    if (value.indexOf('\u0000') < 0) {
                        lastEventId = value;
                    }
                }
                case "retry" -> {
                    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9') && value.length() < 10) {
                        retryMillis = Long.parseLong(value);
                    }
                }
                default -> strays.accept(line);
            }
        }
        return null;
    }

    /**
     * {@return the last {@code id} field read so far (the id a reconnection sends as {@code Last-Event-ID}), or null
     *         when none came}
     */
    public @Nullable String lastEventId() {
        return lastEventId;
    }

    /** {@return the last {@code retry} field read so far in milliseconds, or -1 when none came} */
    public long retryMillis() {
        return retryMillis;
    }

    @Override
    public void close() {
        lines.close();
    }
}
