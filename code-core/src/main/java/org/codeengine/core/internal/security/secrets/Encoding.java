package org.codeengine.core.internal.security.secrets;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * How a file is read, decided from its first bytes: a byte order mark names UTF-8 or UTF-16; NUL bytes without one
 * mean binary, read as Latin-1 (every byte a character, so the ASCII of a key still shows); anything else is tried as
 * UTF-8.
 *
 * @param charset the charset to read with
 * @param skip the bytes of byte order mark to skip
 * @param binary whether the file looked binary
 * @param why the reason, for a notice, when the charset is not UTF-8
 */
record Encoding(Charset charset, int skip, boolean binary, String why) {
    static Encoding sniff(byte[] head, int n) {
        if (n >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) {
            return new Encoding(StandardCharsets.UTF_8, 3, false, "");
        }
        if (n >= 2 && (head[0] & 0xff) == 0xFE && (head[1] & 0xff) == 0xFF) {
            return new Encoding(StandardCharsets.UTF_16BE, 2, false, "UTF-16 big-endian (byte order mark): decoded");
        }
        if (n >= 2 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xFE) {
            return new Encoding(StandardCharsets.UTF_16LE, 2, false,
                    "UTF-16 little-endian (byte order mark): decoded");
        }
        for (int i = 0; i < n; i++) {
            if (head[i] == 0) {
                return new Encoding(StandardCharsets.ISO_8859_1, 0, true, "binary (NUL bytes): read as Latin-1");
            }
        }
        return new Encoding(StandardCharsets.UTF_8, 0, false, "");
    }
}
