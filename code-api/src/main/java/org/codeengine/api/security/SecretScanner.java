package org.codeengine.api.security;

import java.util.List;

/**
 * Finds secrets (provider API keys, cloud keys, tokens, private keys) in text with linear-time regular expressions,
 * so hostile input cannot make it backtrack. Thread-safe.
 */
public interface SecretScanner {
    /**
     * @param text the text to scan
     * @param source where it came from, for the findings; may be empty
     * @return what was found, in order of position
     */
    List<SecretFinding> scan(String text, String source);

    /**
     * @param text text that may hold secrets
     * @return the text with each secret replaced by {@code [REDACTED:<rule id>]}
     */
    String redact(String text);
}
