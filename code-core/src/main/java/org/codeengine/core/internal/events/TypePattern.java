package org.codeengine.core.internal.events;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/** A type glob: {@code *} stands for any run of characters, everything else for itself. */
public final class TypePattern {
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._*-]{1,200}");

    private TypePattern() {}

    /**
     * {@return a test of event types against the pattern}
     *
     * @param field the name of the argument, for the error
     * @throws IllegalArgumentException naming {@code field} if the pattern holds other than letters, digits, '.', '_',
     *         '-' and '*', or is empty or longer than 200
     */
    public static Predicate<String> compile(String pattern, String field) {
        if (pattern == null || !ALLOWED.matcher(pattern).matches()) {
            throw new IllegalArgumentException(
                    field + " must be 1 to 200 letters, digits, '.', '_', '-' or '*' but was "
                            + (pattern == null ? "null" : "'" + pattern + "'"));
        }
        if (pattern.equals("*")) {
            return type -> true;
        }
        StringBuilder regex = new StringBuilder();
        String[] parts = pattern.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            regex.append(i == 0 ? "" : ".*").append(parts[i].isEmpty() ? "" : Pattern.quote(parts[i]));
        }
        Pattern compiled = Pattern.compile(regex.toString());
        return type -> compiled.matcher(type).matches();
    }
}
