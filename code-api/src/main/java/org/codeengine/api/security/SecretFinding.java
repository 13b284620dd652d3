package org.codeengine.api.security;

import org.codeengine.api.internal.Checks;

/**
 * A secret the scanner found. It never holds the secret itself.
 *
 * @param ruleId the rule that matched, such as {@code openai-api-key}
 * @param source where the text came from (a file name), or empty
 * @param line the line of the match, from 1
 * @param column the column of the match, from 1, in characters
 * @param redacted the first four characters of the secret, then its length: {@code sk-p…(164 chars)}
 */
public record SecretFinding(String ruleId, String source, int line, int column, String redacted) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public SecretFinding {
        Checks.notBlank(ruleId, "ruleId");
        Checks.notNull(source, "source");
        Checks.atLeast(line, 1, "line");
        Checks.atLeast(column, 1, "column");
        Checks.notBlank(redacted, "redacted");
    }

    @Override
    public String toString() {
        return (source.isEmpty() ? "" : source + ":") + line + ":" + column + " " + ruleId + " " + redacted;
    }
}
