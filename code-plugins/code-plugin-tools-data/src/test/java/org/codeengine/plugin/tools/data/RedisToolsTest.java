package org.codeengine.plugin.tools.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.support.JsonBodies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * redis_get, redis_scan and redis_set through the engine on the local Redis (scripts/start-redis). The prefix holds
 * glob characters on purpose: a key outside it that an unescaped glob would match must stay invisible.
 */
class RedisToolsTest {
    private static final CallContext CALLER = new CallContext(new Principal("ann", Principal.Kind.USER, Set.of(
            "cache")), null, "t-redis");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "code-test:t*[1]:" + RUN + ":";
    private static final String OUTSIDE = "code-test:tX1:" + RUN + ":secret";
    private static CodeEngine engine;

    @BeforeAll
    static void start() throws IOException {
        try (Resp redis = new Resp("127.0.0.1", 6379, 2000)) {
            redis.call("SET", OUTSIDE, "do not read", "EX", "120");
            redis.call("RPUSH", PREFIX + "queue", "a");
            redis.call("EXPIRE", PREFIX + "queue", "120");
        } catch (IOException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("Redis at 127.0.0.1:6379 is required in CI but cannot be reached: " + e.getMessage());
            }
            Assumptions.abort("Redis at 127.0.0.1:6379 cannot be reached: " + e.getMessage());
        }
        engine = engine(JsonBodies.object().put("key-prefix", PREFIX).put("max-ttl-seconds", 60).put(
                "max-value-bytes", 16));
    }

    @AfterAll
    static void stop() throws IOException {
        if (engine != null) {
            engine.close();
        }
        try (Resp redis = new Resp("127.0.0.1", 6379, 2000)) {
            redis.call("DEL", OUTSIDE, PREFIX + "queue", PREFIX + "a", PREFIX + "b");
        }
    }

    private static CodeEngine engine(ObjectNode settings) {
        CodeEngine built = CodeEngine.builder().store(StoreConfig.h2InMemory("redis" + UUID.randomUUID().toString()
                .replace("-", ""))).toolSettings("redis", settings).build();
        built.security().defineRole("cache", Set.of(Permission.parse("tool:call:*")), Set.of());
        return built;
    }

    private static ToolResult set(String key, String value, Integer ttl) {
        ObjectNode args = JsonBodies.object().put("key", key).put("value", value);
        if (ttl != null) {
            args.put("ttl_seconds", ttl);
        }
        return engine.tools().call(CALLER, "redis_set", args, question -> true);
    }

    @Test
    void setThenGet_staysUnderThePrefix_withACappedTtl() throws IOException {
        ToolResult unconfirmed = engine.tools().call(CALLER, "redis_set", JsonBodies.object().put("key", "a").put(
                "value", "1"));
        assertThat(unconfirmed.error()).isTrue();
        assertThat(unconfirmed.text()).contains("needs the caller's confirmation");

        assertThat(set("a", "harbour", null).error()).isFalse();
        assertThat(set("b", "reef", 5).structured().path("ttl_seconds").asInt()).isEqualTo(5);
        ToolResult got = engine.tools().call(CALLER, "redis_get", JsonBodies.object().put("key", "a"));
        assertThat(got.structured().path("value").asString()).isEqualTo("harbour");
        assertThat(got.structured().path("ttl_seconds").asLong()).isBetween(1L, 60L);
        try (Resp redis = new Resp("127.0.0.1", 6379, 2000)) {
            assertThat(redis.call("GET", PREFIX + "a")).isEqualTo("harbour");
            assertThat((Long) redis.call("TTL", PREFIX + "b")).isBetween(1L, 5L);
        }

        ToolResult tooLong = set("a", "x", 61);
        assertThat(tooLong.error()).isTrue();
        assertThat(tooLong.text()).contains("ttl_seconds");
        ToolResult tooBig = set("a", "x".repeat(17), null);
        assertThat(tooBig.text()).contains("argument 'value' must be at most 16 bytes");
        ToolResult list = engine.tools().call(CALLER, "redis_get", JsonBodies.object().put("key", "queue"));
        assertThat(list.text()).contains("argument 'key' names a Redis list");
    }

    @Test
    void keysOutsideThePrefix_cannotBeReadOrListed_evenByGlobs() throws IOException {
        set("a", "harbour", null);
        for (String key : List.of(OUTSIDE, "../tX1:" + RUN + ":secret", OUTSIDE.substring(PREFIX.length() - 3))) {
            ToolResult result = engine.tools().call(CALLER, "redis_get", JsonBodies.object().put("key", key));
            assertThat(result.structured().path("exists").asBoolean()).as(key).isFalse();
        }
        for (String pattern : List.of("*", "*secret*", "[a-z]*", "\\*")) {
            ToolResult scan = engine.tools().call(CALLER, "redis_scan", JsonBodies.object().put("pattern",
                    pattern));
            assertThat(scan.structured().path("keys").toString()).as(pattern).doesNotContain("secret");
        }
        ToolResult all = engine.tools().call(CALLER, "redis_scan", JsonBodies.object());
        assertThat(all.structured().path("keys").valueStream().map(k -> k.asString()).toList()).contains("a",
                "queue");
        ToolResult one = engine.tools().call(CALLER, "redis_scan", JsonBodies.object().put("max_keys", 1));
        assertThat(one.structured().path("keys").size()).isEqualTo(1);
        assertThat(one.structured().path("truncated").asBoolean()).isTrue();
        try (Resp redis = new Resp("127.0.0.1", 6379, 2000)) {
            assertThat(redis.call("GET", OUTSIDE)).isEqualTo("do not read");
        }
    }

    @Test
    void settings_needAPrefix_andAPasswordMustBeAReference() {
        assertThatThrownBy(() -> engine(JsonBodies.object())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tools.redis.key-prefix is required");
        assertThatThrownBy(() -> engine(JsonBodies.object().put("key-prefix", "a:").put("password", "s3cret")))
                .hasMessageContaining("tools.redis.password must be a secret reference").hasMessageNotContaining(
                        "s3cret");
        assertThat(new RedisToolProvider().unavailable()).hasValueSatisfying(why -> assertThat(why).contains(
                "no connection configured"));
    }
}
