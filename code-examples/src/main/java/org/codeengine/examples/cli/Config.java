package org.codeengine.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.security.ThreatRule;
import org.codeengine.core.ThreatRules;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The app's configuration file, {@code config.yaml} in the home folder ({@code ~/.code} unless {@code --home} or
 * {@code CODE_HOME} say otherwise). Every key is optional; flags and environment variables override it:
 *
 * <pre>{@code
 * store: jdbc:postgresql://127.0.0.1:5432/code   # or an H2 file path; by default <home>/code-db  (CODE_STORE)
 * storeUser: code                                 # (CODE_STORE_USER)
 * storePassword: env:CODE_DB_PASSWORD             # env:NAME, never the password itself  (CODE_STORE_PASSWORD)
 * storeSchema: code
 * experts: panel.yaml                             # a panel file (relative to the home folder), or a panel inline
 * eval: /path/to/shared/eval                      # recorded replies for the demo and replay experts  (CODE_EVAL)
 * benchmarks: /path/to/benchmarks.jar             # for `code bench`  (CODE_BENCHMARKS_JAR)
 * tools:                                          # tool plugins `code mcp serve` enables, each with its settings
 *   files: {roots: [".", /srv/data]}              #   relative paths against the home folder
 *   command: {executables: [git, ls], roots: ["."], timeoutSeconds: 30}
 * toolsUnconfirmed: [files_write]                 # destructive tools an MCP client may call without being asked
 * threats:                                        # threat rules that differ from the defaults (see ThreatRules)
 *   login-burst-account: {threshold: 5, window: 10m, severity: critical, responses: [lock-account], for: 1h}
 * }</pre>
 *
 * @param store the store's JDBC URL or H2 file, or null
 * @param storeUser the database user, or null
 * @param storePassword where the database password is read from ({@code env:NAME}), or null
 * @param storeSchema the schema for CODE's tables, or null
 * @param experts a panel file name or an inline panel, or null
 * @param eval the folder of recorded replies, or null
 * @param benchmarks the benchmarks jar, or null
 * @param tools each tool plugin's settings by the plugin's name; empty when none are configured
 * @param toolsUnconfirmed the destructive tools an MCP client may call without confirming
 * @param threats the threat rules that replace the defaults of their ids; empty when none are configured
 */
record Config(@Nullable String store, @Nullable String storeUser, @Nullable String storePassword,
        @Nullable String storeSchema, @Nullable JsonNode experts, @Nullable String eval, @Nullable String benchmarks,
        Map<String, JsonNode> tools, List<String> toolsUnconfirmed, List<ThreatRule> threats) {
    static final Config EMPTY = new Config(null, null, null, null, null, null, null, Map.of(), List.of(), List.of());
    private static final Set<String> KEYS = Set.of("store", "storeUser", "storePassword", "storeSchema", "experts",
            "eval", "benchmarks", "tools", "toolsUnconfirmed", "threats");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /**
     * @param file the configuration file
     * @return what it holds, or {@link #EMPTY} when it does not exist
     * @throws CliException if it cannot be read, is not YAML, or has an unknown or mistyped key
     */
    static Config read(Path file) {
        if (!Files.exists(file)) {
            return EMPTY;
        }
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw CliException.usage("cannot read " + file + ": " + e.getMessage(), "check the file's permissions");
        } catch (JacksonException e) {
            throw CliException.usage(file + " is not well-formed YAML: " + e.getOriginalMessage(),
                    "fix the file, or move it away to use the defaults");
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return EMPTY;
        }
        if (!root.isObject()) {
            throw CliException.usage(file + " must hold a mapping of settings", "see 'code --help' for the keys");
        }
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (!KEYS.contains(entry.getKey())) {
                unknown.add(entry.getKey());
            }
        }
        if (!unknown.isEmpty()) {
            throw CliException.usage(file + " has unknown key(s) " + unknown, "known keys: " + new TreeSet<>(KEYS));
        }
        String password = text(root, "storePassword", file);
        if (password != null && !password.startsWith("env:")) {
            throw CliException.usage(file + ": storePassword must name an environment variable as env:NAME",
                    "never write the password itself in the file");
        }
        JsonNode experts = root.get("experts");
        if (experts != null && !experts.isString() && !experts.isObject()) {
            throw CliException.usage(file + ": experts must be a panel file name or a panel mapping",
                    "see ExpertPanels' javadoc for the panel format");
        }
        return new Config(text(root, "store", file), text(root, "storeUser", file), password, text(root,
                "storeSchema", file), experts == null || experts.isNull() ? null : experts, text(root, "eval", file),
                text(root, "benchmarks", file), tools(root, file), unconfirmed(root, file), threats(root, file));
    }

    private static List<ThreatRule> threats(JsonNode root, Path file) {
        JsonNode threats = root.get("threats");
        if (threats == null || threats.isNull()) {
            return List.of();
        }
        try {
            return ThreatRules.parse(threats.toString(), file.toString());
        } catch (InvalidRequestException e) {
            throw CliException.usage(file + ": " + e.getMessage(), "see the README's threat rules for the defaults"
                    + " and the fields");
        }
    }

    private static Map<String, JsonNode> tools(JsonNode root, Path file) {
        JsonNode tools = root.get("tools");
        if (tools == null || tools.isNull()) {
            return Map.of();
        }
        if (!tools.isObject()) {
            throw CliException.usage(file + ": tools must map tool plugin names to their settings",
                    "e.g. tools: {files: {roots: [\".\"]}}");
        }
        Map<String, JsonNode> settings = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : tools.properties()) {
            JsonNode value = entry.getValue();
            if (value != null && !value.isNull() && !value.isObject()) {
                throw CliException.usage(file + ": tools." + entry.getKey() + " must be a mapping of settings",
                        "e.g. tools: {files: {roots: [\".\"]}}");
            }
            settings.put(entry.getKey(), value == null || value.isNull() ? YAML.createObjectNode() : value);
        }
        return Collections.unmodifiableMap(settings);
    }

    private static List<String> unconfirmed(JsonNode root, Path file) {
        JsonNode list = root.get("toolsUnconfirmed");
        if (list == null || list.isNull()) {
            return List.of();
        }
        CliException wrong = CliException.usage(file + ": toolsUnconfirmed must be a list of tool names",
                "e.g. toolsUnconfirmed: [files_write]");
        if (!list.isArray()) {
            throw wrong;
        }
        List<String> names = new ArrayList<>();
        for (JsonNode name : list) {
            if (!name.isString() || !name.asString().matches("[A-Za-z0-9_.-]{1,128}")) {
                throw wrong;
            }
            names.add(name.asString());
        }
        return List.copyOf(names);
    }

    private static @Nullable String text(JsonNode root, String key, Path file) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isValueNode()) {
            throw CliException.usage(file + ": " + key + " must be a single value", "write it on one line");
        }
        return node.asString();
    }
}
