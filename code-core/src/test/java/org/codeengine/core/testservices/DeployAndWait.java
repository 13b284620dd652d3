package org.codeengine.core.testservices;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.DeploymentSpecs;

/**
 * A host process for the crash tests: builds an engine, deploys a spec, prints {@code run <id>} and waits until it is
 * killed. Arguments: {@code --h2 PATH} or {@code --jdbc URL --user USER --schema SCHEMA}, {@code --spec FILE},
 * {@code --lease DURATION}.
 */
public final class DeployAndWait {
    private DeployAndWait() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = HostArgs.parse(args);
        StoreConfig store = HostArgs.store(opts);
        CodeEngine engine = CodeEngine.builder().store(store).runLease(Duration.parse(opts.get("lease")))
                .adoptOrphanedRuns(false).build();
        RunHandle run = engine.orchestrator().deploy(new CallContext(new Principal("crash-host",
                Principal.Kind.SERVICE, Set.of("admin")), null, "crash"),
                DeploymentSpecs.read(Path.of(opts.get("spec"))));
        System.out.println("run " + run.runId());
        System.out.flush();
        Files.writeString(Path.of(opts.get("spec") + ".run"), run.runId());
        Thread.sleep(Duration.ofHours(1));
    }
}
