package org.codeengine.plugin.support;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.ToolSpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON in and out of provider calls; a body that is not JSON is a retriable "malformed reply". */
public final class JsonBodies {
    /** The mapper all plugins share. */
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonBodies() {}

    /**
     * {@return the JSON}
     *
     * @param body a reply body; closed
     * @param provider the provider's name, for messages
     * @throws UnavailableException if the body is not well-formed JSON or cannot be read
     */
    public static JsonNode read(InputStream body, String provider) {
        try (body) {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            throw malformed(provider, e);
        } catch (IOException e) {
            throw new UnavailableException("reading the reply of " + provider + " failed: " + e.getClass()
                    .getSimpleName(), null, e);
        }
    }

    /**
     * {@return the JSON}
     *
     * @param body a whole reply body
     * @param provider the provider's name, for messages
     * @throws UnavailableException if the body is not well-formed JSON
     */
    public static JsonNode read(byte[] body, String provider) {
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            throw malformed(provider, e);
        }
    }

    /**
     * {@return the JSON}
     *
     * @param text one JSON value (an SSE event's data, an NDJSON line)
     * @param provider the provider's name, for messages
     * @throws UnavailableException if it is not well-formed JSON
     */
    public static JsonNode parse(String text, String provider) {
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw malformed(provider, e);
        }
    }

    /** {@return a new, empty JSON object} */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /**
     * Adds the tools as OpenAI's Chat Completions writes them, which Ollama and other compatible APIs read too:
     * {@code "tools": [{"type": "function", "function": {"name", "description", "parameters"}}]}; nothing when there
     * are none.
     *
     * @param body the request body
     * @param tools the functions the model may call
     */
    public static void functionTools(ObjectNode body, List<ToolSpec> tools) {
        if (!tools.isEmpty()) {
            ArrayNode array = body.putArray("tools");
            for (ToolSpec t : tools) {
                ObjectNode fn = array.addObject().put("type", "function").putObject("function");
                fn.put("name", t.name());
                fn.put("description", t.description());
                fn.set("parameters", t.parameters());
            }
        }
    }

    /**
     * {@return the message, or null when the body is not JSON or has none}
     *
     * @param body an error body
     * @param path the field path of the message, such as {@code error.message}
     */
    public static @org.jspecify.annotations.Nullable String message(String body, String path) {
        try {
            JsonNode node = JSON.readTree(body);
            for (String step : path.split("\\.")) {
                node = node == null ? null : node.get(step);
            }
            return node == null || !node.isString() ? null : node.asString();
        } catch (JacksonException e) {
            return null;
        }
    }

    private static UnavailableException malformed(String provider, JacksonException e) {
        return new UnavailableException("malformed reply from " + provider + ": " + e.getOriginalMessage(), null, e);
    }
}
