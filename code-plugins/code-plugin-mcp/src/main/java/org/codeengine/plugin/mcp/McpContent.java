package org.codeengine.plugin.mcp;

import java.util.Base64;
import org.codeengine.plugin.mcp.internal.Json;
import tools.jackson.databind.node.ObjectNode;

/** Builds MCP content blocks and resource contents, the JSON shapes tools, resources and prompts return. */
public final class McpContent {
    private McpContent() {}

    /** {@return {@code {"type":"text","text":text}}} */
    public static ObjectNode text(String text) {
        return Json.object().put("type", "text").put("text", text);
    }

    /** {@return {@code {"type":"image","data":base64,"mimeType":mimeType}}} */
    public static ObjectNode image(byte[] data, String mimeType) {
        return Json.object().put("type", "image").put("data", Base64.getEncoder().encodeToString(data)).put(
                "mimeType", mimeType);
    }

    /** {@return {@code {"type":"audio","data":base64,"mimeType":mimeType}}} */
    public static ObjectNode audio(byte[] data, String mimeType) {
        return Json.object().put("type", "audio").put("data", Base64.getEncoder().encodeToString(data)).put(
                "mimeType", mimeType);
    }

    /** {@return an embedded resource block: {@code {"type":"resource","resource":contents}}} */
    public static ObjectNode embedded(ObjectNode contents) {
        ObjectNode block = Json.object().put("type", "resource");
        block.set("resource", contents);
        return block;
    }

    /** {@return text resource contents: {@code {"uri","mimeType","text"}}} */
    public static ObjectNode textResource(String uri, String mimeType, String text) {
        return Json.object().put("uri", uri).put("mimeType", mimeType).put("text", text);
    }

    /** {@return binary resource contents: {@code {"uri","mimeType","blob":base64}}} */
    public static ObjectNode blobResource(String uri, String mimeType, byte[] data) {
        return Json.object().put("uri", uri).put("mimeType", mimeType).put("blob", Base64.getEncoder()
                .encodeToString(data));
    }

    /** {@return a prompt message: {@code {"role":role,"content":content}}} */
    public static ObjectNode message(String role, ObjectNode content) {
        ObjectNode message = Json.object().put("role", role);
        message.set("content", content);
        return message;
    }
}
