package org.codeengine.plugin.tools.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.support.CatalogueTools;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.ToolKit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code redis} tool provider: {@code redis_get}, {@code redis_scan} and {@code redis_set}, confined to one key
 * prefix (the caller names keys after it and cannot leave it), every write with a TTL no longer than the cap.
 *
 * <p>Settings ({@code tools.redis}): {@code key-prefix} (required, such as {@code agent:}), {@code host}
 * (127.0.0.1), {@code port} (6379), {@code username}, {@code password} (a secret reference), {@code database} (0),
 * {@code max-ttl-seconds} (86400), {@code max-value-bytes} (1 MiB), {@code timeout-ms} (5000).
 */
public final class RedisToolProvider extends CatalogueTools {
    static final String WHERE = "tools.redis";

    /** The configuration, or null before the host configured the provider. */
    private record Config(String host, int port, @Nullable String username, @Nullable SecretRef password,
            int database, String prefix, long maxTtl, int maxValue, int timeoutMillis,
            ToolSettings.SecretResolver secrets) {}

    private final @Nullable Config config;

    /** The provider as ServiceLoader makes it: unavailable until configured. */
    public RedisToolProvider() {
        this(null);
    }

    private RedisToolProvider(@Nullable Config config) {
        super("redis");
        this.config = config;
    }

    @Override
    public ToolProvider configured(ToolSettings settings) {
        JsonNode s = settings.settings();
        String prefix = ToolKit.settingText(s, WHERE, "key-prefix");
        if (prefix == null) {
            throw new ConfigurationException("setting " + WHERE + ".key-prefix is required: the tools read and write"
                    + " only keys that start with it (such as 'agent:')", null);
        }
        String host = ToolKit.settingText(s, WHERE, "host");
        return new RedisToolProvider(new Config(host == null ? "127.0.0.1" : host, (int) ToolKit.setting(s, WHERE,
                "port", 6379, 1, 65535), ToolKit.settingText(s, WHERE, "username"), PgTools.secretRef(s, WHERE,
                        "password"),
                (int) ToolKit.setting(s, WHERE, "database", 0, 0, 1024), prefix, ToolKit
                        .setting(s, WHERE, "max-ttl-seconds", 86_400, 1, 31_536_000),
                (int) ToolKit.setting(
                        s, WHERE, "max-value-bytes", 1 << 20, 1, 64 << 20),
                (int) ToolKit.setting(s,
                        WHERE, "timeout-ms", 5000, 100, 120_000),
                settings.secrets()));
    }

    @Override
    public Optional<String> unavailable() {
        if (config == null) {
            return Optional.of("no connection configured: set tools.redis.key-prefix (and host, port)");
        }
        try (Resp redis = connect(config)) {
            redis.call("PING");
            return Optional.empty();
        } catch (IOException | Resp.RedisError e) {
            return Optional.of("Redis at " + config.host() + ":" + config.port() + " is not reachable: " + e
                    .getMessage());
        }
    }

    @Override
    public List<ToolDescriptor> tools() {
        String keyNote = "The key after the configured prefix";
        ObjectNode get = ToolKit.schema().string("key", keyNote, true).build();
        ObjectNode scan = ToolKit.schema().string("pattern", "A glob over keys after the prefix (default *)", false)
                .integer("max_keys", "Keys to return at most (default 100)", 1, 1000).build();
        long maxTtl = config == null ? 86_400 : config.maxTtl();
        ObjectNode set = ToolKit.schema().string("key", keyNote, true).string("value", "The string to store", true)
                .integer("ttl_seconds", "Seconds until it expires (default and cap: the setting max-ttl-seconds)", 1,
                        maxTtl)
                .build();
        ObjectNode getOut = ToolKit.schema().string("key", "The key after the prefix", true).flag("exists",
                "Whether it exists").flag("truncated", "Whether the value passed the size cap").integer(
                        "ttl_seconds", "Seconds left, -1 when it never expires", -2, Long.MAX_VALUE)
                .build();
        getOut.withObject("properties").putObject("value").putArray("type").add("string").add("null");
        ObjectNode scanOut = ToolKit.schema().flag("truncated", "Whether more keys match").build();
        scanOut.withObject("properties").putObject("keys").put("type", "array").putObject("items").put("type",
                "string");
        ObjectNode setOut = ToolKit.schema().string("key", "The key after the prefix", true).integer("ttl_seconds",
                "Seconds until it expires", 1, maxTtl).build();
        return List.of(new ToolDescriptor("redis_get", "Reads a string key (under the configured prefix) from Redis.",
                get, getOut, ToolAnnotations.readOnly(false)),
                new ToolDescriptor("redis_scan",
                        "Lists keys under the configured prefix that match a glob.", scan, scanOut, ToolAnnotations
                                .readOnly(false)),
                new ToolDescriptor("redis_set",
                        "Stores a string under a key (under the configured prefix) with a TTL,"
                                + " overwriting what was there.",
                        set, setOut, ToolAnnotations
                                .destructive(true, false)));
    }

    @Override
    protected boolean configuredYet() {
        return config != null;
    }

    @Override
    protected ToolResult run(String tool, JsonNode args, ToolContext context) {
        Config config = java.util.Objects.requireNonNull(this.config);
        try (Resp redis = connect(config)) {
            return ToolKit.success(switch (tool) {
                case "redis_get" -> get(redis, config, args);
                case "redis_scan" -> scan(redis, config, args);
                default -> set(redis, config, args);
            });
        } catch (Resp.RedisError e) {
            return ToolKit.failure(tool + " failed in Redis: " + e.getMessage());
        } catch (IOException e) {
            return ToolKit.failure("Redis at " + config.host() + ":" + config.port() + " is not reachable: " + e
                    .getMessage());
        }
    }

    private static ObjectNode get(Resp redis, Config config, JsonNode args) throws IOException {
        String key = key(args);
        String full = config.prefix() + key;
        String type = String.valueOf(redis.call("TYPE", full));
        ObjectNode out = JsonBodies.object().put("key", key);
        if (type.equals("none")) {
            return out.put("exists", false).putNull("value").put("truncated", false);
        }
        if (!type.equals("string")) {
            throw ToolKit.fail("argument 'key' names a Redis " + type + ", and redis_get reads only strings");
        }
        long length = (Long) redis.call("STRLEN", full);
        boolean truncated = length > config.maxValue();
        Object value = truncated
                ? redis.call("GETRANGE", full, "0", String.valueOf(config.maxValue() - 1))
                : redis.call("GET", full);
        return out.put("exists", value != null).put("value", (String) value).put("truncated", truncated).put(
                "ttl_seconds", (Long) redis.call("TTL", full));
    }

    private static ObjectNode scan(Resp redis, Config config, JsonNode args) throws IOException {
        String pattern = ToolKit.optionalText(args, "pattern");
        int max = (int) ToolKit.number(args, "max_keys", 100, 1, 1000);
        String match = glob(config.prefix()) + (pattern == null || pattern.isEmpty() ? "*" : pattern);
        ObjectNode out = JsonBodies.object();
        ArrayNode keys = out.putArray("keys");
        String cursor = "0";
        boolean truncated = false;
        // SCAN may return a key twice across pages; a bounded number of pages keeps a huge keyspace from stalling
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (int page = 0; page < 10_000; page++) {
            List<?> reply = (List<?>) redis.call("SCAN", cursor, "MATCH", match, "COUNT", "500");
            cursor = String.valueOf(reply.get(0));
            for (Object key : (List<?>) reply.get(1)) {
                String name = String.valueOf(key);
                if (name.startsWith(config.prefix())) {
                    if (seen.size() == max && !seen.contains(name)) {
                        truncated = true;
                        break;
                    }
                    seen.add(name);
                }
            }
            if (truncated || cursor.equals("0")) {
                break;
            }
        }
        seen.forEach(name -> keys.add(name.substring(config.prefix().length())));
        return out.put("truncated", truncated);
    }

    private static ObjectNode set(Resp redis, Config config, JsonNode args) throws IOException {
        String key = key(args);
        String value = ToolKit.optionalText(args, "value");
        if (value == null) {
            throw ToolKit.fail("argument 'value' is required and must be a string");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > config.maxValue()) {
            throw ToolKit.fail("argument 'value' must be at most " + config.maxValue() + " bytes (setting " + WHERE
                    + ".max-value-bytes)");
        }
        long ttl = ToolKit.number(args, "ttl_seconds", config.maxTtl(), 1, config.maxTtl());
        redis.call("SET", config.prefix() + key, value, "EX", String.valueOf(ttl));
        return JsonBodies.object().put("key", key).put("ttl_seconds", ttl);
    }

    private static String key(JsonNode args) {
        String key = ToolKit.text(args, "key");
        if (key.length() > 1024) {
            throw ToolKit.fail("argument 'key' must be at most 1024 characters");
        }
        return key;
    }

    /** {@return the prefix as a glob that matches only itself} */
    private static String glob(String literal) {
        StringBuilder out = new StringBuilder();
        for (char c : literal.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^' || c == '-') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static Resp connect(Config config) throws IOException {
        Resp redis = new Resp(config.host(), config.port(), config.timeoutMillis());
        try {
            if (config.password() != null) {
                String secret = config.secrets().resolve(config.password()).reveal();
                if (config.username() != null) {
                    redis.call("AUTH", config.username(), secret);
                } else {
                    redis.call("AUTH", secret);
                }
            }
            if (config.database() != 0) {
                redis.call("SELECT", String.valueOf(config.database()));
            }
            return redis;
        } catch (IOException | RuntimeException e) {
            redis.close();
            throw e;
        }
    }
}
