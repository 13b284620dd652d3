package org.codeengine.core.internal.security.secrets;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One secret rule.
 *
 * @param id the rule's id, such as {@code github-pat}
 * @param regex an RE2 pattern of the secret in its context
 * @param secretGroup the group that is the secret; 0 for the first group that matched, or the whole match without
 *     groups
 * @param entropy the least Shannon entropy of the secret, in bits per character; 0 for none
 * @param keywords lower-case words of which one must be near the match before the regex runs; empty to run it on
 *     every text
 * @param path a pattern the file path must match for the rule to apply, or null for every file
 * @param allowlists what the rule lets pass
 * @param placeholders whether the built-in placeholder checks apply (CODE's own rules)
 * @param multiline whether a match may span lines (then the regex reads past the keyword's line)
 * @param check a test the secret must pass beyond its shape
 */
public record Rule(String id, Pattern regex, int secretGroup, double entropy, List<String> keywords,
        @Nullable Pattern path, List<Allowlist> allowlists, boolean placeholders, boolean multiline, Check check) {
    /** @throws IllegalArgumentException if a field breaks its rule, naming the rule */
    public Rule {
        if (id.isBlank()) {
            throw new IllegalArgumentException("rule id: must not be blank");
        }
        if (secretGroup < 0 || secretGroup > regex.groupCount()) {
            throw new IllegalArgumentException("rule " + id + ": secretGroup " + secretGroup + " is not a group of "
                    + "its regex, which has " + regex.groupCount());
        }
        if (entropy < 0 || entropy > 8) {
            throw new IllegalArgumentException("rule " + id + ": entropy must be between 0 and 8 bits, got "
                    + entropy);
        }
        allowlists = List.copyOf(allowlists);
        keywords = keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).distinct().toList();
        for (String k : keywords) {
            if (k.isEmpty() || !k.chars().allMatch(c -> c < 128)) {
                throw new IllegalArgumentException("rule " + id + ": keywords must be non-empty ASCII, got '" + k
                        + "'");
            }
        }
    }

    /** {@return whether the rule applies to a file at this path (true for text without a path)} */
    boolean appliesTo(String file) {
        return (path == null || path.matcher(file).find()) && !Allowlist.anyAllowsPath(allowlists, file);
    }
}
