package org.codeengine.core.testservices;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.codeengine.api.StoreConfig;

/** The arguments the test host processes share: {@code --name value} pairs, and the store they name. */
final class HostArgs {
    private HostArgs() {}

    /** {@return the {@code --name value} pairs, by name without the dashes} */
    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }

    /** {@return {@code --h2 PATH}, or {@code --jdbc URL --user USER --schema SCHEMA}} */
    static StoreConfig store(Map<String, String> opts) {
        return opts.containsKey("h2")
                ? StoreConfig.h2File(Path.of(opts.get("h2")))
                : StoreConfig.jdbc(opts.get("jdbc")).withCredentials(opts.get("user"), null).withSchema(opts.get(
                        "schema"));
    }
}
