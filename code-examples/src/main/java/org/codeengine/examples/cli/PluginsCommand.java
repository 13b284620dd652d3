package org.codeengine.examples.cli;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.PluginInfo;
import org.codeengine.api.StoreStatus;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.core.CodeEngine;
import picocli.CommandLine.Command;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code code plugins}: what the engine found, chose and skipped, and why. */
@Command(name = "plugins", mixinStandardHelpOptions = true, description = {
        "List the plugins found on the path: each one's kind, name, version, API version and status, which store "
                + "provider and vector kernels were chosen, and why a plugin was skipped or warned about.",
        "Expert providers, step executors and health probes are chosen by name in panels and plans."}, footer = {"",
                "Examples:", "  code plugins",
                "  code plugins --json | jq '.plugins[] | select(.status != \"LOADED\")'"})
final class PluginsCommand extends BaseCommand {
    @Override
    int run(Session session) {
        CodeEngine engine = session.engine();
        StoreStatus store = engine.store();
        VectorKernels kernels = engine.vectorKernels();
        List<PluginInfo> plugins = engine.plugins().stream().sorted(Comparator.comparing(PluginInfo::kind)
                .thenComparing(PluginInfo::name)).toList();
        // each executor pings its daemon or cluster with a short timeout; side by side, the slowest sets the wait
        Map<String, String> unavailable = new ConcurrentHashMap<>();
        plugins.stream().filter(p -> p.kind().equals("StepExecutor") && p.usable()).parallel().forEach(p -> engine
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
            out.print(Output.object().put("store", store.url()).put("storeProvider", store.provider()).put(
                    "vectorKernels", kernels.name()).set("plugins",
                            array));
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
        return CodeApp.OK;
    }

    private static boolean chosen(PluginInfo p, StoreStatus store, VectorKernels kernels) {
        return p.kind().equals("StoreProvider") && p.name().equals(store.provider()) || p.kind().equals(
                "VectorKernels") && p.name().equals(kernels.name());
    }
}
