package org.codeengine.examples.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where a command writes: human lines (with colours only on a terminal and without {@code NO_COLOR}), or one JSON
 * document with {@code --json}. Errors go to standard error either way.
 */
final class Output {
    static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final String RESET = "\u001b[0m";

    private final PrintStream out;
    private final PrintStream err;
    private final boolean color;
    private final boolean json;
    private final boolean terminal;
    private final Io io;
    private int width;
    /** Whether a JSON document went to standard output already: a failure after it adds none. */
    private boolean printed;

    /**
     * @param io the streams and environment
     * @param json whether the command's result is printed as JSON instead of lines
     * @param noColor whether {@code --no-color} was given
     */
    Output(Io io, boolean json, boolean noColor) {
        this.out = io.out();
        this.err = io.err();
        this.json = json;
        this.terminal = io.terminal() && !"dumb".equals(io.env("TERM"));
        this.color = terminal && !noColor && io.env("NO_COLOR") == null;
        this.io = io;
    }

    /** {@return whether the result is wanted as JSON} */
    boolean json() {
        return json;
    }

    /** {@return whether a live display that rewrites its lines may be drawn: a terminal, colours allowed, no JSON} */
    boolean live() {
        return color && !json;
    }

    /**
     * {@return the terminal's width in columns ({@code COLUMNS}, else what {@code stty} says, else 100), at least 40;
     *         when the output is not a terminal (a pipe, a file) no width: lines are not cut}
     */
    int width() {
        if (width == 0) {
            width = terminal ? Math.max(40, columns(io)) : UNBOUNDED;
        }
        return width;
    }

    /** So wide that no line is cut, and small enough that subtracting a margin from it stays positive. */
    static final int UNBOUNDED = Integer.MAX_VALUE / 2;

    private static int columns(Io io) {
        try {
            String cols = io.env("COLUMNS"); // set by the shell for itself, exported by some
            if (cols != null) {
                return Integer.parseInt(cols.strip());
            }
            Process stty = new ProcessBuilder("stty", "size").redirectInput(ProcessBuilder.Redirect.from(new File(
                    "/dev/tty"))).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip().split(
                    " ");
            if (stty.waitFor() == 0 && size.length == 2) {
                return Integer.parseInt(size[1]);
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: the usual width
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    PrintStream out() {
        return out;
    }

    /** Prints a line for people; nothing in JSON mode. */
    void line(String text) {
        if (!json) {
            out.println(text);
        }
    }

    /** Prints formatted text for people; nothing in JSON mode. */
    void printf(String format, Object... args) {
        if (!json) {
            out.print(String.format(Locale.ROOT, format, args));
        }
    }

    /** Prints a JSON document on standard output. */
    void print(JsonNode document) {
        out.println(JSON.writeValueAsString(document));
        printed = true;
    }

    /** Prints a warning for people on standard error, its control and bidirectional characters escaped. */
    void warn(String text) {
        err.println(paint("33", "warning: ") + safe(text));
    }

    /**
     * Prints an error and its hint on standard error, their control and bidirectional characters escaped; with
     * {@code --json}, and no result printed yet, also {@code {"error": …, "hint": …}} on standard output, so a
     * program reading it gets a document either way.
     */
    void error(String message, String hint) {
        if (json && !printed) {
            print(object().put("error", message).put("hint", hint.isEmpty() ? null : hint));
        }
        err.println(paint("1;31", "error: ") + safe(message));
        if (!hint.isEmpty()) {
            err.println(paint("2", "hint: ") + safe(hint));
        }
    }

    /**
     * Escapes what could rewrite a terminal's line rather than show on it: control characters (C0, DEL, C1: the
     * escape sequences that move the cursor, clear or recolour) and invisible format characters (the bidirectional
     * overrides and marks such as U+202E and U+200F, zero-width characters), and line separators. Each becomes
     * {@code \u202E}-style text; every other character, such as a letter of any script, stays as written. For text
     * that comes from a plan, a run or an error; the app's own colours are added after.
     *
     * @param text any text
     * @return the text, safe to print on one line
     */
    static String safe(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length();) {
            int c = text.codePointAt(i);
            int type = Character.getType(c);
            boolean unsafe = type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
            if (unsafe && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (unsafe) {
                out.append(String.format(Locale.ROOT, c > 0xFFFF ? "\\U%08X" : "\\u%04X", c));
            } else if (out != null) {
                out.appendCodePoint(c);
            }
            i += Character.charCount(c);
        }
        return out == null ? text : out.toString();
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    String bold(String text) {
        return paint("1", text);
    }

    String dim(String text) {
        return paint("2", text);
    }

    String green(String text) {
        return paint("32", text);
    }

    String red(String text) {
        return paint("31", text);
    }

    String yellow(String text) {
        return paint("33", text);
    }

    String cyan(String text) {
        return paint("36", text);
    }

    /** {@return a check mark or a cross, in colour on a terminal} */
    String mark(boolean ok) {
        return ok ? green(color ? "✔" : "ok") : red(color ? "✘" : "FAILED");
    }

    private String paint(String code, String text) {
        return color ? "\u001b[" + code + "m" + text + RESET : text;
    }

    /**
     * @param text a line
     * @param max the most visible characters
     * @return the line cut to {@code max} characters, ending in an ellipsis when cut
     */
    static String fit(String text, int max) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, Math.max(0, max - 1)) + "…";
    }
}
