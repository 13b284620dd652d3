package org.codeengine.examples.cli;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --metrics-port}, on the commands that run for long: a Prometheus scrape endpoint while they run. */
final class MetricsOption {
    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve the engine's meters for Prometheus at "
            + "http://127.0.0.1:PORT/metrics while the command runs (0 picks a free port; loopback only).")
    @Nullable
    Integer port;

    /** Asks the session for the endpoint, if the flag was given; before the session opens its engine. */
    void apply(Session session) {
        session.serveMetrics(port);
    }
}
