package org.codeengine.plugin.mcp;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.codeengine.plugin.mcp.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP headers a request carries on the stateless revision besides its body (SEP-2243): {@code Mcp-Method}, and
 * {@code Mcp-Name} for the methods that name a tool, prompt, resource or task; and for a tool call, an
 * {@code Mcp-Param-<Name>} header for each argument whose property the tool's input schema marks with
 * {@code x-mcp-header}. Thread-safe.
 */
final class RequestHeaders {
    /** An HTTP token (RFC 9110 §5.6.2): what a header name may hold. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> PRIMITIVE = Set.of("string", "integer", "boolean");
    /** Per tool: the argument (property) each {@code x-mcp-header} mirrors, and its header's name. */
    private final Map<String, Map<String, String>> tools = new ConcurrentHashMap<>();

    /**
     * Reads a listed tool's {@code x-mcp-header} annotations and keeps them for its calls.
     *
     * @return whether the tool may be used: false when an annotation is invalid (empty, no HTTP token, on a property
     *         that is no string, integer or boolean, or naming the same header twice in any case), and such a tool
     *         must not be called
     */
    boolean learn(JsonNode tool) {
        String name = Json.text(tool, "name");
        if (name == null) {
            return false;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, JsonNode> property : tool.path("inputSchema").path("properties").properties()) {
            JsonNode header = property.getValue().get("x-mcp-header");
            if (header == null) {
                continue;
            }
            String value = header.isString() ? header.stringValue() : "";
            if (!TOKEN.matcher(value).matches() || !PRIMITIVE.contains(property.getValue().path("type").asString(""))
                    || !seen.add(value.toLowerCase(Locale.ROOT))) {
                tools.remove(name);
                return false;
            }
            headers.put(property.getKey(), value);
        }
        tools.put(name, Map.copyOf(headers));
        return true;
    }

    /** {@return the headers for a message: none for a response, the standard ones and a tool call's own} */
    Map<String, String> of(ObjectNode message) {
        String method = Json.text(message, "method");
        if (method == null) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Mcp-Method", method);
        JsonNode params = message.path("params");
        String named = switch (method) {
            case "tools/call", "prompts/get" -> Json.text(params, "name");
            case "resources/read" -> Json.text(params, "uri");
            case "tasks/get", "tasks/update", "tasks/cancel" -> Json.text(params, "taskId");
            default -> null;
        };
        if (named != null) {
            headers.put("Mcp-Name", value(named));
        }
        if ("tools/call".equals(method) && named != null) {
            JsonNode arguments = params.path("arguments");
            tools.getOrDefault(named, Map.of()).forEach((property, header) -> {
                JsonNode argument = arguments.get(property);
                if (argument != null && !argument.isNull() && argument.isValueNode()) {
                    headers.put("Mcp-Param-" + header, value(argument.isString()
                            ? argument.stringValue()
                            : argument.asString()));
                }
            });
        }
        return headers;
    }

    /**
     * {@return the value as a header carries it: as it is when it is printable ASCII without leading or trailing
     *         space, else {@code =?base64?...?=} around its UTF-8 in Base64}
     */
    static String value(String text) {
        boolean plain = text.equals(text.strip());
        for (int i = 0; plain && i < text.length(); i++) {
            char c = text.charAt(i);
            plain = c >= 0x20 && c <= 0x7e;
        }
        return plain
                ? text
                : "=?base64?" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))
                        + "?=";
    }

}
