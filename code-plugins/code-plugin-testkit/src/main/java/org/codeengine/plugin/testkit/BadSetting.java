package org.codeengine.plugin.testkit;

import java.util.Map;

/**
 * Settings a plugin must refuse, and the one setting its error must name.
 *
 * @param settings the whole settings, one of them wrong
 * @param setting the name of the wrong one; the error message holds it in quotes ({@code 'port'})
 */
public record BadSetting(Map<String, String> settings, String setting) {
    /**
     * Copies the settings and checks the setting's name.
     *
     * @throws IllegalArgumentException if {@code setting} is blank
     */
    public BadSetting {
        settings = Map.copyOf(settings);
        if (setting.isBlank()) {
            throw new IllegalArgumentException("setting must not be blank");
        }
    }

    /**
     * {@return the bad settings}
     *
     * @param setting the name of the wrong setting
     * @param pairs the settings as name, value, name, value ...
     * @throws IllegalArgumentException if {@code pairs} has an odd length
     */
    public static BadSetting of(String setting, String... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("pairs must hold names and values in turn, but has odd length "
                    + pairs.length);
        }
        Map<String, String> settings = new java.util.HashMap<>();
        for (int k = 0; k < pairs.length; k += 2) {
            settings.put(pairs[k], pairs[k + 1]);
        }
        return new BadSetting(settings, setting);
    }
}
