package org.codeengine.api.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/** Validation used by the API's record constructors; each failure names the field and the rule it broke. */
public final class Checks {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private Checks() {}

    public static <T> T notNull(T value, String field) {
        return Objects.requireNonNull(value, () -> field + " must not be null");
    }

    public static String notBlank(String value, String field) {
        notNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    /** A name of a plugin, service, expert or step: lower case letters, digits, '.', '_' or '-', 1 to 63 long. */
    public static String name(String value, String field) {
        notNull(value, field);
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must match " + NAME.pattern() + " but was '" + value + "'");
        }
        return value;
    }

    public static Duration positive(Duration value, String field) {
        notNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive but was " + value);
        }
        return value;
    }

    public static Duration notNegative(Duration value, String field) {
        notNull(value, field);
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative but was " + value);
        }
        return value;
    }

    public static long notNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative but was " + value);
        }
        return value;
    }

    public static long atLeast(long value, long min, String field) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be at least " + min + " but was " + value);
        }
        return value;
    }

    public static int atLeast(int value, int min, String field) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be at least " + min + " but was " + value);
        }
        return value;
    }

    public static double between(double value, double min, double max, String field) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + " but was " + value);
        }
        return value;
    }
}
