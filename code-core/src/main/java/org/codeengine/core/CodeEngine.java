package org.codeengine.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.PluginInfo;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.StoreException;
import org.codeengine.api.StoreStatus;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.agents.Agents;
import org.codeengine.api.agents.GateKeeper;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.events.EventBus;
import org.codeengine.api.events.PerformanceThreshold;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.ExpertCircle;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.Orchestrator;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.security.Security;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.api.security.ThreatRule;
import org.codeengine.api.spi.CallTracer;
import org.codeengine.api.spi.EventBusProvider;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.Plugin;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.tools.ToolRegistry;
import org.codeengine.core.internal.agents.DefaultAgents;
import org.codeengine.core.internal.events.DefaultEventBus;
import org.codeengine.core.internal.events.DeploymentCloudEvents;
import org.codeengine.core.internal.events.LocalTransport;
import org.codeengine.core.internal.events.OutboxRelay;
import org.codeengine.core.internal.experts.DefaultExpertCircle;
import org.codeengine.core.internal.experts.MajorityStrategy;
import org.codeengine.core.internal.experts.MedoidStrategy;
import org.codeengine.core.internal.experts.ReliabilityBook;
import org.codeengine.core.internal.experts.ReliabilityStrategy;
import org.codeengine.core.internal.experts.UnsupervisedStrategy;
import org.codeengine.core.internal.gate.PanelGateKeeper;
import org.codeengine.core.internal.observe.Telemetry;
import org.codeengine.core.internal.observe.ThresholdWatch;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;
import org.codeengine.core.internal.orchestrator.JdbcRunJournal;
import org.codeengine.core.internal.orchestrator.LeaseOwners;
import org.codeengine.core.internal.orchestrator.Planner;
import org.codeengine.core.internal.plugins.PluginRegistry;
import org.codeengine.core.internal.security.DefaultSecurity;
import org.codeengine.core.internal.security.DefaultVault;
import org.codeengine.core.internal.security.Jwt;
import org.codeengine.core.internal.store.AuditLog;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.core.internal.tools.DefaultToolRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * CODE in one object: built once with {@link #builder()}, immutable and thread-safe, closed when the host is done.
 * Building discovers the plugins and opens (and migrates) the store.
 *
 * <pre>{@code
 * try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(Path.of("data/code-db"))).build()) {
 *     engine.plugins().forEach(System.out::println);
 * }
 * }</pre>
 */
public final class CodeEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CodeEngine.class);
    private final Clock clock;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final MeterRegistry meterRegistry;
    private final Telemetry telemetry;
    private final PluginRegistry plugins;
    private final JdbcStore store;
    private final DefaultSecurity security;
    private final SecurityFacade guard;
    private final DefaultOrchestrator orchestrator;
    private final ReliabilityBook reliability;
    private final Map<String, ConsensusStrategy> strategies;
    private final VectorKernels kernels;
    private final @Nullable DefaultExpertCircle experts;
    private final List<DefaultExpertCircle> circles = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final DefaultToolRegistry tools;
    private final EventTransport transport;
    private final DefaultEventBus events;
    private final @Nullable OutboxRelay relay;
    private final DefaultAgents agents;
    private final @Nullable GateKeeper gateKeeper;
    /** The expert provider plugins, and the host's own by {@link Builder#expertProvider}, by name. */
    private final Map<String, ExpertProvider> expertProviders;
    private final ThresholdWatch thresholds;
    private final @Nullable Thread thresholdChecker;

    private CodeEngine(Builder builder, PluginRegistry plugins, JdbcStore store, EventTransport transport) {
        this.clock = builder.clock;
        this.ownsExecutor = builder.executor == null;
        this.executor = builder.executor == null ? Executors.newVirtualThreadPerTaskExecutor() : builder.executor;
        this.meterRegistry = builder.meterRegistry;
        this.telemetry = new Telemetry(builder.meterRegistry, builder.observationRegistry, ThresholdWatch
                .latencyWindow(builder.thresholds));
        this.plugins = plugins;
        this.store = store;
        SecureRandom random = new SecureRandom();
        Jwt jwt = builder.jwtKeys.isEmpty()
                ? null
                : new Jwt(builder.jwtKeys, builder.jwtKeys.stream().filter(k -> k
                        .signKey() != null).map(Jwt.KeyConfig::id).findFirst().orElse(null), new Jwt.Settings(
                                builder.jwtIssuer, builder.jwtAudience, "at+jwt", Duration.ofSeconds(30)),
                        clock, random);
        DefaultVault vault = builder.vaultMasterKey == null
                ? null
                : new DefaultVault(store.security(), DefaultVault
                        .masterKey(builder.vaultMasterKey), random, clock);
        AuditLog.Signer signer = builder.auditKey == null
                ? null
                : new AuditLog.Signer("audit-1", builder.auditKey
                        .getPrivate(), builder.auditKey.getPublic());
        this.security = new DefaultSecurity(store.security(), store.audit(), jwt, vault, signer, clock, random,
                DefaultSecurity.Options.DEFAULTS, List.copyOf(builder.threatRules.values()));
        this.guard = builder.security == null ? security : builder.security;
        this.reliability = new ReliabilityBook(store.expertStats(), clock);
        this.kernels = PluginSurvey.chooseKernels(plugins);
        Map<String, ConsensusStrategy> known = new LinkedHashMap<>();
        for (ConsensusStrategy strategy : List.of(new ReliabilityStrategy(), new MajorityStrategy(),
                new UnsupervisedStrategy(10_000), new MedoidStrategy(kernels, 0.8f))) {
            known.put(strategy.name(), strategy);
        }
        builder.strategies.forEach(s -> known.put(s.name(), s));
        this.strategies = Map.copyOf(known);
        Map<String, ExpertProvider> providers = byName(plugins.all(ExpertProvider.class));
        builder.expertProviders.forEach(p -> providers.put(p.name(), p));
        this.expertProviders = Map.copyOf(providers);
        // the panel is checked and connected before the orchestrator starts its lease keeper: a bad panel fails the
        // build with nothing left running
        try {
            this.experts = builder.panel == null ? null : newCircle(builder.panel);
        } catch (RuntimeException e) {
            if (ownsExecutor) {
                executor.shutdownNow();
            }
            throw e;
        }
        List<ToolProvider> toolProviders = enabledTools(plugins.all(ToolProvider.class), builder, security);
        toolProviders.addAll(builder.toolProviders);
        List<ToolProvider> allTools = List.copyOf(toolProviders);
        this.tools = new DefaultToolRegistry(() -> allTools, guard, (principal, action, target, outcome,
                detail) -> store.audit().append(principal, action, target, outcome, detail), telemetry);
        String engineName = LeaseOwners.forThisProcess();
        store.audit().eventSource(DeploymentCloudEvents.source(engineName));
        this.transport = transport;
        this.relay = builder.relay
                ? new OutboxRelay(store.outbox(), store.leases(), transport, engineName, clock,
                        builder.relaySettings, meterRegistry)
                : null;
        this.events = new DefaultEventBus(store.outbox(), transport, guard, relay == null ? () -> {
        } : relay::wake);
        this.orchestrator = new DefaultOrchestrator(new JdbcRunJournal(store.runs(), store.outbox(),
                builder.storeOutageBound),
                byName(plugins.all(
                        StepExecutor.class)),
                byName(plugins.all(HealthProbe.class)), guard,
                (principal, action, target,
                        outcome, detail) -> store.audit().append(principal, action, target, outcome, detail),
                clock,
                executor, telemetry, new DefaultOrchestrator.Options(builder.runLease, builder.adoptOrphanedRuns,
                        64, Duration.ofSeconds(30), builder.busyDeploymentWait),
                new DefaultOrchestrator.Limits(builder.maxInstances, builder.serviceLogs), ref -> security.vault()
                        .resolve(ref));
        this.thresholds = new ThresholdWatch(meterRegistry, builder.thresholds, clock, DeploymentCloudEvents.source(
                engineName), event -> {
                    store.outbox().append(List.of(event));
                    if (relay != null) {
                        relay.wake();
                    }
                });
        Duration every = builder.thresholdInterval;
        this.thresholdChecker = every.isZero() || builder.thresholds.isEmpty()
                ? null
                : Thread.ofVirtual().name("code-threshold-watch").start(() -> checkThresholdsEvery(every));
        Map<String, ExpertPanel> panels = new LinkedHashMap<>();
        if (builder.panel != null) {
            panels.put("default", builder.panel);
        }
        panels.putAll(builder.panels);
        DefaultOrchestrator.Audit audit = (principal, action, target, outcome, detail) -> store.audit().append(
                principal, action, target, outcome, detail);
        // the host's gate keeper, else the engine's own: the named panels vote
        this.gateKeeper = builder.gateKeeper != null
                ? builder.gateKeeper
                : panels.isEmpty()
                        ? null
                        : new PanelGateKeeper(panels, this::newCircle, audit, security.scanner()::redact);
        this.agents = new DefaultAgents(new DefaultAgents.Deps(store.agentRuns(), () -> allTools, guard, audit, store
                .audit()::appendAsync, clock, executor,
                DefaultAgents.models(expertProviders, builder.agentProviders, panels, this::resolveSecret),
                gateKeeper, engineName, builder.agentLease, LeaseOwners::goneFromThisHost, telemetry));
        if (relay != null) {
            relay.start();
        }
    }

    private void checkThresholdsEvery(Duration every) {
        while (!closed.get()) {
            try {
                Thread.sleep(every);
                thresholds.check();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("checking the performance thresholds failed; next try in {}", every, e);
            }
        }
    }

    /**
     * Checks the performance thresholds against the meters now, as the engine does by itself every
     * {@link Builder#thresholds(List, Duration) interval}; each one that went above its limit since the last check
     * emits {@link CloudEvent#PERFORMANCE_THRESHOLD_EXCEEDED} through {@link #events()}.
     *
     * @return the events emitted
     */
    public List<CloudEvent> checkThresholds() {
        return thresholds.check();
    }

    /**
     * The bus: the plugin {@code builder().plugin(EventBusProvider.class, name)} names, or the only one present when
     * {@link Builder#eventBus(Map)} was given settings; otherwise the in-process bus.
     */
    private static EventTransport openTransport(Builder builder, PluginRegistry plugins) {
        if (builder.eventBusSettings == null && plugins.configured(EventBusProvider.class).isEmpty()) {
            return new LocalTransport();
        }
        EventBusProvider provider = plugins.choose(EventBusProvider.class, p -> true, "events");
        LOG.info("Events go to the {} bus", provider.name());
        return provider.open(builder.eventBusSettings == null ? Map.of() : builder.eventBusSettings);
    }

    /**
     * {@return the tool provider plugins the engine serves: each one the host configured, given its settings, and each
     *         one that needs no enabling}
     *
     * @throws ConfigurationException if the host configured a provider no plugin is named after
     */
    private static List<ToolProvider> enabledTools(List<ToolProvider> found, Builder builder, Security security) {
        Map<String, ToolProvider> named = byName(found);
        for (String name : builder.toolSettings.keySet()) {
            if (!named.containsKey(name)) {
                throw new ConfigurationException("toolSettings names the tool provider '" + name
                        + "' but no tool plugin has that name; found: " + String.join(", ", named.keySet()), null);
            }
        }
        List<ToolProvider> enabled = new ArrayList<>();
        for (ToolProvider provider : named.values()) {
            JsonNode settings = builder.toolSettings.get(provider.name());
            if (settings != null) {
                enabled.add(provider.configured(new ToolSettings(settings, ref -> security.vault().resolve(ref),
                        builder.toolsHome)));
            } else if (provider.enabledByDefault()) {
                enabled.add(provider);
            }
        }
        return enabled;
    }

    private static <T extends Plugin> Map<String, T> byName(List<T> plugins) {
        Map<String, T> byName = new LinkedHashMap<>();
        for (T plugin : plugins) {
            T first = byName.putIfAbsent(plugin.name(), plugin);
            if (first != null) {
                LOG.warn("two {} plugins are named '{}': {} and {}; using the first", plugin.getClass()
                        .getInterfaces()[0].getSimpleName(), plugin.name(), first.getClass().getName(), plugin
                                .getClass().getName());
            }
        }
        return byName;
    }

    /**
     * {@return the vector kernels chosen when the engine was built (the circle's similarity runs on them): the one
     *         {@code builder().plugin(VectorKernels.class, name)} names, else the best available}
     */
    public VectorKernels vectorKernels() {
        return kernels;
    }

    /**
     * {@return the events face: CODE's state changes as CloudEvents, written to the store's outbox with the change and
     *         relayed to the bus (in-process, or a plugin's)}
     */
    public EventBus events() {
        return events;
    }

    /** {@return whether this engine's relay holds the store's relay lease now; false if it runs no relay} */
    public boolean relaying() {
        return relay != null && relay.leader();
    }

    /** {@return the orchestrator: plans, deploys, resumes and rolls back deployments} */
    public Orchestrator orchestrator() {
        return orchestrator;
    }

    /**
     * {@return the tools face: every tool of every {@link ToolProvider} plugin and of each provider registered with
     *         {@link Builder#toolProvider(ToolProvider)}, behind security ({@code tool:call:<name>}, rate limits,
     *         audit)}
     */
    public ToolRegistry tools() {
        return tools;
    }

    /**
     * {@return the agents face: runs a model that uses {@link #tools()} as its caller narrowed to the agent's spec,
     *         with budgets and a journal in the store; its models are reached with the configurations given to
     *         {@link Builder#agentProvider(String, ProviderConfig)} or those of the panels the engine has}
     */
    public Agents agents() {
        return agents;
    }

    /**
     * The gate keeper through which a panel approves destructive calls: the one given to
     * {@link Builder#gateKeeper(GateKeeper)}, else the engine's own, under which each panel named with
     * {@link Builder#panel(String, ExpertPanel)} votes APPROVE or REJECT on the call (the agent, its stated purpose,
     * the tool and its arguments with secrets redacted), and the verdict with every vote, reason and dissent is audited
     * as {@code gate:panel:<tool>}. A host may gate its own destructive calls with it too, by passing its confirmer to
     * {@link ToolRegistry#call(org.codeengine.api.CallContext, String, JsonNode, org.codeengine.api.tools.Confirmer)}.
     *
     * @return the gate keeper, or empty when none was given and no panel was named
     */
    public Optional<GateKeeper> gateKeeper() {
        return Optional.ofNullable(gateKeeper);
    }

    /**
     * {@return CODE's security: accounts, API keys, sessions, tokens, roles, rate limits, audit, vault and scanner.
     *         The faces check callers with it, unless the builder was given another {@link SecurityFacade}}
     */
    public Security security() {
        return security;
    }

    /**
     * {@return the circle of experts configured with {@link Builder#experts(ExpertPanel)}}
     *
     * @throws ConfigurationException if no panel was configured
     */
    public ExpertCircle experts() {
        if (experts == null) {
            throw new ConfigurationException("no experts configured: pass an ExpertPanel to CodeEngine.builder()"
                    + ".experts(...)", null);
        }
        return experts;
    }

    /**
     * Builds another circle on this engine: same security, store (expert records), plugins and strategies, another
     * panel. Each circle holds its own provider connections and limits: build one per panel and keep it, close it
     * when done (the engine closes those still open when it closes).
     *
     * @param panel who to ask and how to decide
     * @return the circle
     * @throws ConfigurationException if the panel names an unknown provider or strategy, or a provider rejects its
     *         configuration
     */
    public ExpertCircle circle(ExpertPanel panel) {
        if (panel == null) {
            throw new IllegalArgumentException("panel must not be null");
        }
        return newCircle(panel);
    }

    private Secret resolveSecret(SecretRef ref) {
        if (ref.scheme().equals("env")) {
            String value = System.getenv(ref.name());
            if (value == null || value.isBlank()) {
                throw new ConfigurationException("the environment variable " + ref.name() + " is not set", null);
            }
            return Secret.of(value.strip());
        }
        return security.vault().resolve(ref);
    }

    private DefaultExpertCircle newCircle(ExpertPanel panel) {
        if (closed.get()) {
            throw new IllegalStateException("the engine is closed");
        }
        DefaultExpertCircle[] self = new DefaultExpertCircle[1];
        DefaultExpertCircle circle = new DefaultExpertCircle(panel, expertProviders,
                strategies, reliability,
                guard, (principal, action, target, outcome, detail) -> store.audit().append(principal, action, target,
                        outcome, detail),
                security.scanner(), clock, executor, telemetry, this::resolveSecret, () -> circles.remove(self[0]));
        self[0] = circle;
        circles.add(circle);
        return circle;
    }

    /**
     * {@return a builder with the defaults: system UTC clock, virtual threads, H2 in {@code code-db} in CODE's home
     * (with {@code code-plugin-h2} on the path)}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return every plugin found, usable or not, with its name, version, SPI, API version and status} */
    public List<PluginInfo> plugins() {
        return plugins.infos();
    }

    /**
     * Asks a step executor whether it can start anything on this machine now; see {@link
     * StepExecutor#unavailable(Map)}. Takes at most a few seconds: the executor pings its daemon or cluster with a
     * short timeout.
     *
     * @param executor the executor's name, as {@link #plugins()} lists it
     * @param environment the environment variables the executor reads its defaults from, normally {@link
     *     System#getenv()}
     * @return empty when it is usable or no usable executor has that name; else why not and how to fix it
     */
    public Optional<String> executorUnavailable(String executor, Map<String, String> environment) {
        return PluginSurvey.executorUnavailable(plugins, executor, environment);
    }

    /** {@return the store this engine opened and its schema version} */
    public StoreStatus store() {
        return new StoreStatus(store.provider(), store.url(), store.schemaVersion());
    }

    /** {@return the clock every component reads time from} */
    public Clock clock() {
        return clock;
    }

    /** {@return the registry every component reports metrics to} */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /**
     * Measures and traces calls that enter CODE from outside and are served by a plugin, such as an MCP server's
     * requests: give it to the server (for the MCP plugin, {@code McpServer.builder().tracer(engine.tracer())}).
     *
     * @return a tracer whose meters go to {@link #meterRegistry()} and whose spans go to the builder's observation
     *         registry
     */
    public CallTracer tracer() {
        return telemetry.tracer(null);
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the store's connections and the engine's own executor; calling it again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            for (DefaultExpertCircle circle : circles) {
                try {
                    circle.close();
                } catch (RuntimeException e) {
                    LOG.warn("closing a circle of experts failed", e);
                }
            }
            if (thresholdChecker != null) {
                thresholdChecker.interrupt();
            }
            agents.close();
            orchestrator.close();
            if (relay != null) {
                relay.close();
            }
            transport.close();
            store.close();
        } finally {
            if (ownsExecutor) {
                executor.shutdownNow();
                try {
                    executor.awaitTermination(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "CodeEngine[store=" + store.url() + ", plugins=" + plugins.infos().size() + ", closed=" + closed.get()
                + "]";
    }

    /** Collects the engine's settings; each setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private @Nullable ExecutorService executor;
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;
        private List<PerformanceThreshold> thresholds = PerformanceThreshold.defaults();
        private Duration thresholdInterval = Duration.ofSeconds(30);
        private @Nullable StoreConfig storeConfig;
        private ClassLoader pluginLoader = CodeEngine.class.getClassLoader();
        private final Map<Class<? extends Plugin>, String> chosen = new HashMap<>();
        private @Nullable SecurityFacade security;
        private @Nullable Secret vaultMasterKey;
        private @Nullable KeyPair auditKey;
        private boolean unsignedAudit;
        private boolean migrateOnlyWhenBehind;
        private final List<Jwt.KeyConfig> jwtKeys = new ArrayList<>();
        private final Map<String, ThreatRule> threatRules = new LinkedHashMap<>();
        private String jwtIssuer = "code";
        private String jwtAudience = "code";
        private Duration runLease = Duration.ofSeconds(30);
        private Duration agentLease = Duration.ofMinutes(10);
        private @Nullable Map<String, String> eventBusSettings;
        private boolean relay = true;
        private OutboxRelay.Settings relaySettings = OutboxRelay.Settings.DEFAULTS;
        private boolean adoptOrphanedRuns = true;
        private Duration busyDeploymentWait = Duration.ZERO;
        private Duration storeOutageBound = JdbcRunJournal.DEFAULT_OUTAGE_BOUND;
        private int maxInstances = DefaultOrchestrator.Limits.DEFAULT_MAX_INSTANCES;
        private Path serviceLogs = DefaultOrchestrator.Limits.defaults().logFolder();
        private @Nullable ExpertPanel panel;
        private final List<ConsensusStrategy> strategies = new ArrayList<>();
        private final List<ToolProvider> toolProviders = new ArrayList<>();
        private final List<ExpertProvider> expertProviders = new ArrayList<>();
        private final Map<String, JsonNode> toolSettings = new LinkedHashMap<>();
        private Path toolsHome = Path.of("").toAbsolutePath();
        private final Map<String, ProviderConfig> agentProviders = new LinkedHashMap<>();
        private final Map<String, ExpertPanel> panels = new LinkedHashMap<>();
        private @Nullable GateKeeper gateKeeper;

        private Builder() {}

        /**
         * Enables a tool provider plugin and gives it the host's settings. Providers of the tool catalogue (files,
         * commands, HTTP, databases, infrastructure) are served only once configured here; others are served anyway
         * and get their settings when given some.
         *
         * @param provider the plugin's name, as {@code code plugins} lists it
         * @param settings its settings, a JSON object (an empty one enables it with its defaults)
         * @return this builder
         * @throws IllegalArgumentException if an argument is null or the settings are not an object
         */
        public Builder toolSettings(String provider, JsonNode settings) {
            require(provider, "provider");
            if (require(settings, "settings").isObject()) {
                toolSettings.put(provider, settings);
                return this;
            }
            throw new IllegalArgumentException("settings of tool provider '" + provider + "' must be a JSON object");
        }

        /**
         * {@return this builder}
         *
         * @param home the folder that relative paths in tool settings are resolved against; by default the working
         *        directory
         * @throws IllegalArgumentException if {@code home} is null
         */
        public Builder toolsHome(Path home) {
            this.toolsHome = require(home, "toolsHome").toAbsolutePath();
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param provider tools of the host's own, or of a connected MCP server ({@code McpClient.asToolProvider}),
         *        served by {@link CodeEngine#tools()} besides the plugins'
         * @throws IllegalArgumentException if {@code provider} is null
         */
        public Builder toolProvider(ToolProvider provider) {
            toolProviders.add(require(provider, "toolProvider"));
            return this;
        }

        /**
         * An expert provider of the host's own, beside the plugins found by ServiceLoader (one of the same name
         * replaces the plugin): for a provider that needs a live connection, such as the MCP client of a request
         * whose model answers through sampling.
         *
         * @param provider the provider
         * @return this builder
         * @throws IllegalArgumentException if {@code provider} is null
         */
        public Builder expertProvider(ExpertProvider provider) {
            expertProviders.add(require(provider, "expertProvider"));
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param clock the clock every component reads time from; tests pass a fake one
         * @throws IllegalArgumentException if {@code clock} is null
         */
        public Builder clock(Clock clock) {
            this.clock = require(clock, "clock");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param executor runs the engine's blocking work; the host keeps owning it and shuts it down itself. By
         *        default the engine uses a virtual thread per task and shuts it down on close. With an executor of
         *        platform threads, an interrupt that lands while one of them writes to an embedded H2 store closes the
         *        database (H2 closes its file when a thread is interrupted in its I/O): the store shields only virtual
         *        threads' writes, so cancelling an agent run, or {@code shutdownNow} on the executor, can do that
         * @throws IllegalArgumentException if {@code executor} is null
         */
        public Builder executor(ExecutorService executor) {
            this.executor = require(executor, "executor");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param meterRegistry where components report metrics; by default a private {@link SimpleMeterRegistry}
         * @throws IllegalArgumentException if {@code meterRegistry} is null
         */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = require(meterRegistry, "meterRegistry");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param observationRegistry where spans go: a span per deploy ({@code code.deploy}), step ({@code code.step}),
         *        health probe ({@code code.probe}), question to the circle ({@code code.circle}), expert call
         *        ({@code code.expert}), provider HTTP request, tool call ({@code code.tool}) and MCP request. Give
         *        it a tracing handler (Micrometer Tracing's OpenTelemetry bridge) to export them. By default
         *        {@link ObservationRegistry#NOOP}: no spans, and nothing spent on them
         * @throws IllegalArgumentException if {@code observationRegistry} is null
         */
        public Builder observationRegistry(ObservationRegistry observationRegistry) {
            this.observationRegistry = require(observationRegistry, "observationRegistry");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param thresholds the performance thresholds to check against the meters, replacing
         *        {@link PerformanceThreshold#defaults()}; empty for none. Names must differ
         * @param interval how often the engine checks them by itself; {@link Duration#ZERO} for never (then only
         *        {@link CodeEngine#checkThresholds()} does)
         * @throws IllegalArgumentException if an argument is null, the interval is negative, or two thresholds share
         *         a name
         */
        public Builder thresholds(List<PerformanceThreshold> thresholds, Duration interval) {
            require(thresholds, "thresholds");
            require(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("interval must not be negative but was " + interval);
            }
            Set<String> names = new HashSet<>();
            for (PerformanceThreshold t : thresholds) {
                if (!names.add(require(t, "thresholds[]").name())) {
                    throw new IllegalArgumentException("thresholds must have distinct names; '" + t.name()
                            + "' is there twice");
                }
            }
            this.thresholds = List.copyOf(thresholds);
            this.thresholdInterval = interval;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param store where durable state lives; by default {@link StoreConfig#defaultFile()}, an H2 file, which needs
         *        {@code code-plugin-h2} on the path
         * @throws IllegalArgumentException if {@code store} is null
         */
        public Builder store(StoreConfig store) {
            this.storeConfig = require(store, "store");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param loader the class loader whose class path is searched for plugins (named modules in the boot layer
         *        are searched too); by default the one that loaded CODE
         * @throws IllegalArgumentException if {@code loader} is null
         */
        public Builder pluginClassLoader(ClassLoader loader) {
            this.pluginLoader = require(loader, "pluginClassLoader");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param security checks every call into the engine's faces instead of CODE's own security (roles defined
         *        with {@code engine.security().defineRole}; the role {@code admin} may do everything)
         * @throws IllegalArgumentException if {@code security} is null
         */
        public Builder security(SecurityFacade security) {
            this.security = require(security, "security");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param masterKey the vault's master key: 32 random bytes in base64. Without one, the vault (and TOTP, whose
         *        secrets it keeps) is unavailable.
         * @throws IllegalArgumentException if {@code masterKey} is null or not 32 bytes in base64
         */
        public Builder vaultMasterKey(Secret masterKey) {
            require(masterKey, "vaultMasterKey");
            try {
                DefaultVault.masterKey(masterKey);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("vaultMasterKey must be 32 bytes in base64", e);
            }
            this.vaultMasterKey = masterKey;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param ed25519 the key pair audit checkpoints are signed with; keep the public key apart from the store, so
         *        that a verification can tell a rewritten log from the real one
         * @throws IllegalArgumentException if it is not an Ed25519 key pair
         */
        public Builder auditSigningKey(KeyPair ed25519) {
            require(ed25519, "auditSigningKey");
            if (!"Ed25519".equals(ed25519.getPublic().getAlgorithm()) && !"EdDSA".equals(ed25519.getPublic()
                    .getAlgorithm())) {
                throw new IllegalArgumentException("auditSigningKey must be an Ed25519 key pair but is "
                        + ed25519.getPublic().getAlgorithm());
            }
            this.auditKey = ed25519;
            return this;
        }

        /**
         * Accepts an audit log whose checkpoints nobody signs, and so silences the warning {@link #build()} logs when
         * no {@link #auditSigningKey(KeyPair)} is given for a store that outlives the process. Without a signature a
         * verification cannot tell a log rewritten from its first entry on from the real one.
         *
         * @return this builder
         */
        public Builder unsignedAudit() {
            this.unsignedAudit = true;
            return this;
        }

        /**
         * Opens a store already at this CODE's schema without running its migrator: one query of the schema history
         * instead of the migrator's scan and validation of every migration (most of a short command's time in the
         * store). A store behind, ahead, new or with a failed migration is migrated (or refused) as always. For a
         * process that only reads, such as a command-line tool's listing; a process that writes should leave the
         * migrator its checks.
         *
         * @return this builder
         */
        public Builder migrateOnlyWhenBehind() {
            this.migrateOnlyWhenBehind = true;
            return this;
        }

        /**
         * Adds a key JWT access tokens are verified with (and issued with, if {@code signKey} is given; the first such
         * key signs).
         *
         * @param keyId the key's {@code kid}
         * @param algorithm the one algorithm the key is used with: HS256/384/512, RS*, PS*, ES256/384/512
         * @param verifyKey the public key, or the shared secret (256 bits or more) for HS*
         * @param signKey the private key or shared secret, or null to verify only
         * @return this builder
         * @throws IllegalArgumentException if an argument is null (but {@code signKey}) or blank
         */
        public Builder jwtKey(String keyId, String algorithm, Key verifyKey, @Nullable Key signKey) {
            if (keyId == null || keyId.isBlank() || algorithm == null || algorithm.isBlank()) {
                throw new IllegalArgumentException("keyId and algorithm must not be blank");
            }
            jwtKeys.add(new Jwt.KeyConfig(keyId, algorithm, require(verifyKey, "verifyKey"), signKey));
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param issuer the {@code iss} of tokens this engine issues and accepts; {@code code} by default
         * @param audience the {@code aud} likewise; {@code code} by default
         * @throws IllegalArgumentException if either is blank
         */
        public Builder jwtIssuer(String issuer, String audience) {
            if (issuer == null || issuer.isBlank() || audience == null || audience.isBlank()) {
                throw new IllegalArgumentException("issuer and audience must not be blank");
            }
            this.jwtIssuer = issuer;
            this.jwtAudience = audience;
            return this;
        }

        /**
         * Replaces the default threat rule of the same id (see {@link ThreatRule#defaults()} and the README's table);
         * a later call for one id replaces an earlier one.
         *
         * @param rule the rule
         * @return this builder
         * @throws IllegalArgumentException if {@code rule} is null
         */
        public Builder threatRule(ThreatRule rule) {
            threatRules.put(require(rule, "rule").id(), rule);
            return this;
        }

        /**
         * Replaces the default threat rules of the same ids, as {@link #threatRule} does for each.
         *
         * @param rules the rules, such as those {@link ThreatRules#parse} reads from a configuration
         * @return this builder
         * @throws IllegalArgumentException if {@code rules} or one of them is null
         */
        public Builder threatRules(List<ThreatRule> rules) {
            require(rules, "rules").forEach(this::threatRule);
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param lease how long a deployment run stays with this engine without a heartbeat (renewed every third of
         *        it); after that another engine on the same store may take it over. 30 seconds by default.
         * @throws IllegalArgumentException if {@code lease} is null or not positive
         */
        public Builder runLease(Duration lease) {
            this.runLease = positive(lease, "runLease");
            return this;
        }

        private static Duration positive(Duration duration, String name) {
            require(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive but was " + duration);
            }
            return duration;
        }

        /**
         * @param lease how long an agent run stays with this engine unless renewed; the engine renews the leases of
         *        its runs every third of it while they run (a long model reply or tool call included). After that,
         *        or at once when the engine's process is gone from this host, another engine on the same store may
         *        resume the run. 10 minutes by default.
         * @return this builder
         * @throws IllegalArgumentException if {@code lease} is null or not positive
         */
        public Builder agentLease(Duration lease) {
            this.agentLease = positive(lease, "agentLease");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param bound how long a deployment run rides out an outage of the store: the journal writes it makes while it
         *        deploys are tried again, with backoff, while the store cannot be reached, and its services are left
         *        as they are; the run fails once an outage lasts longer. Two minutes by default; zero fails at the
         *        first write the store refuses. Each try waits up to the pool's connection timeout (10 seconds) for a
         *        connection, so a run may wait up to that much past the bound. An outage longer than
         *        {@link #runLease} lets the run's lease lapse: an engine on the same store that adopts orphaned runs
         *        may then take the run over once the store answers again, and this engine leaves it.
         * @throws IllegalArgumentException if {@code bound} is null or negative
         */
        public Builder storeOutageBound(Duration bound) {
            require(bound, "storeOutageBound");
            if (bound.isNegative()) {
                throw new IllegalArgumentException("storeOutageBound must not be negative but was " + bound);
            }
            this.storeOutageBound = bound;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param max the most instances one service of a deployment may ask for; a plan that asks for more fails
         *        whole. 64 by default.
         * @throws IllegalArgumentException if {@code max} is less than 1
         */
        public Builder maxInstances(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxInstances must be at least 1 but was " + max);
            }
            this.maxInstances = max;
            return this;
        }

        /**
         * At most one run deploys a deployment (name and environment) at a time, across every engine on the store.
         *
         * @param wait how long {@code deploy} waits for an unfinished run of the same deployment to end before it
         *        throws {@link org.codeengine.api.orchestrator.DeploymentBusyException} naming that run; zero (the
         *        default) refuses at once. The caller's deadline, if sooner, ends the wait too.
         * @return this builder
         * @throws IllegalArgumentException if {@code wait} is null or negative
         */
        public Builder waitForBusyDeployment(Duration wait) {
            require(wait, "waitForBusyDeployment");
            if (wait.isNegative()) {
                throw new IllegalArgumentException("waitForBusyDeployment must not be negative but was " + wait);
            }
            this.busyDeploymentWait = wait;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param folder where executors keep the services' logs ({@code <folder>/<run>/<service>-<instance>.log} for
         *        local processes), created readable by its owner only; {@code ~/.code/logs} by default
         * @throws IllegalArgumentException if {@code folder} is null
         */
        public Builder serviceLogs(Path folder) {
            this.serviceLogs = require(folder, "serviceLogs").toAbsolutePath();
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param adopt whether the engine resumes unfinished runs whose engine died (its lease expired, or its
         *        process is gone from this host), when it starts and every third of the lease after; true by default
         */
        public Builder adoptOrphanedRuns(boolean adopt) {
            this.adoptOrphanedRuns = adopt;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param value the circle of experts' panel: who to ask and how to decide; checked against the plugins when
         *        the engine is built
         * @throws IllegalArgumentException if {@code value} is null
         */
        public Builder experts(ExpertPanel value) {
            this.panel = require(value, "experts");
            return this;
        }

        /**
         * How agents whose brain names {@code provider} reach it (an agent whose provider is configured nowhere else
         * falls back to the configuration of a panel that names the provider).
         *
         * @param provider the provider plugin's name
         * @param config its base URL, key, timeout and settings; a key may be given by {@link ProviderConfig#KEY_REF}
         * @return this builder
         * @throws IllegalArgumentException if an argument is null
         */
        public Builder agentProvider(String provider, ProviderConfig config) {
            agentProviders.put(require(provider, "provider"), require(config, "config"));
            return this;
        }

        /**
         * Names a panel, for agents whose brain is {@link org.codeengine.api.agents.Brain.Panel} and for gates that
         * name a panel (through the {@link #gateKeeper(GateKeeper)}). The panel of {@link #experts(ExpertPanel)} is
         * named {@code default} unless a panel is given that name here.
         *
         * @param name the panel's name
         * @param value the panel
         * @return this builder
         * @throws IllegalArgumentException if an argument is null or the name is not a valid name
         */
        public Builder panel(String name, ExpertPanel value) {
            org.codeengine.api.agents.Brain.Panel checked = new org.codeengine.api.agents.Brain.Panel(require(name,
                    "name"));
            panels.put(checked.name(), require(value, "panel"));
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param keeper makes the confirmer through which a panel approves an agent's destructive calls, for specs
         *        whose gate names a panel
         * @throws IllegalArgumentException if {@code keeper} is null
         */
        public Builder gateKeeper(GateKeeper keeper) {
            this.gateKeeper = require(keeper, "gateKeeper");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param strategy a consensus strategy of the host's own, chosen by panels that name it (a name of CODE's own
         *        strategies replaces it)
         * @throws IllegalArgumentException if {@code strategy} is null
         */
        public Builder consensusStrategy(ConsensusStrategy strategy) {
            strategies.add(require(strategy, "consensusStrategy"));
            return this;
        }

        /**
         * Chooses the plugin of a kind by name, where several could serve.
         *
         * @param kind the SPI, such as {@code StoreProvider.class}
         * @param name the plugin's name
         * @return this builder
         * @throws IllegalArgumentException if {@code kind} is not one of the SPIs or {@code name} is blank
         */
        public Builder plugin(Class<? extends Plugin> kind, String name) {
            require(kind, "kind");
            if (!PluginRegistry.KINDS.contains(kind)) {
                throw new IllegalArgumentException("kind must be one of " + PluginRegistry.KINDS.stream()
                        .map(Class::getSimpleName).toList() + " but was " + kind.getName());
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            chosen.put(kind, name);
            return this;
        }

        /**
         * Sends events to a bus plugin ({@code code-plugin-redis}, {@code code-plugin-nats}) with these settings; the
         * plugin is the one {@link #plugin(Class, String)} names for {@link EventBusProvider}, or the only one
         * present. Without this or a named plugin, events go to the in-process bus.
         *
         * @param settings the plugin's settings, such as {@code url}
         * @return this builder
         * @throws IllegalArgumentException if {@code settings} is null or holds a null
         */
        public Builder eventBus(Map<String, String> settings) {
            require(settings, "settings");
            settings.forEach((k, v) -> {
                require(k, "settings key");
                require(v, "settings value of " + k);
            });
            this.eventBusSettings = Map.copyOf(settings);
            return this;
        }

        /**
         * Whether this engine relays the store's outbox to the bus (by default it does), with the default lease
         * (10 s) and poll (100 ms); see {@link #relay(boolean, Duration, Duration)}.
         *
         * @param relay whether to take part
         * @return this builder
         */
        public Builder relay(boolean relay) {
            this.relay = relay;
            return this;
        }

        /**
         * Whether this engine relays the store's outbox to the bus (by default it does). Of the engines on one store
         * that relay, one at a time does, the holder of a lease; the others take over when it lapses.
         *
         * @param relay whether to take part
         * @param lease how long the relay lease lasts unless renewed (the takeover delay after a crash), positive
         * @param poll how often an idle relay looks at the outbox, positive and shorter than {@code lease}
         * @return this builder
         * @throws IllegalArgumentException if {@code lease} or {@code poll} breaks its rule
         */
        public Builder relay(boolean relay, Duration lease, Duration poll) {
            require(lease, "lease");
            require(poll, "poll");
            this.relaySettings = new OutboxRelay.Settings(lease, poll, relaySettings.batch(), relaySettings
                    .retention());
            this.relay = relay;
            return this;
        }

        /**
         * How long published events stay in the store's event history, which {@code history} and
         * {@code code events tail} read (by default 7 days). The engine that relays prunes older ones, a small batch at
         * a time; events not yet published are never pruned.
         *
         * @param retention how long, positive
         * @return this builder
         * @throws IllegalArgumentException if {@code retention} is not positive
         */
        public Builder eventRetention(Duration retention) {
            require(retention, "retention");
            this.relaySettings = relaySettings.withRetention(retention);
            return this;
        }

        /**
         * Plans a deployment as the engine this builder builds would, with its plugins and limits, but without opening
         * the store or building an engine: it checks a plan file while another process holds an embedded store. No
         * permission is checked, as nothing is read, written or started.
         *
         * @param spec the deployment
         * @return its plan
         * @throws InvalidRequestException naming the service and the rule it breaks, as
         *         {@link Orchestrator#plan} does
         * @throws IllegalArgumentException if {@code spec} is null
         */
        public Plan plan(DeploymentSpec spec) {
            require(spec, "spec");
            PluginRegistry registry = PluginRegistry.discover(pluginLoader, chosen);
            return new Planner(byName(registry.all(StepExecutor.class)), byName(registry.all(HealthProbe.class)),
                    maxInstances).plan(spec);
        }

        /**
         * Finds the plugins as {@link #build()} would, with the choices configured here, without opening the store or
         * building an engine: what a tool that lists plugins needs, at a fraction of the cost of a build.
         *
         * @return the plugins found, the store provider that would serve the configured store, the vector kernels
         */
        public PluginSurvey survey() {
            return new PluginSurvey(PluginRegistry.discover(pluginLoader, chosen), storeConfig == null
                    ? StoreConfig.defaultFile()
                    : storeConfig);
        }

        /**
         * Discovers the plugins and opens the store.
         *
         * @return the engine
         * @throws ConfigurationException if no store provider, or more than one, accepts the store URL
         * @throws UnavailableException if the database cannot be reached
         * @throws StoreException if the store's schema cannot be migrated or is newer than this CODE
         */
        public CodeEngine build() {
            StoreConfig config = storeConfig == null ? StoreConfig.defaultFile() : storeConfig;
            PluginRegistry registry = PluginRegistry.discover(pluginLoader, chosen);
            StoreProvider provider = PluginSurvey.chooseStore(registry, config);
            JdbcStore store = JdbcStore.open(config, provider, clock, meterRegistry, List.of(JdbcStore.MIGRATIONS),
                    migrateOnlyWhenBehind);
            if (auditKey == null && !unsignedAudit && !config.jdbcUrl().startsWith("jdbc:h2:mem:")) {
                LOG.warn("The audit log of {} is unsigned: no auditSigningKey was given, so no checkpoint is signed "
                        + "and a rewritten log verifies as intact. Pass CodeEngine.builder().auditSigningKey(an "
                        + "Ed25519 KeyPair kept apart from the store), or .unsignedAudit() to accept this.",
                        config
                                .redactedUrl());
            }
            EventTransport transport;
            try {
                transport = openTransport(this, registry);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            try {
                return new CodeEngine(this, registry, store, transport);
            } catch (RuntimeException e) {
                transport.close();
                store.close();
                throw e;
            }
        }

        private static <T> T require(T value, String name) {
            if (value == null) {
                throw new IllegalArgumentException(name + " must not be null");
            }
            return Objects.requireNonNull(value);
        }
    }
}
