package org.codeengine.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import org.codeengine.api.CodeException;
import org.codeengine.api.PluginInfo;
import org.codeengine.api.StoreConfig;
import org.codeengine.core.CodeEngine;

/**
 * The smallest host: builds an engine on a store, lists the plugins it found and the store it opened, and closes it.
 *
 * <pre>
 * HelloEngine [--store=PATH | --jdbc=URL]
 * </pre>
 *
 * With no argument it uses the embedded default, H2 in {@code ~/.code/code-db}.
 */
public final class HelloEngine {
    private HelloEngine() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        StoreConfig store;
        try {
            store = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println("usage: HelloEngine [--store=PATH | --jdbc=URL]");
            return 2;
        }
        try (CodeEngine engine = CodeEngine.builder().store(store).build()) {
            out.println("CODE engine ready");
            out.printf("store   %s (%s), schema version %s%n", engine.store().url(), engine.store().provider(),
                    engine.store().schemaVersion());
            out.println("plugins");
            for (PluginInfo plugin : engine.plugins()) {
                out.printf("  %-15s %-10s %-10s api %-4s %s%s%n", plugin.kind(), plugin.name(), plugin.version(),
                        plugin.apiVersion(), plugin.status(), plugin.detail().isEmpty() ? "" : " - " + plugin.detail());
            }
            out.println("module  " + (CodeEngine.class.getModule().isNamed() ? "module path" : "class path"));
            return 0;
        } catch (CodeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static StoreConfig parse(String[] args) {
        if (args.length == 0) {
            return StoreConfig.defaultFile();
        }
        if (args.length > 1) {
            throw new IllegalArgumentException("expected at most one argument but got " + args.length);
        }
        String arg = args[0];
        if (arg.startsWith("--store=")) {
            return StoreConfig.h2File(Path.of(arg.substring("--store=".length())));
        }
        if (arg.startsWith("--jdbc=")) {
            return StoreConfig.jdbc(arg.substring("--jdbc=".length()));
        }
        throw new IllegalArgumentException("unknown argument '" + arg + "'");
    }
}
