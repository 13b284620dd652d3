package org.codeengine.api.internal;

import java.time.Duration;

/** Validation used by the API's record constructors; each failure names the field and the rule it broke. */
public final class Checks {
    private static final String NAME = "[a-z0-9][a-z0-9._-]{0,62}";

    private Checks() {}

    /**
     * Checks that a value is present.
     *
     * @param <T> the value's type
     * @param value the value
     * @param field the name the message gives the value
     * @return the value
     * @throws NullPointerException naming the field if the value is null
     */
    public static <T> T notNull(T value, String field) {
        if (value == null) {
            throw new NullPointerException(field + " must not be null"); // no message supplier: a lambda per call
        }
        return value;
    }

    /**
     * Checks that a text is present and not blank.
     *
     * @param value the value
     * @param field the name the message gives the value
     * @return the value
     * @throws NullPointerException naming the field if the value is null
     * @throws IllegalArgumentException naming the field if the text is blank
     */
    public static String notBlank(String value, String field) {
        notNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    /**
     * Checks a name of a plugin, service, expert or step: lower case letters, digits, '.', '_' or '-', 1 to 63 long.
     *
     * @param value the value
     * @param field the name the message gives the value
     * @return the value
     * @throws NullPointerException naming the field if the value is null
     * @throws IllegalArgumentException naming the field if the value is not such a name
     */
    public static String name(String value, String field) {
        notNull(value, field);
        if (!isName(value)) {
            throw new IllegalArgumentException(field + " must match " + NAME + " but was '" + value + "'");
        }
        return value;
    }

    /** The check of the pattern {@link #NAME} by hand: names are checked on hot paths, such as every step record. */
    private static boolean isName(String value) {
        int length = value.length();
        if (length == 0 || length > 63) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '.' || c == '_'
                    || c == '-'));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks that a duration is positive.
     *
     * @param value the value
     * @param field the name the message gives the value
     * @return the value
     * @throws NullPointerException naming the field if the value is null
     * @throws IllegalArgumentException naming the field if the duration is zero or negative
     */
    public static Duration positive(Duration value, String field) {
        notNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive but was " + value);
        }
        return value;
    }

    /**
     * Checks that a duration is not negative.
     *
     * @param value the value
     * @param field the name the message gives the value
     * @return the value
     * @throws NullPointerException naming the field if the value is null
     * @throws IllegalArgumentException naming the field if the duration is negative
     */
    public static Duration notNegative(Duration value, String field) {
        notNull(value, field);
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative but was " + value);
        }
        return value;
    }

    /**
     * Checks that a number is not negative.
     *
     * @param value the value
     * @param field the name the message gives the value
     * @return the value
     * @throws IllegalArgumentException naming the field if the number is negative
     */
    public static long notNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative but was " + value);
        }
        return value;
    }

    /**
     * Checks that a number is at least {@code min}.
     *
     * @param value the value
     * @param min the least value allowed
     * @param field the name the message gives the value
     * @return the value
     * @throws IllegalArgumentException naming the field if the number is below {@code min}
     */
    public static long atLeast(long value, long min, String field) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be at least " + min + " but was " + value);
        }
        return value;
    }

    /**
     * Checks that a number is at least {@code min}.
     *
     * @param value the value
     * @param min the least value allowed
     * @param field the name the message gives the value
     * @return the value
     * @throws IllegalArgumentException naming the field if the number is below {@code min}
     */
    public static int atLeast(int value, int min, String field) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be at least " + min + " but was " + value);
        }
        return value;
    }

    /**
     * Checks that a number lies between {@code min} and {@code max}, both included.
     *
     * @param value the value
     * @param min the least value allowed
     * @param max the greatest value allowed
     * @param field the name the message gives the value
     * @return the value
     * @throws IllegalArgumentException naming the field if the number is outside the range or not a number
     */
    public static double between(double value, double min, double max, String field) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + " but was " + value);
        }
        return value;
    }
}
