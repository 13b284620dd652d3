package org.codeengine.plugin.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.spi.ToolSettings;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Reads a tool provider's settings (its section of the host's configuration, such as {@code tools.files}), each error
 * a {@link ConfigurationException} naming the setting as {@code tools.<provider>.<name>} and its rule.
 */
public final class ToolSettingsReader {
    private final String section;
    private final JsonNode settings;
    private final Path home;

    /**
     * Reads a provider's settings from the section {@code tools.<provider>}.
     *
     * @param provider the provider's name
     * @param settings the host's settings for it
     * @param known every setting the provider reads
     * @throws ConfigurationException naming the first setting it does not know
     */
    public ToolSettingsReader(String provider, ToolSettings settings, Set<String> known) {
        this.section = "tools." + provider;
        this.settings = settings.settings();
        this.home = settings.home();
        for (Map.Entry<String, JsonNode> e : this.settings.properties()) {
            if (!known.contains(e.getKey())) {
                throw new ConfigurationException(section + " has an unknown setting '" + e.getKey() + "'; known: "
                        + known.stream().sorted().toList(), null);
            }
        }
    }

    /**
     * {@return the number}
     *
     * @param name a setting holding a whole number of at least 1
     * @param otherwise the value when it is not set
     * @throws ConfigurationException naming the setting if it is not a whole number of at least 1
     */
    public int positive(String name, int otherwise) {
        JsonNode node = settings.get(name);
        if (node == null) {
            return otherwise;
        }
        if (!node.canConvertToInt() || node.asInt() < 1) {
            throw new ConfigurationException(section + "." + name + " must be a whole number of at least 1", null);
        }
        return node.asInt();
    }

    /**
     * {@return the flag}
     *
     * @param name a setting holding {@code true} or {@code false}
     * @param otherwise the value when it is not set
     * @throws ConfigurationException naming the setting if it is not a boolean
     */
    public boolean flag(String name, boolean otherwise) {
        JsonNode node = settings.get(name);
        if (node == null) {
            return otherwise;
        }
        if (!node.isBoolean()) {
            throw new ConfigurationException(section + "." + name + " must be true or false", null);
        }
        return node.asBoolean();
    }

    /**
     * {@return the strings}
     *
     * @param name a setting holding a list of non-blank strings
     * @param otherwise the value when it is not set, or null when the setting is required
     * @throws ConfigurationException naming the setting if it is required and missing, or not a list of strings
     */
    public List<String> strings(String name, @Nullable List<String> otherwise) {
        JsonNode node = settings.get(name);
        if (node == null || node.isNull()) {
            if (otherwise == null) {
                throw new ConfigurationException(section + "." + name + " is required", null);
            }
            return otherwise;
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : node.isArray() ? node : List.<JsonNode>of()) {
            if (item.isString() && !item.asString().isBlank()) {
                values.add(item.asString());
            }
        }
        if (!node.isArray() || values.size() != node.size()) {
            throw new ConfigurationException(section + "." + name + " must be a list of strings", null);
        }
        return values;
    }

    /**
     * {@return each folder's real path, resolved once, now}
     *
     * @param name a setting holding a non-empty list of folders, relative ones against the host's home
     * @param otherwise the value when it is not set, or null when the setting is required
     * @throws ConfigurationException naming the setting if it is missing or empty, or a folder does not exist
     */
    public List<Path> folders(String name, @Nullable List<String> otherwise) {
        List<Path> folders = new ArrayList<>();
        for (String folder : strings(name, otherwise)) {
            Path path = home.resolve(folder);
            try {
                folders.add(path.toRealPath());
            } catch (IOException e) {
                throw new ConfigurationException(section + "." + name + ": " + path + " does not exist", e);
            }
            if (!Files.isDirectory(folders.getLast())) {
                throw new ConfigurationException(section + "." + name + ": " + path + " is not a folder", null);
            }
        }
        if (folders.isEmpty()) {
            throw new ConfigurationException(section + "." + name + " must list at least one folder", null);
        }
        return List.copyOf(folders);
    }
}
