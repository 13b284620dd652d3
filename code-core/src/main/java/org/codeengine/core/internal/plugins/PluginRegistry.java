package org.codeengine.core.internal.plugins;

import java.lang.module.ModuleDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.PluginInfo;
import org.codeengine.api.PluginInfo.Status;
import org.codeengine.api.spi.EventBusProvider;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.Plugin;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.VectorKernels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every plugin found with {@link ServiceLoader}, loaded once when the engine is built. A plugin that fails to load,
 * says an invalid name, repeats another's name or was built for another major API version is reported and skipped;
 * the rest keep working.
 */
public final class PluginRegistry {
    /** The SPIs the engine looks for. */
    public static final List<Class<? extends Plugin>> KINDS = List.of(ExpertProvider.class, StepExecutor.class,
            HealthProbe.class, ToolProvider.class, VectorKernels.class, StoreProvider.class, EventBusProvider.class);

    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);
    private static final Pattern PROVIDER = Pattern.compile("Provider ([\\w.$]+)");

    private final Map<Class<? extends Plugin>, List<Plugin>> loaded;
    private final List<PluginInfo> infos;
    private final Map<Class<? extends Plugin>, String> chosen;

    private PluginRegistry(Map<Class<? extends Plugin>, List<Plugin>> loaded, List<PluginInfo> infos,
            Map<Class<? extends Plugin>, String> chosen) {
        this.loaded = loaded;
        this.infos = infos;
        this.chosen = chosen;
    }

    /**
     * {@return the plugins found}
     *
     * @param loader where to look on the class path; providers in named modules of the boot layer are found too
     * @param chosen plugin names chosen by configuration, per kind
     */
    public static PluginRegistry discover(ClassLoader loader, Map<Class<? extends Plugin>, String> chosen) {
        Map<Class<? extends Plugin>, List<Plugin>> loaded = new LinkedHashMap<>();
        List<PluginInfo> infos = new ArrayList<>();
        for (Class<? extends Plugin> kind : KINDS) {
            loaded.put(kind, List.copyOf(load(kind, loader, infos)));
        }
        return new PluginRegistry(Map.copyOf(loaded), List.copyOf(infos), Map.copyOf(chosen));
    }

    private static List<Plugin> load(Class<? extends Plugin> kind, ClassLoader loader, List<PluginInfo> infos) {
        List<Plugin> plugins = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Iterator<? extends Plugin> it = ServiceLoader.load(kind, loader).iterator();
        while (true) {
            Plugin plugin;
            try {
                if (!it.hasNext()) {
                    break;
                }
                plugin = it.next();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                // The iterator goes on to the next provider after an error, as ServiceLoader documents.
                String detail = "failed to load: " + describe(e);
                infos.add(new PluginInfo(kind.getSimpleName(), providerName(e), "unknown", "unknown", Status.FAILED,
                        detail));
                LOG.warn("Skipping a {} plugin that {}", kind.getSimpleName(), detail);
                continue;
            }
            PluginInfo info = inspect(kind, plugin, names);
            infos.add(info);
            if (info.usable()) {
                plugins.add(plugin);
                names.add(info.name());
                if (info.status() == Status.LOADED_WITH_WARNING) {
                    LOG.warn("{} plugin '{}': {}", kind.getSimpleName(), info.name(), info.detail());
                }
            } else {
                LOG.warn("Skipping {} plugin '{}': {}", kind.getSimpleName(), info.name(), info.detail());
            }
        }
        return plugins;
    }

    private static PluginInfo inspect(Class<? extends Plugin> kind, Plugin plugin, Set<String> namesSoFar) {
        String className = plugin.getClass().getName();
        String version = version(plugin.getClass());
        String name;
        String apiVersion;
        try {
            name = plugin.name();
            apiVersion = plugin.apiVersion();
        } catch (RuntimeException | LinkageError e) {
            return new PluginInfo(kind.getSimpleName(), className, version, "unknown", Status.FAILED,
                    "failed to say its name or API version: " + describe(e));
        }
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            return new PluginInfo(kind.getSimpleName(), className, version, String.valueOf(apiVersion), Status.FAILED,
                    "name must match [a-z0-9][a-z0-9._-]{0,62} but was '" + name + "'");
        }
        if (namesSoFar.contains(name)) {
            return new PluginInfo(kind.getSimpleName(), name, version, String.valueOf(apiVersion), Status.FAILED,
                    "another " + kind.getSimpleName() + " plugin already has this name; " + className + " is skipped");
        }
        return compareApi(kind, name, version, apiVersion);
    }

    private static PluginInfo compareApi(Class<? extends Plugin> kind, String name, String version,
            String apiVersion) {
        String[] theirs = String.valueOf(apiVersion).split("\\.");
        String[] ours = ApiVersion.CURRENT.split("\\.");
        if (theirs.length != 2 || !theirs[0].equals(ours[0])) {
            return new PluginInfo(kind.getSimpleName(), name, version, String.valueOf(apiVersion), Status.FAILED,
                    "built for API " + apiVersion + " but this engine has API " + ApiVersion.CURRENT
                            + "; use a version of the plugin built for API " + ours[0] + ".x");
        }
        if (!theirs[1].equals(ours[1])) {
            return new PluginInfo(kind.getSimpleName(), name, version, apiVersion, Status.LOADED_WITH_WARNING,
                    "built for API " + apiVersion + ", this engine has API " + ApiVersion.CURRENT);
        }
        return new PluginInfo(kind.getSimpleName(), name, version, apiVersion, Status.LOADED, "");
    }

    private static String version(Class<?> type) {
        Optional<String> moduleVersion = Optional.ofNullable(type.getModule().getDescriptor())
                .flatMap(ModuleDescriptor::rawVersion);
        if (moduleVersion.isPresent()) {
            return moduleVersion.get();
        }
        String implementation = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
        return implementation == null ? "unknown" : implementation;
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            text.append(" <- ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        return text.toString();
    }

    /** ServiceLoader's messages start with "Service: Provider class ..." where it knows the provider. */
    private static String providerName(Throwable e) {
        String message = String.valueOf(e.getMessage());
        Matcher m = PROVIDER.matcher(message);
        return m.find() ? m.group(1) : "unknown provider";
    }

    /** {@return every plugin tried, usable or not, in discovery order} */
    public List<PluginInfo> infos() {
        return infos;
    }

    /**
     * {@return its usable plugins, in discovery order}
     *
     * @param kind an SPI
     */
    public <T extends Plugin> List<T> all(Class<T> kind) {
        return loaded.getOrDefault(kind, List.of()).stream().map(kind::cast).toList();
    }

    /**
     * {@return the plugin name configuration chose for it, if any}
     *
     * @param kind an SPI
     */
    public Optional<String> configured(Class<? extends Plugin> kind) {
        return Optional.ofNullable(chosen.get(kind));
    }

    /**
     * Chooses one plugin of a kind: the one configuration names, else the only candidate, else an error listing the
     * candidates.
     *
     * @param kind the SPI
     * @param candidates which plugins can serve (for a store: those that accept the URL)
     * @param purpose what the plugin is for, for error messages, e.g. "jdbcUrl jdbc:h2:mem:x"
     * @return the chosen plugin
     * @throws ConfigurationException when none or several can serve and configuration does not decide
     */
    public <T extends Plugin> T choose(Class<T> kind, Predicate<? super T> candidates, String purpose) {
        List<T> all = all(kind);
        String configured = chosen.get(kind);
        List<T> fitting = all.stream().filter(candidates).toList();
        if (configured != null) {
            return all.stream().filter(p -> p.name().equals(configured)).findFirst().map(p -> {
                if (!fitting.contains(p)) {
                    throw new ConfigurationException(kind.getSimpleName() + " plugin '" + configured
                            + "' was chosen but does not serve " + purpose, null);
                }
                return p;
            }).orElseThrow(() -> new ConfigurationException(kind.getSimpleName() + " plugin '" + configured
                    + "' was chosen but is not present; present: " + names(all), null));
        }
        if (fitting.size() == 1) {
            return fitting.getFirst();
        }
        if (fitting.isEmpty()) {
            throw new ConfigurationException("no " + kind.getSimpleName() + " plugin serves " + purpose
                    + "; present: " + names(all) + skippedNote(kind), null);
        }
        throw new ConfigurationException("several " + kind.getSimpleName() + " plugins serve " + purpose + ": "
                + names(fitting) + "; choose one with CodeEngine.builder().plugin(" + kind.getSimpleName()
                + ".class, name)", null);
    }

    private String skippedNote(Class<? extends Plugin> kind) {
        List<String> skipped = infos.stream().filter(i -> i.kind().equals(kind.getSimpleName()) && !i.usable())
                .map(i -> i.name() + " (" + i.detail() + ")").toList();
        return skipped.isEmpty() ? "" : "; skipped: " + String.join(", ", skipped);
    }

    private static String names(Collection<? extends Plugin> plugins) {
        return plugins.isEmpty()
                ? "none"
                : plugins.stream().map(Plugin::name).sorted(Comparator.naturalOrder())
                        .collect(Collectors.joining(", "));
    }
}
