package org.codeengine.examples.mcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * A deterministic stream of malformed or hostile JSON-RPC messages for an MCP server that has initialized a session at
 * revision 2025-11-25 (no batches) and serves the {@link ConformanceServer} fixture, each with the outcome that
 * JSON-RPC 2.0, MCP and Streamable HTTP give it. Message {@code i} of a seed is always the same bytes, so a failure
 * names the message that caused it. No message holds a newline byte (stdio frames by line), and every valid request
 * id is unique to its message, so answers can be told apart even when messages run at once.
 *
 * <p>The outcome rules: what is not JSON (truncated, binary junk, invalid UTF-8, nesting deeper than 128, a number
 * longer than 1,000 digits, more tokens than the limit) is a parse error -32700 without id; JSON that is no JSON-RPC
 * 2.0 message (no object, wrong {@code jsonrpc}, a method that is no string, an id that is neither a string nor an
 * integer, a batch where the revision has none) is an invalid request -32600, with the id when it is a valid one; a
 * request's answer has its id; notifications and responses are never answered; a message over the size limit is
 * refused unread. Over HTTP, a message the server cannot accept gets 400 (413 when too large), a request 200, a
 * notification or a response 202.
 */
final class HostileMessages {
    /** The server's default limit on one message, in bytes. */
    static final int LIMIT = 4 * 1024 * 1024;

    /** The kind of outcome. */
    enum Kind {
        /** an error answer with {@link Outcome#code()} */
        ERROR,
        /** a result */
        RESULT,
        /** nothing at all */
        SILENCE,
        /** refused unread as larger than the limit: -32600 without id, HTTP 413 */
        TOO_LARGE,
        /** a batch taken message by message: the answers in one array, none when none is due (HTTP 202) */
        BATCH
    }

    /**
     * What the server must do with one message.
     *
     * @param code the JSON-RPC error code, for {@link Kind#ERROR}
     * @param id the answer's id as JSON text, or null for an answer without id
     * @param status the HTTP status of the POST that carries it
     * @param answers for {@link Kind#BATCH}: the answers, in any order
     */
    record Outcome(Kind kind, int code, @Nullable String id, int status, List<Outcome> answers) {
        Outcome(Kind kind, int code, @Nullable String id, int status) {
            this(kind, code, id, status, List.of());
        }

        static Outcome parseError() {
            return new Outcome(Kind.ERROR, -32700, null, 400);
        }

        static Outcome invalid(@Nullable Id id) {
            return new Outcome(Kind.ERROR, -32600, id == null ? null : id.key(), 400);
        }

        static Outcome error(int code, Id id) {
            return new Outcome(Kind.ERROR, code, id.key(), 200);
        }

        static Outcome result(Id id) {
            return new Outcome(Kind.RESULT, 0, id.key(), 200);
        }

        static Outcome silence() {
            return new Outcome(Kind.SILENCE, 0, null, 202);
        }

        static Outcome tooLarge() {
            return new Outcome(Kind.TOO_LARGE, -32600, null, 413);
        }

        static Outcome batch(List<Outcome> answers) {
            return new Outcome(Kind.BATCH, 0, null, answers.isEmpty() ? 202 : 200, List.copyOf(answers));
        }
    }

    /**
     * One hostile message.
     *
     * @param family the kind of hostility, such as "wrong jsonrpc"
     * @param category the family and the detail, such as "request with jsonrpc 2"
     * @param bytes the message, without a line end
     */
    record Hostile(int index, String family, String category, byte[] bytes, Outcome outcome) {
        Hostile in(String newFamily) {
            return new Hostile(index, newFamily, category, bytes, outcome);
        }

        /** {@return the category, the outcome and the start of the message, in printable ASCII} */
        String describe() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < Math.min(bytes.length, 160); i++) {
                int c = bytes[i] & 0xff;
                b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
            }
            return "#" + index + " " + printable(category, 80) + " (" + bytes.length + " bytes) expecting "
                    + printable(outcome.toString(), 160) + ": " + b + (bytes.length > 160 ? "..." : "");
        }
    }

    /**
     * A request id: its text in the message and its text in the answer.
     *
     * @param json as sent; ASCII, escapes for everything else
     * @param key as the server writes it back (Jackson's text of the parsed id)
     */
    record Id(String json, String key) {}

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Category(String name, int weight, BiFunction<Integer, Random, Hostile> make) {}

    /**
     * Messages too heavy to draw at random: message {@code index} is one when {@code index % every == at}, so that
     * their count stays small whatever the seed.
     */
    private record Heavy(int every, int at, BiFunction<Integer, Random, Hostile> make) {}

    private final long seed;
    private final List<Category> categories;
    private final int totalWeight;
    private final List<Heavy> heavy = List.of(new Heavy(2000, 1999, this::tenMegabytes), new Heavy(1000, 500,
            this::deepNesting), new Heavy(1000, 250, this::amplified), new Heavy(1000, 750, this::nearLimit),
            new Heavy(
                    500, 100, this::megabyteId),
            new Heavy(250, 125, this::megabyteSubscription));

    HostileMessages(long seed) {
        this.seed = seed;
        this.categories = List.of(new Category("truncated", 8, this::truncated), new Category("binary junk", 5,
                this::junk), new Category("invalid UTF-8", 5, this::badUtf8),
                new Category("id of a wrong type", 5,
                        this::wrongId),
                new Category("method of a wrong type", 4, this::wrongMethod), new Category(
                        "params of a wrong type", 5, this::wrongParams),
                new Category("wrong jsonrpc", 5, this::wrongVersion),
                new Category("no object", 3, this::noObject), new Category("null id", 3, this::nullId), new Category(
                        "huge numeric id", 5, this::hugeNumber),
                new Category("odd string id", 5, this::oddStringId),
                new Category("nesting", 4, this::nesting), new Category("unknown method", 7, this::unknownMethod),
                new Category("batch", 5, this::batch), new Category("notification with bad params", 7,
                        this::badNotification),
                new Category("response to nothing", 6, this::response), new Category(
                        "method with bad params", 10, this::badParams),
                new Category("escapes and layout", 4, this::layout));
        this.totalWeight = categories.stream().mapToInt(Category::weight).sum();
    }

    /** {@return message {@code index}: the same bytes for the same seed and index} */
    Hostile get(int index) {
        Random r = new Random(seed * 1_000_003L + index);
        for (Heavy h : heavy) {
            if (index % h.every() == h.at()) {
                return h.make().apply(index, r);
            }
        }
        int pick = r.nextInt(totalWeight);
        for (Category c : categories) {
            pick -= c.weight();
            if (pick < 0) {
                return c.make().apply(index, r).in(c.name());
            }
        }
        throw new AssertionError();
    }

    /** {@return a message of a client that has not initialized yet (stdio), with its outcome there} */
    Hostile beforeInitialize(int index) {
        Random r = new Random(seed * 7_919L + index);
        Id id = id(900_000 + index, r); // apart from the ids of get(index)
        return switch (r.nextInt(6)) {
            case 0 -> hostile(index, "ping before initialize", request(id, "ping", null), Outcome.result(id));
            case 1 -> hostile(index, "request before initialize", request(id, pick(r, "tools/list", "tools/call",
                    "resources/read", "prompts/get", "logging/setLevel", "completion/complete"), "{}"), Outcome
                            .error(-32600, id));
            case 2 -> hostile(index, "unknown method before initialize", request(id, "nope/" + index, null), Outcome
                    .error(-32601, id));
            case 3 -> hostile(index, "notification before initialize", notification(pick(r,
                    "notifications/initialized", "notifications/cancelled", "notifications/progress",
                    "notifications/nope"), "{\"x\":1}"), Outcome.silence());
            case 4 -> truncated(index, r);
            default -> wrongId(index, r);
        };
    }

    /**
     * @return a batch for a session at revision 2025-03-26, the last to have them: its messages are taken one by one
     *         and their answers come back together, none for notifications and responses; an empty batch is refused
     *         whole, and {@code initialize} may not be part of one
     */
    Hostile batch(int index) {
        Random r = new Random(seed * 104_729L + index);
        if (r.nextInt(20) == 0) {
            return hostile(index, "empty batch", "[]", Outcome.invalid(null));
        }
        List<String> messages = new ArrayList<>();
        List<Outcome> answers = new ArrayList<>();
        int size = 1 + r.nextInt(6);
        for (int k = 0; k < size; k++) {
            Id id = id(2_000_000 + index * 10 + k, r);
            switch (r.nextInt(11)) {
                case 0 -> {
                    messages.add(request(id, "ping", null));
                    answers.add(Outcome.result(id));
                }
                case 1 -> {
                    messages.add(request(id, "nope/" + k, "{}"));
                    answers.add(Outcome.error(-32601, id));
                }
                case 2 -> {
                    messages.add(request(id, "tools/call", "{\"name\":\"nope-" + index + "\"}"));
                    answers.add(Outcome.error(-32602, id));
                }
                case 3 -> {
                    messages.add(request(id, "ping", "\"x\""));
                    answers.add(Outcome.error(-32602, id));
                }
                case 4 -> messages.add(notification(pick(r, "notifications/initialized", "notifications/nope",
                        "notifications/cancelled"), pick(r, null, "{}", "\"junk\"")));
                case 5 -> messages.add("{\"jsonrpc\":\"2.0\",\"id\":" + id.json() + ",\"result\":{}}");
                case 6 -> {
                    messages.add(pick(r, "1", "\"x\"", "true", "null", "[]", "{}", "[" + request(id, "ping", null)
                            + "]"));
                    answers.add(Outcome.invalid(null));
                }
                case 7 -> {
                    messages.add("{\"jsonrpc\":\"2.0\",\"id\":" + id.json() + ",\"method\":42}");
                    answers.add(Outcome.invalid(id));
                }
                case 8 -> {
                    messages.add("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}");
                    answers.add(Outcome.invalid(null));
                }
                case 9 -> {
                    messages.add(request(id, "initialize", "{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{},"
                            + "\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}"));
                    answers.add(Outcome.invalid(id));
                }
                default -> {
                    messages.add("{\"jsonrpc\":\"1.0\",\"id\":" + id.json() + ",\"method\":\"ping\"}");
                    answers.add(Outcome.invalid(id));
                }
            }
        }
        return hostile(index, "batch of " + size, "[" + String.join(",", messages) + "]", Outcome.batch(answers));
    }

    // ------------------------------------------------------------------ the categories

    private Hostile truncated(int index, Random r) {
        byte[] whole = validRequest(index, r).getBytes(StandardCharsets.UTF_8);
        int cut = 1 + r.nextInt(whole.length - 1);
        return hostile(index, "truncated", Arrays.copyOf(whole, cut), Outcome.parseError());
    }

    private Hostile junk(int index, Random r) {
        byte[] bytes = new byte[1 + r.nextInt(r.nextBoolean() ? 16 : 4096)];
        r.nextBytes(bytes);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                bytes[i] = 0;
            }
        }
        // a first byte that starts no JSON value and is no whitespace: a UTF-8 continuation or lead byte (never the
        // EF of a byte-order mark) or a control character
        int[] starts = {0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xf0, 0xf5, 0xfe, 0xff, 0x01, 0x07, 0x1b, '<', 'x', '#'};
        bytes[0] = (byte) starts[r.nextInt(starts.length)];
        return hostile(index, "binary junk", bytes, Outcome.parseError());
    }

    private Hostile badUtf8(int index, Random r) {
        // a lone continuation byte, overlong forms of '/', an encoded surrogate, code points above U+10FFFF, a
        // truncated sequence, bytes that never occur in UTF-8
        int[][] bad = {{0x80}, {0xc0, 0xaf}, {0xc1, 0xbf}, {0xe0, 0x80, 0xaf}, {0xf0, 0x80, 0x80, 0xaf}, {0xed,
                0xa0, 0x80},
                {0xed, 0xbf, 0xbf}, {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80}, {0xe2, 0x82}, {0xc3},
                {0xfe}, {0xff}};
        int[] seq = bad[r.nextInt(bad.length)];
        Id id = id(index, r);
        String where = pick(r, "params", "method", "id");
        String before;
        String after;
        switch (where) {
            case "method" -> {
                before = "{\"jsonrpc\":\"2.0\",\"id\":" + id.json() + ",\"method\":\"pi";
                after = "ng\"}";
            }
            case "id" -> {
                before = "{\"jsonrpc\":\"2.0\",\"id\":\"u" + index;
                after = "\",\"method\":\"ping\"}";
            }
            default -> {
                before = "{\"jsonrpc\":\"2.0\",\"id\":" + id.json() + ",\"method\":\"ping\",\"params\":{\"s\":\"a";
                after = "b\"}}";
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.US_ASCII));
        for (int b : seq) {
            out.write(b);
        }
        out.writeBytes(after.getBytes(StandardCharsets.US_ASCII));
        return hostile(index, "invalid UTF-8 in the " + where, out.toByteArray(), Outcome.parseError());
    }

    private Hostile wrongId(int index, Random r) {
        String id = pick(r, "{}", "[]", "true", "false", "1.5", "1e400", "-1e400", "-0.0", "1E2", "{\"a\":" + index
                + "}", "[" + index + "]", "0.000001");
        return hostile(index, "id " + id, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}", Outcome
                .invalid(null));
    }

    private Hostile wrongMethod(int index, Random r) {
        String method = pick(r, "42", "null", "true", "{}", "[]", "[\"ping\"]", "{\"name\":\"ping\"}", "1e400");
        if (r.nextBoolean()) {
            Id id = id(index, r);
            return hostile(index, "method " + method, "{\"jsonrpc\":\"2.0\",\"id\":" + id.json() + ",\"method\":"
                    + method + "}", Outcome.invalid(id));
        }
        // a notification whose method is no string: JSON-RPC 2.0 answers it as an invalid request (its example
        // {"jsonrpc": "2.0", "method": 1, "params": "bar"})
        return hostile(index, "notification method " + method, "{\"jsonrpc\":\"2.0\",\"method\":" + method
                + ",\"params\":\"bar\"}", Outcome.invalid(null));
    }

    private Hostile wrongParams(int index, Random r) {
        String params = pick(r, "\"bar\"", "42", "[1,2]", "true", "null", "[]", "\"\"");
        if (r.nextBoolean()) {
            Id id = id(index, r);
            String method = pick(r, "ping", "tools/list", "tools/call", "resources/read", "prompts/get");
            return hostile(index, method + " with params " + params, "{\"jsonrpc\":\"2.0\",\"id\":" + id.json()
                    + ",\"method\":\"" + method + "\",\"params\":" + params + "}", Outcome.error(-32602, id));
        }
        return hostile(index, "notification with params " + params, notification(pick(r,
                "notifications/initialized", "notifications/cancelled", "notifications/progress",
                "notifications/roots/list_changed", "notifications/nope"), params), Outcome.silence());
    }

    private Hostile wrongVersion(int index, Random r) {
        String version = pick(r, "\"1.0\"", "2.0", "2", "\"2\"", "null", "\"2.0 \"", "\"\"", "\"2.00\"", "[\"2.0\"]",
                null);
        String member = version == null ? "" : "\"jsonrpc\":" + version + ",";
        return switch (r.nextInt(3)) {
            case 0 -> {
                Id id = id(index, r);
                yield hostile(index, "request with jsonrpc " + version, "{" + member + "\"id\":" + id.json()
                        + ",\"method\":\"ping\"}", Outcome.invalid(id));
            }
            case 1 -> hostile(index, "notification with jsonrpc " + version, "{" + member
                    + "\"method\":\"notifications/initialized\"}", Outcome.invalid(null));
            // a response is never answered, not even a broken one
            default -> hostile(index, "response with jsonrpc " + version, "{" + member + "\"id\":" + id(index, r)
                    .json() + ",\"result\":{}}", Outcome.silence());
        };
    }

    private Hostile noObject(int index, Random r) {
        String text = pick(r, "42", "-1e5", "\"ping\"", "true", "false", "null", "\"" + "x".repeat(r.nextInt(5000))
                + "\"", "1e400");
        return hostile(index, "no object", text, Outcome.invalid(null));
    }

    private Hostile nullId(int index, Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> hostile(index, "request with null id", "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\""
                    + pick(r, "ping", "tools/list", "nope") + "\"}", Outcome.invalid(null));
            case 1 -> hostile(index, "result with null id", "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}",
                    Outcome.silence());
            // what a peer sends for a parse error: answering it could ping-pong forever
            default -> hostile(index, "error with null id",
                    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error\"}}",
                    Outcome.silence());
        };
    }

    private Hostile hugeNumber(int index, Random r) {
        String n = String.format("%06d", index);
        return switch (r.nextInt(7)) {
            case 0 -> ping(index, "20-digit id", number("1" + "0".repeat(13) + n));
            case 1 -> ping(index, "negative 20-digit id", number("-1" + "0".repeat(13) + n));
            case 2 -> ping(index, "id of up to 1,000 digits", number("9".repeat(r.nextInt(990)) + n));
            case 3 -> ping(index, "Long.MAX_VALUE id", number(Long.toString(Long.MAX_VALUE - index)));
            case 4 -> ping(index, "Long.MIN_VALUE id", number(Long.toString(Long.MIN_VALUE + index)));
            case 5 -> hostile(index, "id of over 1,000 digits", "{\"jsonrpc\":\"2.0\",\"id\":" + "7".repeat(1001
                    + r.nextInt(20_000)) + ",\"method\":\"ping\"}", Outcome.parseError());
            default -> hostile(index, "id not a JSON number", "{\"jsonrpc\":\"2.0\",\"id\":" + pick(r, "0x10", "+5",
                    "01", "1.", ".5", "-", "1e", "Infinity", "NaN") + ",\"method\":\"ping\"}", Outcome
                            .parseError());
        };
    }

    private Hostile oddStringId(int index, Random r) {
        String value = switch (r.nextInt(5)) {
            case 0 -> "L" + index + "-" + "x".repeat(1000 + r.nextInt(100_000));
            case 1 -> "ü-" + index + "-✓\uD83D\uDE00-日本";
            case 2 -> "esc-" + index + "-\t\"\\/\u0000\u001f\u007f";
            case 3 -> "lone-" + index + "-\uD800-\uDFFF";
            default -> index + "-\u2028\u2029-\uFEFF";
        };
        return ping(index, "string id", text(value));
    }

    private Hostile nesting(int index, Random r) {
        int depth = switch (r.nextInt(4)) {
            case 0 -> 127;
            case 1 -> 128;
            case 2 -> 1 + r.nextInt(126);
            default -> 129 + r.nextInt(5000);
        };
        Id id = id(index, r);
        String params = "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
        // params is that many objects deep, inside the envelope's object; 128 levels in all is the limit
        return hostile(index, "params nested " + depth + " deep", request(id, "ping", params), depth + 1 <= 128
                ? Outcome.result(id)
                : Outcome.parseError());
    }

    private Hostile unknownMethod(int index, Random r) {
        String method = pick(r, "", "rpc.discover", "tools/list ", "TOOLS/LIST", "tools/lis", "initialize/x",
                "notifications/initialized", "notifications/cancelled", "\\u0000", "ping\\u0000", "пинг",
                "../../etc/passwd", "%s%n%x", "${jndi:ldap://127.0.0.1/a}", "x".repeat(1 + r.nextInt(100_000)),
                "sampling/createMessage", "roots/list", "elicitation/create");
        if (r.nextInt(3) > 0) {
            Id id = id(index, r);
            return hostile(index, "unknown method", request(id, method, r.nextBoolean() ? null : "{}"), Outcome
                    .error(-32601, id));
        }
        return hostile(index, "unknown notification", notification(method, r.nextBoolean() ? null : "{\"x\":[1]}"),
                Outcome.silence());
    }

    private Hostile batch(int index, Random r) {
        Id id = id(index, r);
        String body = pick(r, "[]", "[" + request(id, "ping", null) + "]", "[" + notification(
                "notifications/initialized", null) + "]", "[1,2,3]", "[[]]", "[{}]", "[{\"jsonrpc\":\"2.0\",\"id\":"
                        + id.json() + ",\"result\":{}}]",
                "[" + request(id, "ping", null) + "," + notification(
                        "notifications/initialized", null) + "]");
        // batches were removed after 2025-03-26: the body is one message or not acceptable
        return hostile(index, "batch", body, Outcome.invalid(null));
    }

    private Hostile badNotification(int index, Random r) {
        String method;
        String params;
        switch (r.nextInt(5)) {
            case 0 -> {
                method = "notifications/cancelled";
                params = pick(r, "{\"requestId\":{}}", "{\"requestId\":null}", "{\"requestId\":\"never-sent-" + index
                        + "\"}", "{\"requestId\":" + index + ",\"reason\":5}", "{}", "{\"requestId\":[1]}",
                        "{\"requestId\":1e400}", "{\"requestId\":\"" + "r".repeat(r.nextInt(50_000)) + "\"}");
            }
            case 1 -> {
                method = "notifications/progress";
                params = pick(r, "{\"progressToken\":{},\"progress\":\"x\"}",
                        "{\"progressToken\":\"nope\",\"progress\":1e400}", "{}", "{\"progressToken\":" + index
                                + ",\"progress\":-1,\"total\":\"all\"}",
                        "{\"progressToken\":null}");
            }
            case 2 -> {
                method = "notifications/initialized";
                params = pick(r, "{\"junk\":[1,2,3]}", "{\"_meta\":5}", "{}");
            }
            case 3 -> {
                method = "notifications/message";
                params = pick(r, "{\"level\":5}", "{\"level\":\"emergency\",\"data\":{}}", "{}");
            }
            default -> {
                method = pick(r, "notifications/roots/list_changed", "notifications/tools/list_changed",
                        "notifications/resources/updated");
                params = pick(r, "{}", "{\"uri\":7}", "{\"uri\":\"test://static-text\"}");
            }
        }
        return hostile(index, method + " " + clip(params), notification(method, params), Outcome.silence());
    }

    private Hostile response(int index, Random r) {
        String id = pick(r, id(index, r).json(), "{}", "[]", "true", "1.5", "\"never-sent-" + index + "\"");
        String tail = pick(r, "\"result\":{}", "\"result\":[]", "\"result\":5", "\"result\":null", "\"result\":\"x\"",
                "\"error\":{\"code\":\"x\"}", "\"error\":\"boom\"", "\"error\":null",
                "\"error\":{\"code\":1,\"message\":2}", "\"error\":{\"code\":-32603,\"message\":\"m\"}",
                "\"result\":{},\"error\":{\"code\":1,\"message\":\"both\"}");
        return hostile(index, "response " + tail, "{\"jsonrpc\":\"2.0\",\"id\":" + id + "," + tail + "}", Outcome
                .silence());
    }

    private Hostile badParams(int index, Random r) {
        Id id = id(index, r);
        record Call(String method, String params, int code) {}
        String nope = "nope-" + index;
        Call call = switch (r.nextInt(31)) {
            case 0 -> new Call("tools/call", "{}", -32602);
            case 1 -> new Call("tools/call", "{\"name\":5}", -32602);
            case 2 -> new Call("tools/call", "{\"name\":\"" + nope + "\"}", -32602);
            case 3 -> new Call("tools/call", "{\"name\":\"test_simple_text\",\"arguments\":[1]}", -32602);
            case 4 -> new Call("tools/call", "{\"name\":\"test_simple_text\",\"arguments\":\"x\"}", -32602);
            case 5 -> new Call("tools/call", "{\"name\":\"test_simple_text\",\"arguments\":null}", 0);
            case 6 -> new Call("tools/call", "{\"name\":\"test_error_handling\"}", 0);
            case 7 -> new Call("tools/call", "{\"name\":\"json_schema_2020_12_tool\",\"arguments\":{\"name\":5}}", 0);
            case 8 -> new Call("resources/read", "{}", -32602);
            case 9 -> new Call("resources/read", "{\"uri\":5}", -32602);
            case 10 -> new Call("resources/read", "{\"uri\":\"test://" + nope + "\"}", -32002);
            case 11 -> new Call("resources/read", "{\"uri\":\"test://static-text\"}", 0);
            case 12 -> new Call("resources/read", "{\"uri\":\"test://template/" + "%2e".repeat(r.nextInt(1000))
                    + index + "/data\"}", 0);
            case 13 -> new Call("resources/read", "{\"uri\":\"test://template/a/b/data\"}", -32002);
            case 14 -> new Call("prompts/get", "{}", -32602);
            case 15 -> new Call("prompts/get", "{\"name\":\"" + nope + "\"}", -32602);
            case 16 -> new Call("prompts/get", "{\"name\":\"test_prompt_with_arguments\"}", -32602);
            case 17 -> new Call("prompts/get",
                    "{\"name\":\"test_prompt_with_arguments\",\"arguments\":{\"arg1\":5,\"arg2\":\"y\"}}", -32602);
            case 18 -> new Call("prompts/get", "{\"name\":\"test_prompt_with_arguments\",\"arguments\":[1]}", -32602);
            case 19 -> new Call("prompts/get", "{\"name\":\"test_simple_prompt\",\"arguments\":null}", 0);
            case 20 -> new Call("completion/complete", "{}", -32602);
            case 21 -> new Call("completion/complete", "{\"ref\":\"x\",\"argument\":{\"name\":\"a\"}}", -32602);
            case 22 -> new Call("completion/complete", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\""
                    + "test_prompt_with_arguments\"},\"argument\":{\"name\":\"arg1\",\"value\":\"pa\"}}", 0);
            case 23 -> new Call("completion/complete", "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"" + nope
                    + "\"},\"argument\":{\"name\":\"a\"}}", -32602);
            case 24 -> new Call("completion/complete", "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"x\"},"
                    + "\"argument\":{\"name\":\"a\"},\"context\":{\"arguments\":5}}", -32602);
            case 25 -> new Call("logging/setLevel", pick(r, "{\"level\":\"loud\"}", "{\"level\":5}", "{}"), -32602);
            case 26 -> new Call("tools/list", "{\"cursor\":" + pick(r, "\"!!!\"", "\"\"", "\"" + base64("ok:1")
                    + "\"", "\"" + base64("o:-1") + "\"", "\"" + base64("o:99999999999") + "\"", "{}") + "}", -32602);
            case 27 -> new Call(pick(r, "tools/list", "resources/list", "prompts/list", "resources/templates/list"),
                    "{\"cursor\":" + pick(r, "null", "\"" + base64("o:99999") + "\"") + "}", 0);
            case 28 -> new Call("resources/subscribe", "{\"uri\":" + pick(r, "5", "null", "[]") + "}", -32602);
            case 29 -> pick(r, new Call("resources/subscribe", "{\"uri\":\"test://" + nope + "\"}", -32002), new Call(
                    "resources/subscribe", "{\"uri\":\"test://static-text\"}", 0),
                    new Call("resources/subscribe",
                            "{\"uri\":\"test://template/" + index + "/data\"}", 0),
                    new Call("resources/unsubscribe",
                            "{\"uri\":\"test://" + nope + "\"}", 0));
            default -> new Call("ping", "{\"_meta\":{\"progressToken\":" + pick(r, "{}", "[]", "null", "1.5") + "}}",
                    0);
        };
        return hostile(index, call.method() + " " + clip(call.params()), request(id, call.method(), call
                .params()), call.code() == 0 ? Outcome.result(id) : Outcome.error(call.code(), id));
    }

    private Hostile layout(int index, Random r) {
        Id id = id(index, r);
        String text = switch (r.nextInt(6)) {
            case 0 -> " \t " + request(id, "ping", null) + " \t";
            case 1 -> request(id, "ping", null) + "\r";
            case 2 -> "{\"jsonrpc\":\"2.0\",\"id\":" + id.json() + ",\"method\":\"p\\u0069ng\"}";
            case 3 -> "{\"method\":\"ping\",\"params\":{},\"id\":" + id.json() + ",\"jsonrpc\":\"\\u0032.0\"}";
            case 4 -> "{\"jsonrpc\":\"2.0\",\"id\":" + id.json() + ",\"method\":\"ping\",\"extra\":[1,{\"a\":null}]}";
            default -> "{ \"jsonrpc\" : \"2.0\" , \"id\" : " + id.json() + " , \"method\" : \"ping\" }";
        };
        return hostile(index, "escapes and layout", text, Outcome.result(id));
    }

    // ------------------------------------------------------------------ the heavy ones

    private Hostile tenMegabytes(int index, Random r) {
        int size = 10 * 1024 * 1024 + r.nextInt(1024);
        return hostile(index, "10 MB string", request(id(index, r), "ping", "{\"s\":\"" + "a".repeat(size) + "\"}"),
                Outcome.tooLarge());
    }

    private Hostile deepNesting(int index, Random r) {
        int depth = 100_000;
        String text = switch (r.nextInt(3)) {
            case 0 -> "[".repeat(depth);
            case 1 -> "[".repeat(depth) + "]".repeat(depth);
            default -> "{\"jsonrpc\":\"2.0\",\"id\":" + id(index, r).json() + ",\"method\":\"ping\",\"params\":{\"a\":"
                    + "[".repeat(depth) + "]".repeat(depth) + "}}";
        };
        return hostile(index, "100,000 levels of nesting", text, Outcome.parseError());
    }

    private Hostile amplified(int index, Random r) {
        // a few MB of tiny values that a tree of nodes multiplies many times over: [{},{},...] takes about 30 bytes of
        // heap per byte of message
        String unit = pick(r, "{},", "[],", "0,", "{\"k\":{}},");
        int count = (LIMIT - 200) / unit.length();
        String params = "{\"a\":[" + unit.repeat(count) + "0]}";
        return hostile(index, "amplified " + unit.repeat(3) + "...", request(id(index, r), "ping", params), Outcome
                .parseError());
    }

    private Hostile nearLimit(int index, Random r) {
        Id id = id(index, r);
        int size = LIMIT - 1024 - r.nextInt(64 * 1024);
        return hostile(index, "string just under the limit", request(id, "ping", "{\"s\":\"" + "b".repeat(size)
                + "\"}"), Outcome.result(id));
    }

    private Hostile megabyteSubscription(int index, Random r) {
        // a URI the fixture's template test://template/{id}/data matches: a server that keeps every one it is asked
        // to watch keeps 40 MB for 40 of them
        Id id = id(index, r);
        return hostile(index, "subscription to a 1 MB URI", request(id, "resources/subscribe", "{\"uri\":\""
                + "test://template/" + index + "-" + "u".repeat(1024 * 1024) + "/data\"}"), Outcome.error(-32602, id));
    }

    private Hostile megabyteId(int index, Random r) {
        return ping(index, "1 MB string id", text("M" + index + "-" + "m".repeat(1024 * 1024)));
    }

    // ------------------------------------------------------------------ building blocks

    private String validRequest(int index, Random r) {
        Id id = id(index, r);
        return switch (r.nextInt(4)) {
            case 0 -> request(id, "ping", null);
            case 1 -> request(id, "tools/call", "{\"name\":\"test_simple_text\",\"arguments\":{\"n\":[1,2,{\"x\":"
                    + "\"ü✓\"}]}}");
            case 2 -> request(id, "resources/read", "{\"uri\":\"test://static-text\"}");
            default -> notification("notifications/progress", "{\"progressToken\":\"t\",\"progress\":0.5}");
        };
    }

    /** {@return a valid id unique to {@code index}: an integer, a big integer or a string} */
    private static Id id(int index, Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> number(Integer.toString(1_000_000 + index));
            case 1 -> number("-" + (5_000_000_000L + index));
            case 2 -> number("1" + "0".repeat(13) + String.format("%06d", index));
            default -> text("c-" + index);
        };
    }

    private static Id number(String digits) {
        return new Id(digits, JSON.readTree(digits).toString());
    }

    private static Id text(String value) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return new Id(json.append('"').toString(), JSON.getNodeFactory().stringNode(value).toString());
    }

    private Hostile ping(int index, String category, Id id) {
        return hostile(index, category, request(id, "ping", null), Outcome.result(id));
    }

    private static String request(Id id, String method, @Nullable String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id.json() + ",\"method\":\"" + method + "\"" + (params == null
                ? ""
                : ",\"params\":" + params) + "}";
    }

    private static String notification(String method, @Nullable String params) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\"" + (params == null ? "" : ",\"params\":" + params)
                + "}";
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... choices) {
        return choices[r.nextInt(choices.length)];
    }

    private static Hostile hostile(int index, String category, String text, Outcome outcome) {
        return hostile(index, category, text.getBytes(StandardCharsets.UTF_8), outcome);
    }

    private static Hostile hostile(int index, String category, byte[] bytes, Outcome outcome) {
        return new Hostile(index, category, category, bytes, outcome);
    }

    /** {@return the first {@code max} characters of {@code text}, anything but printable ASCII escaped as in Java} */
    static String printable(String text, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(text.length(), max); i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return text.length() > max ? b + "... (" + text.length() + " chars)" : b.toString();
    }

    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
