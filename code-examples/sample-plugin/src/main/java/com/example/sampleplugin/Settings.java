package com.example.sampleplugin;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.codeengine.api.InvalidRequestException;

/** Checks the plugins of this module share. */
final class Settings {
    private Settings() {}

    /** @throws InvalidRequestException naming the first setting that is not one of {@code known} */
    static void onlyKnown(Map<String, String> settings, Set<String> known) {
        for (String key : settings.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidRequestException("unknown setting '" + key + "'; the settings are " + String.join(
                        ", ", new TreeSet<>(known)), null);
            }
        }
    }
}
