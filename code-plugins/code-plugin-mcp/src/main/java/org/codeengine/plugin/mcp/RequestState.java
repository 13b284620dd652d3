package org.codeengine.plugin.mcp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.codeengine.plugin.mcp.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code requestState} of a multi-round request on the stateless wire (2026-07-28, SEP-2322): what the server
 * learned in earlier rounds travels with the client, as base64url JSON sealed with an HMAC-SHA256 under a key that
 * never leaves the server, so that a client can neither forge nor alter it. The key is random per server: a state
 * outlives neither a restart nor another replica.
 */
final class RequestState {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    RequestState() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** {@return the state as the client carries it} */
    String seal(ObjectNode state) {
        String body = ENCODER.encodeToString(Json.bytes(state));
        return body + "." + ENCODER.encodeToString(mac(body));
    }

    /**
     * {@return the state the server sealed}
     *
     * @throws McpException with {@link McpException#INVALID_PARAMS} if the server did not seal it or it was altered
     */
    ObjectNode open(String sealed) {
        int dot = sealed.indexOf('.');
        if (dot > 0) {
            String body = sealed.substring(0, dot);
            try {
                byte[] tag = DECODER.decode(sealed.substring(dot + 1));
                if (MessageDigest.isEqual(tag, mac(body))) {
                    JsonNode state = Json.parse(new String(DECODER.decode(body), StandardCharsets.UTF_8));
                    if (state.isObject()) {
                        return (ObjectNode) state;
                    }
                }
            } catch (IllegalArgumentException e) {
                // not base64: falls through to the error
            }
        }
        throw new McpException(McpException.INVALID_PARAMS, "params.requestState failed its integrity check: it "
                + "must be the requestState this server sent, unchanged", null);
    }

    private byte[] mac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
