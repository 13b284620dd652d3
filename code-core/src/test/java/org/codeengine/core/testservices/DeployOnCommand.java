package org.codeengine.core.testservices;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentBusyException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.DeploymentSpecs;

/**
 * A host process for the concurrency tests: builds an engine on a PostgreSQL schema and deploys a spec each time it
 * reads {@code deploy} on its standard input, answering one line per deploy: {@code ran <run> <state>} once the run
 * ended, {@code busy <run>} when it was refused for that unfinished run, or {@code error <message>}. It prints
 * {@code ready} once its engine is built, and ends at {@code quit} or the end of its input. Arguments:
 * {@code --jdbc URL --user USER --schema SCHEMA --spec FILE}.
 */
public final class DeployOnCommand {
    private DeployOnCommand() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = HostArgs.parse(args);
        StoreConfig store = HostArgs.store(opts);
        DeploymentSpec spec = DeploymentSpecs.read(Path.of(opts.get("spec")));
        CallContext ctx = new CallContext(new Principal("deploy-host", Principal.Kind.SERVICE, Set.of("admin")), null,
                "concurrent");
        try (CodeEngine engine = CodeEngine.builder().store(store).adoptOrphanedRuns(false).build()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            say("ready");
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
                try {
                    RunHandle run = engine.orchestrator().deploy(ctx, spec);
                    say("ran " + run.runId() + " " + run.await(Duration.ofSeconds(60)));
                } catch (DeploymentBusyException e) {
                    say("busy " + e.runningRunId());
                } catch (RuntimeException e) {
                    say("error " + e);
                }
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
