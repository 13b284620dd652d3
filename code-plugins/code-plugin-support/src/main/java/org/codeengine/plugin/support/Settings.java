package org.codeengine.plugin.support;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.ConfigurationException;

/** Reads the provider settings every plugin shares from {@code ProviderConfig.settings()}. */
public final class Settings {
    /** The longest wait for the next piece of a stream; 60 s by default. */
    public static final String STREAM_IDLE_TIMEOUT = "stream-idle-timeout";
    /** Retries after the first try; 2 by default. */
    public static final String MAX_RETRIES = "max-retries";
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m)");

    private Settings() {}

    /**
     * {@return the duration}
     *
     * @param settings the provider's settings
     * @param name a setting holding a duration: {@code 500ms}, {@code 30s}, {@code 2m} or ISO-8601 ({@code PT30S})
     * @param otherwise the value when it is not set
     * @throws ConfigurationException naming the setting if it is not a positive duration
     */
    public static Duration duration(Map<String, String> settings, String name, Duration otherwise) {
        String text = settings.get(name);
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        Matcher m = SIMPLE.matcher(text.strip());
        try {
            Duration d = m.matches() ? switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(Long.parseLong(m.group(1)));
                case "s" -> Duration.ofSeconds(Long.parseLong(m.group(1)));
                default -> Duration.ofMinutes(Long.parseLong(m.group(1)));
            } : Duration.parse(text.strip());
            if (d.isPositive()) {
                return d;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new ConfigurationException("setting '" + name + "' must be a positive duration like 500ms, 30s or PT30S"
                + " but was '" + text + "'", null);
    }

    /**
     * {@return the number}
     *
     * @param settings the provider's settings
     * @param name a setting holding a whole number of at least 0
     * @param otherwise the value when it is not set
     * @throws ConfigurationException naming the setting if it is not a whole number of at least 0
     */
    public static int count(Map<String, String> settings, String name, int otherwise) {
        String text = settings.get(name);
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigurationException("setting '" + name + "' must be a whole number of at least 0 but was '" + text
                + "'", null);
    }

    /**
     * {@return the flag}
     *
     * @param settings the provider's settings
     * @param name a setting holding {@code true} or {@code false}
     * @param otherwise the value when it is not set
     * @throws ConfigurationException naming the setting if it is neither {@code true} nor {@code false}
     */
    public static boolean flag(Map<String, String> settings, String name, boolean otherwise) {
        String text = settings.get(name);
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigurationException("setting '" + name + "' must be true or false but was '" + text
                    + "'", null);
        };
    }

    /**
     * Checks that a plugin's settings hold only settings it reads.
     *
     * @param settings a plugin's settings
     * @param known the settings the plugin reads
     * @param plugin the plugin, for the message, such as {@code redis bus}
     * @throws ConfigurationException naming the first setting that is not known, and listing the known ones
     */
    public static void onlyKnown(Map<String, String> settings, java.util.Set<String> known, String plugin) {
        for (String key : new java.util.TreeSet<>(settings.keySet())) {
            if (!known.contains(key)) {
                throw new ConfigurationException(plugin + " setting '" + key + "' is unknown; known: "
                        + new java.util.TreeSet<>(known), null);
            }
        }
    }

    /**
     * {@return the number}
     *
     * @param settings a plugin's settings
     * @param name a setting holding a whole number of at least 1
     * @param otherwise the value when it is not set
     * @throws ConfigurationException naming the setting if it is not a whole number of at least 1
     */
    public static int positive(Map<String, String> settings, String name, int otherwise) {
        int n = count(settings, name, otherwise);
        if (n < 1) {
            throw new ConfigurationException("setting '" + name + "' must be a whole number of at least 1 but was '"
                    + settings.get(name) + "'", null);
        }
        return n;
    }
}
