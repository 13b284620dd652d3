package org.codeengine.examples.agents;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.agents.AgentEvent;
import org.codeengine.api.agents.AgentRun;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Budget;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.CodeEngine;

/**
 * A host JVM that runs the ledger agent and prints each event as a line, so that a test can kill it at a chosen
 * moment: {@code AgentHost <h2 file> <model base URL> <ledger file>}. Prints {@code run <id>} first.
 */
public final class AgentHost {
    static final CallContext CTX = new CallContext(new Principal("keeper", Principal.Kind.SERVICE, Set.of("admin")),
            null, "crash-resume");
    static final AgentSpec SPEC = new AgentSpec("bookkeeper", "", "You keep the ledger.", new Brain.Model("openai",
            "test-model"), List.of("ledger_*"), new Budget(10, 100_000, 1.0, Duration.ofMinutes(5), 2), Gate.NONE);
    static final String TASK = "Write one, two and three into the ledger.";

    private AgentHost() {}

    static CodeEngine engine(Path h2, URI model, Path ledger) {
        return CodeEngine.builder().store(StoreConfig.h2File(h2)).unsignedAudit().toolProvider(new Ledger(ledger))
                .agentProvider("openai", new ProviderConfig(model, null, Duration.ofSeconds(30), Map.of())).build();
    }

    public static void main(String[] args) throws Exception {
        try (CodeEngine engine = engine(Path.of(args[0]), URI.create(args[1]), Path.of(args[2]))) {
            AgentRun run = engine.agents().run(CTX, SPEC, TASK);
            System.out.println("run " + run.runId());
            System.out.flush();
            run.onEvent(event -> {
                System.out.println("event " + describe(event));
                System.out.flush();
            });
            run.await(Duration.ofMinutes(2));
            Files.writeString(Path.of(args[2] + ".done"), "done");
        }
    }

    private static String describe(AgentEvent event) {
        return switch (event) {
            case AgentEvent.ToolStarted s -> "ToolStarted " + s.tool();
            case AgentEvent.ToolEnded e -> "ToolEnded " + e.outcome().tool();
            default -> event.getClass().getSimpleName();
        };
    }
}
