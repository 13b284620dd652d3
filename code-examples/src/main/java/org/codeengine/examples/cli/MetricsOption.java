package org.codeengine.examples.cli;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --metrics-port}, on the commands that run for long: a Prometheus scrape endpoint while they run. */
final class MetricsOption {
    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve the engine's meters for Prometheus at "
            + "http://127.0.0.1:PORT/metrics while the command runs (0 picks a free port; loopback only).")
    @Nullable
    Integer port;

    @Option(names = "--metrics-require-key", description = "Serve scrapes only to requests with 'Authorization: Bearer "
            + "KEY', an API key (code keys create) or token the store accepts; Prometheus sends it with "
            + "authorization.credentials_file.")
    boolean requireKey;

    /**
     * Asks the session for the endpoint, if the flag was given; before the session opens its engine.
     *
     * @throws CliException if {@code --metrics-require-key} is given without {@code --metrics-port}
     */
    void apply(Session session) {
        if (requireKey && port == null) {
            throw CliException.usage("--metrics-require-key guards the scrape endpoint: it needs --metrics-port",
                    "add --metrics-port 9464");
        }
        session.serveMetrics(port, requireKey);
    }
}
