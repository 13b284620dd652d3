package org.codeengine.examples.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeHome;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.core.CodeEngine;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One invocation's settings, resolved once: flags first, then environment variables, then {@code config.yaml}, then
 * the defaults. Opens the engine on demand and closes it with the session.
 */
final class Session implements AutoCloseable {
    private final Io io;
    private final Output output;
    private final Path home;
    private final Config config;
    private final @Nullable String storeFlag;
    private final boolean readsOnly;
    private @Nullable CodeEngine engine;
    private @Nullable Principal principal;
    /** The registry the engine reports to when {@code --metrics-port} asked for a scrape endpoint. */
    private @Nullable PrometheusMeterRegistry prometheus;
    private int metricsPort = -1;
    private boolean metricsKeyRequired;
    private @Nullable MetricsEndpoint metrics;

    /** @param readsOnly whether the command only reads the store (see {@link BaseCommand#readsOnly()}) */
    Session(Io io, Output output, @Nullable Path homeFlag, @Nullable String storeFlag, boolean readsOnly) {
        this.io = io;
        this.readsOnly = readsOnly;
        this.output = output;
        this.home = homeFlag != null ? homeFlag.toAbsolutePath().normalize() : CodeHome.of(io::env);
        this.config = Config.read(home.resolve("config.yaml"));
        this.storeFlag = storeFlag;
    }

    Io io() {
        return io;
    }

    Output out() {
        return output;
    }

    /** {@return the home folder: the configuration, the keys and the embedded store live here} */
    Path home() {
        return home;
    }

    Config config() {
        return config;
    }

    /** {@return the store to open: {@code --store}, {@code CODE_STORE}, the configuration, or H2 in the home folder} */
    StoreConfig storeConfig() {
        String where = first(storeFlag, io.env("CODE_STORE"), config.store());
        StoreConfig store;
        if (where == null) {
            store = h2File(home.resolve("code-db"));
        } else if (where.startsWith("jdbc:")) {
            store = StoreConfig.jdbc(where);
        } else {
            store = h2File(home.resolve(where));
        }
        String user = first(io.env("CODE_STORE_USER"), config.storeUser());
        if (user != null) {
            store = store.withCredentials(user, storePassword());
        }
        if (config.storeSchema() != null) {
            store = store.withSchema(config.storeSchema());
        }
        return store;
    }

    /**
     * An H2 file that H2 does not close by itself when the JVM exits: the app closes it, and on Ctrl-C or a SIGTERM
     * a deploy's shutdown hook still records the undoing of its run there.
     */
    private static StoreConfig h2File(Path file) {
        return StoreConfig.jdbc(StoreConfig.h2File(file).jdbcUrl() + ";DB_CLOSE_ON_EXIT=FALSE");
    }

    private @Nullable Secret storePassword() {
        String direct = io.env("CODE_STORE_PASSWORD");
        if (direct != null) {
            return Secret.of(direct);
        }
        String ref = config.storePassword();
        if (ref == null) {
            return null;
        }
        String name = ref.substring("env:".length());
        String value = io.env(name);
        if (value == null) {
            throw CliException.usage("the store password's variable " + name + " is not set",
                    "export " + name + " or change storePassword in " + home.resolve("config.yaml"));
        }
        return Secret.of(value);
    }

    /** {@return the engine on the configured store, without experts; opened on first use} */
    CodeEngine engine() {
        return engine(null);
    }

    /**
     * @param panel the circle of experts, or null for none
     * @return the engine, opened now on first use
     */
    CodeEngine engine(@Nullable ExpertPanel panel) {
        return engine(panel, List.of());
    }

    /**
     * @param panel the circle of experts, or null for none
     * @param tools tool providers the engine's registry serves beside the plugins'
     * @return the engine, opened now on first use
     */
    CodeEngine engine(@Nullable ExpertPanel panel, List<ToolProvider> tools) {
        return engine(panel, tools, Map.of());
    }

    /**
     * @param panel the circle of experts, or null for none
     * @param tools tool providers the engine's registry serves beside the plugins'
     * @param toolSettings the tool plugins to enable, each with its settings (relative paths in them are resolved
     *        against the home folder)
     * @return the engine, opened now on first use
     */
    CodeEngine engine(@Nullable ExpertPanel panel, List<ToolProvider> tools, Map<String, JsonNode> toolSettings) {
        return engine(panel, tools, toolSettings, builder -> {
        });
    }

    /**
     * @param panel the circle of experts, or null for none
     * @param tools tool providers the engine's registry serves beside the plugins'
     * @param toolSettings the tool plugins to enable, each with its settings
     * @param more what else the command configures (named panels, agents' providers)
     * @return the engine, opened now on first use
     */
    CodeEngine engine(@Nullable ExpertPanel panel, List<ToolProvider> tools, Map<String, JsonNode> toolSettings,
            java.util.function.Consumer<CodeEngine.Builder> more) {
        if (engine == null) {
            CodeEngine.Builder builder = builder().store(storeConfig()).auditSigningKey(HomeKeys.auditKey(home))
                    .vaultMasterKey(HomeKeys.masterKey(home, io.env("CODE_MASTER_KEY")))
                    // a command-line process is short-lived: it resumes a run only when told to (code resume RUN)
                    .adoptOrphanedRuns(false);
            if (panel != null) {
                builder.experts(panel);
            }
            if (readsOnly) {
                builder.migrateOnlyWhenBehind();
            }
            tools.forEach(builder::toolProvider);
            toolSettings.forEach(builder::toolSettings);
            if (prometheus != null) {
                builder.meterRegistry(prometheus);
            }
            more.accept(builder);
            engine = builder.toolsHome(home).build();
            if (prometheus != null) {
                metrics = new MetricsEndpoint(prometheus, metricsPort, metricsKeyRequired ? engine.security() : null);
                io.err().println("serving metrics at http://127.0.0.1:" + metrics.port() + MetricsEndpoint.PATH);
            }
        }
        return engine;
    }

    /**
     * Asks for a Prometheus scrape endpoint on 127.0.0.1, serving the engine's meters from when it opens until the
     * session closes; call it before the engine opens.
     *
     * @param port the {@code --metrics-port} flag, or null for none
     * @param keyRequired whether each scrape must present a bearer API key or token the engine's security accepts
     * @throws CliException if the port is out of range, or the engine is already open
     */
    void serveMetrics(@Nullable Integer port, boolean keyRequired) {
        if (port == null) {
            return;
        }
        if (port < 0 || port > 65_535) {
            throw CliException.usage("--metrics-port must be between 0 and 65535, not " + port,
                    "e.g. --metrics-port 9464");
        }
        if (engine != null) {
            throw new IllegalStateException("serveMetrics must come before the engine opens");
        }
        metricsPort = port;
        metricsKeyRequired = keyRequired;
        prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** {@return the port of the scrape endpoint, if one is serving} */
    java.util.OptionalInt metricsPort() {
        return metrics == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(metrics.port());
    }

    /** {@return an engine builder with what this invocation configures but the store and the keys: nothing opened} */
    CodeEngine.Builder builder() {
        // a command-line process is short-lived: it leaves relaying the outbox to the hosts that run for long (were
        // it to take the relay lease, the in-process subscribers of those hosts would miss what it relayed)
        return CodeEngine.builder().serviceLogs(home.resolve("logs")).relay(false).threatRules(config.threats());
    }

    /**
     * {@return who this invocation acts as: the holder of {@code CODE_API_KEY} when it is set, else the local user,
     *         who owns the home folder and its store and so is an admin}
     */
    Principal principal() {
        if (principal == null) {
            String key = io.env("CODE_API_KEY");
            principal = key == null
                    ? new Principal(localUser(), Principal.Kind.USER, Set.of("admin"))
                    : engine().security().authenticate(new Credentials.ApiKey(Secret.of(key)));
        }
        return principal;
    }

    /** {@return a call context for the principal, with a fresh trace id} */
    CallContext context() {
        return new CallContext(principal(), null, "cli-" + UUID.randomUUID());
    }

    /**
     * @param flag the {@code --eval} flag, or null
     * @return the recorded replies of {@code eval/gsm8k-experts.jsonl.gz}: the flag, {@code CODE_EVAL}, the
     *         configuration, else {@code shared/eval} in a folder above the app or the working directory, else the
     *         40 questions the app carries ({@link EvalData#SAMPLE}), copied into the home's cache folder; what the
     *         flag, the variable or the configuration names is returned even when it is missing
     */
    Path evalData(@Nullable Path flag) {
        Path found = evalDataGiven(flag);
        return found != null ? found : EvalData.sample(home.resolve("cache"));
    }

    private @Nullable Path evalDataGiven(@Nullable Path flag) {
        String given = flag != null ? flag.toString() : first(io.env("CODE_EVAL"), config.eval());
        if (given != null) {
            Path path = home.resolve(given);
            return Files.isDirectory(path) ? path.resolve(EvalData.FILE) : path;
        }
        for (Path start : new Path[]{CodeApp.location(), Path.of("").toAbsolutePath()}) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve("shared/eval").resolve(EvalData.FILE);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    static @Nullable String first(@Nullable String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static String localUser() {
        String name = System.getProperty("user.name", "").strip();
        return name.isEmpty() ? "local" : name;
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (engine != null) {
            engine.close();
        }
    }
}
