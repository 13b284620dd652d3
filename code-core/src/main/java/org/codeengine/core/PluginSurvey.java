package org.codeengine.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.PluginInfo;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.core.internal.plugins.PluginRegistry;
import org.codeengine.core.internal.vector.KernelSelection;
import org.jspecify.annotations.Nullable;

/**
 * The plugins an engine would be built with, found without building it: nothing is opened, so listing them neither
 * creates nor migrates a store, and works while another process holds an embedded one. Made by
 * {@link CodeEngine.Builder#survey()}; the vector kernels are chosen on first use.
 */
public final class PluginSurvey {
    /** The store plugins CODE ships, by the URL prefix they accept: the error names the one to add. */
    private static final Map<String, String> SHIPPED_STORES = Map.of("jdbc:h2:",
            "org.codeengine:code-plugin-h2 (embedded H2, the default store)", "jdbc:postgresql:",
            "org.codeengine:code-plugin-postgres");

    private final PluginRegistry registry;
    private final StoreConfig store;
    private volatile @Nullable VectorKernels kernels;

    PluginSurvey(PluginRegistry registry, StoreConfig store) {
        this.registry = registry;
        this.store = store;
    }

    /** {@return every plugin found, usable or not, with its name, version, SPI, API version and status} */
    public List<PluginInfo> plugins() {
        return registry.infos();
    }

    /**
     * {@return the name of the store provider that would open the configured store}
     *
     * @throws ConfigurationException if no store provider, or more than one, accepts the store URL
     */
    public String storeProvider() {
        return chooseStore(registry, store).name();
    }

    /** {@return the configured store's JDBC URL with any password redacted} */
    public String storeUrl() {
        return store.redactedUrl();
    }

    /**
     * {@return the vector kernels the engine would choose: the ones {@code builder().plugin(VectorKernels.class, name)}
     *         names, else the best available}
     *
     * @throws ConfigurationException if the named kernels are missing or not available here
     */
    public VectorKernels vectorKernels() {
        VectorKernels chosen = kernels;
        if (chosen == null) {
            chosen = chooseKernels(registry);
            kernels = chosen;
        }
        return chosen;
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
     * @throws NullPointerException if an argument is null
     */
    public Optional<String> executorUnavailable(String executor, Map<String, String> environment) {
        return executorUnavailable(registry, executor, environment);
    }

    static StoreProvider chooseStore(PluginRegistry registry, StoreConfig store) {
        String url = store.jdbcUrl();
        try {
            return registry.choose(StoreProvider.class, p -> p.accepts(url), "jdbcUrl " + store.redactedUrl());
        } catch (ConfigurationException e) {
            Optional<String> plugin = SHIPPED_STORES.entrySet().stream().filter(s -> url.startsWith(s.getKey()))
                    .map(Map.Entry::getValue).findFirst();
            if (plugin.isEmpty() || registry.configured(StoreProvider.class).isPresent() || registry.all(
                    StoreProvider.class).stream().anyMatch(p -> p.accepts(url))) {
                throw e;
            }
            throw new ConfigurationException(e.getMessage() + "; add " + plugin.get()
                    + " to the class path or module path", e);
        }
    }

    static VectorKernels chooseKernels(PluginRegistry registry) {
        return KernelSelection.choose(registry.all(VectorKernels.class), registry.configured(VectorKernels.class));
    }

    static Optional<String> executorUnavailable(PluginRegistry registry, String executor,
            Map<String, String> environment) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(environment, "environment");
        return registry.all(StepExecutor.class).stream().filter(e -> e.name().equals(executor)).findFirst().flatMap(
                e -> e.unavailable(environment));
    }
}
