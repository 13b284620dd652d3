package org.codeengine.core.internal.security.secrets;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Locale;

/**
 * What a rule (or the whole configuration) lets pass: values matching one of {@code regexes} (tested against the
 * secret, the whole match or the line, as {@code target} says), secrets holding one of {@code stopwords}, and files
 * whose path matches one of {@code paths}.
 *
 * @param regexes patterns of allowed values
 * @param target what {@code regexes} are tested against
 * @param stopwords lower-case words; a secret holding one is allowed
 * @param paths patterns of allowed file paths
 */
public record Allowlist(List<Pattern> regexes, Target target, List<String> stopwords, List<Pattern> paths) {
    /** What an allowlist's regexes are tested against. */
    public enum Target {
        /** the secret (the rule's secret group) */
        SECRET,
        /** the rule's whole match */
        MATCH,
        /** the line holding the match */
        LINE
    }

    /** Nothing allowed. */
    public static final Allowlist NONE = new Allowlist(List.of(), Target.SECRET, List.of(), List.of());

    /** Copies the lists and lower-cases the stopwords. */
    public Allowlist {
        regexes = List.copyOf(regexes);
        stopwords = stopwords.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        paths = List.copyOf(paths);
    }

    /** {@return whether a file at this path is allowed as a whole} */
    boolean allowsPath(String path) {
        for (Pattern p : paths) {
            if (p.matcher(path).find()) {
                return true;
            }
        }
        return false;
    }

    /** {@return whether this finding is allowed} */
    boolean allows(String secret, String match, String line) {
        String tested = switch (target) {
            case SECRET -> secret;
            case MATCH -> match;
            case LINE -> line;
        };
        for (Pattern p : regexes) {
            if (p.matcher(tested).find()) {
                return true;
            }
        }
        if (!stopwords.isEmpty()) {
            String lower = secret.toLowerCase(Locale.ROOT);
            for (String w : stopwords) {
                if (lower.contains(w)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@return whether one of {@code lists} allows a file at this path as a whole} */
    static boolean anyAllowsPath(List<Allowlist> lists, String path) {
        for (Allowlist a : lists) {
            if (a.allowsPath(path)) {
                return true;
            }
        }
        return false;
    }

    /** {@return whether one of {@code lists} allows this finding} */
    static boolean anyAllows(List<Allowlist> lists, String secret, String match, String line) {
        for (Allowlist a : lists) {
            if (a.allows(secret, match, line)) {
                return true;
            }
        }
        return false;
    }

    /** {@return whether one of {@code lists} tests its regexes against the line} */
    static boolean anyTargetsLine(List<Allowlist> lists) {
        return lists.stream().anyMatch(a -> a.target() == Target.LINE && !a.regexes().isEmpty());
    }
}
