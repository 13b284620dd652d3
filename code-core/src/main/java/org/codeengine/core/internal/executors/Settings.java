package org.codeengine.core.internal.executors;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.InvalidRequestException;
import org.jspecify.annotations.Nullable;

/** Reading executor and probe settings: known keys only, each value checked with a message naming the key. */
final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Settings() {}

    /** @throws InvalidRequestException if a key is neither in {@code known} nor starts with one of {@code prefixes} */
    static void onlyKnown(Map<String, String> settings, Set<String> known, Set<String> prefixes) {
        for (String key : settings.keySet()) {
            if (!known.contains(key) && prefixes.stream().noneMatch(key::startsWith)) {
                TreeSet<String> all = new TreeSet<>(known);
                prefixes.forEach(p -> all.add(p + "*"));
                throw new InvalidRequestException("unknown setting '" + key + "'; the settings are " + all, null);
            }
        }
    }

    static String required(Map<String, String> settings, String key) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException("setting '" + key + "' is required", null);
        }
        return value;
    }

    /** A duration as {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or ISO-8601. */
    static Duration duration(Map<String, String> settings, String key, Duration otherwise) {
        String text = settings.get(key);
        if (text == null) {
            return otherwise;
        }
        Matcher m = DURATION.matcher(text.strip());
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            return Duration.parse(text.strip());
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new InvalidRequestException("setting '" + key + "' must be a duration like 500ms, 10s or PT10S but"
                    + " was '" + text + "'", null);
        }
    }

    static int integer(Map<String, String> settings, String key, int min, int max, @Nullable Integer otherwise) {
        String text = settings.get(key);
        if (text == null) {
            if (otherwise == null) {
                throw new InvalidRequestException("setting '" + key + "' is required", null);
            }
            return otherwise;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new InvalidRequestException("setting '" + key + "' must be a whole number from " + min + " to " + max
                + " but was '" + text + "'", null);
    }
}
