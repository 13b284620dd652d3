package org.codeengine.examples.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.PluginInfo;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.core.PluginSurvey;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code code plugins}: what the engine found, chose and skipped, and why. */
@Command(name = "plugins", mixinStandardHelpOptions = true, description = {
        "List the plugins found on the path: each one's kind, name, version, API version and status, which store "
                + "provider and vector kernels were chosen, and why a plugin was skipped or warned about.",
        "Expert providers, step executors and health probes are chosen by name in panels and plans. Tool plugins "
                + "are listed with their tools, when 'code mcp serve' serves them, and why one cannot run here."}, footer = {
                        "",
                        "Examples:", "  code plugins",
                        "  code plugins --json | jq '.plugins[] | select(.status != \"LOADED\")'"})
final class PluginsCommand extends BaseCommand {
    @Override
    int run(Session session) {
        // found without building an engine: listing plugins neither creates nor opens (nor migrates) the store
        PluginSurvey survey = session.builder().store(session.storeConfig()).survey();
        Store store = new Store(survey.storeProvider(), survey.storeUrl());
        VectorKernels kernels = survey.vectorKernels();
        List<PluginInfo> plugins = survey.plugins().stream().sorted(Comparator.comparing(PluginInfo::kind)
                .thenComparing(PluginInfo::name)).toList();
        // each executor pings its daemon or cluster with a short timeout; side by side, the slowest sets the wait
        Map<String, String> unavailable = new ConcurrentHashMap<>();
        plugins.stream().filter(p -> p.kind().equals("StepExecutor") && p.usable()).parallel().forEach(p -> survey
                .executorUnavailable(p.name(), session.io().env()).ifPresent(why -> unavailable.put(p.name(), why)));
        Output out = session.out();
        if (out.json()) {
            ArrayNode array = Output.JSON.createArrayNode();
            for (PluginInfo p : plugins) {
                ObjectNode node = array.addObject().put("kind", p.kind()).put("name", p.name()).put("version", p
                        .version()).put("apiVersion", p.apiVersion()).put("status", p.status().name()).put("detail", p
                                .detail())
                        .put("chosen", chosen(p, store, kernels));
                if (p.kind().equals("StepExecutor")) {
                    node.put("unavailable", unavailable.get(p.name()));
                }
            }
            ArrayNode tools = Output.JSON.createArrayNode();
            for (ToolPlugin t : toolPlugins(session.config())) {
                ObjectNode node = tools.addObject().put("name", t.name()).put("served", t.served()).put(
                        "unavailable", t.unavailable());
                t.tools().forEach(node.putArray("tools")::add);
            }
            ObjectNode json = Output.object().put("store", store.url()).put("storeProvider", store.provider()).put(
                    "vectorKernels", kernels.name());
            json.set("plugins", array);
            json.set("tools", tools);
            out.print(json);
            return CodeApp.OK;
        }
        out.line(out.bold(String.format(Locale.ROOT, "%-15s %-10s %-15s %-5s %-20s %s", "KIND", "NAME", "VERSION",
                "API", "STATUS", "NOTE")));
        for (PluginInfo p : plugins) {
            String status = switch (p.status()) {
                case LOADED -> out.green(String.format(Locale.ROOT, "%-20s", "loaded"));
                case LOADED_WITH_WARNING -> out.yellow(String.format(Locale.ROOT, "%-20s", "loaded, warning"));
                case FAILED -> out.red(String.format(Locale.ROOT, "%-20s", "skipped"));
            };
            String why = p.kind().equals("StepExecutor") ? unavailable.get(p.name()) : null;
            String note = why != null
                    ? out.yellow("unavailable: " + why)
                    : !chosen(p, store, kernels)
                            ? p.detail()
                            : p.kind().equals("StoreProvider")
                                    ? "chosen for " + store.url()
                                    : "chosen: " + kernels.describe();
            out.line(String.format(Locale.ROOT, "%-15s %-10s %-15s %-5s ", p.kind(), p.name(), p.version(), p
                    .apiVersion()) + status + " " + note);
        }
        out.line("");
        out.line(out.bold(String.format(Locale.ROOT, "%-10s %-45s %s", "TOOLS", "STATUS", "TOOL NAMES")));
        for (ToolPlugin t : toolPlugins(session.config())) {
            String status = t.unavailable() != null
                    ? out.yellow("unavailable: " + t.unavailable())
                    : String.format(Locale.ROOT, "%-45s", t.served());
            out.line(String.format(Locale.ROOT, "%-10s ", t.name()) + status + " " + String.join(", ", t.tools()));
        }
        return CodeApp.OK;
    }

    /**
     * The store as {@code code plugins} shows it, found without opening it.
     *
     * @param provider the store provider that serves it
     * @param url its JDBC URL, any password redacted
     */
    private record Store(String provider, String url) {}

    /**
     * A tool plugin as {@code code plugins} shows it.
     *
     * @param name its name, as {@code --tools} and config.yaml's {@code tools:} use it
     * @param tools its tools' names
     * @param served when {@code code mcp serve} serves it
     * @param unavailable why its tools cannot run here, or null
     */
    record ToolPlugin(String name, List<String> tools, String served, @Nullable String unavailable) {}

    /** {@return every tool plugin on the path, by name, whether its tools can run here and when they are served} */
    static List<ToolPlugin> toolPlugins(Config config) {
        List<ToolPlugin> found = new ArrayList<>();
        for (ServiceLoader.Provider<ToolProvider> provider : ServiceLoader.load(ToolProvider.class).stream()
                .toList()) {
            ToolProvider p;
            try {
                p = provider.get();
            } catch (ServiceConfigurationError | RuntimeException e) {
                found.add(new ToolPlugin(provider.type().getName(), List.of(), "not loaded", String.valueOf(e
                        .getMessage())));
                continue;
            }
            String served = p.enabledByDefault()
                    ? "always served"
                    : config.tools().containsKey(p.name())
                            ? "configured in config.yaml (tools." + p.name() + ")"
                            : "served with --tools " + p.name();
            found.add(new ToolPlugin(p.name(), p.tools().stream().map(ToolDescriptor::name).sorted().toList(), served,
                    p.unavailable().orElse(null)));
        }
        found.sort(Comparator.comparing(ToolPlugin::name));
        return found;
    }

    private static boolean chosen(PluginInfo p, Store store, VectorKernels kernels) {
        return p.kind().equals("StoreProvider") && p.name().equals(store.provider()) || p.kind().equals(
                "VectorKernels") && p.name().equals(kernels.name());
    }
}
