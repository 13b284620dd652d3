package org.codeengine.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.api.security.AuditVerification;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.DeploymentSpecs;

/**
 * The README's "Embedding CODE in a host application" snippet, as code that compiles: the part between the README
 * markers is the README's text, and {@code EmbedCodeTest} checks the two are the same and runs this.
 */
public final class EmbedCode {
    private EmbedCode() {}

    /**
     * Builds an engine on an H2 file, checks a plan, defines a role, and verifies the audit log.
     *
     * @param storeFile the H2 file, without {@code .mv.db}
     * @param out where to print
     * @return whether the audit log verified
     */
    public static boolean run(Path storeFile, PrintStream out) {
        // README:begin
        try (CodeEngine engine = CodeEngine.builder()
                .store(StoreConfig.h2File(storeFile)) // or StoreConfig.jdbc("jdbc:postgresql://...")
                .build()) {
            CallContext ctx = new CallContext(new Principal("host", Principal.Kind.SYSTEM, Set.of("admin")), null,
                    "boot-1");
            DeploymentSpec spec = DeploymentSpecs.parse("""
                    name: hello
                    environment: dev
                    services:
                      - {name: db, executor: process, settings: {command: "sleep 60"}}
                      - {name: web, executor: process, dependsOn: [db], settings: {command: "sleep 60"}}
                    """);
            Plan plan = engine.orchestrator().plan(ctx, spec); // checks the plan, runs nothing
            out.print(plan.describe());
            engine.security().defineRole("deployer", Set.of(Permission.parse("deploy:*:dev")), Set.of());
            AuditVerification audit = engine.security().verifyAudit();
            out.println("audit log intact: " + audit.intact());
            return audit.intact();
        }
        // README:end
    }

    /** @param args the H2 file to use, {@code hello-db} by default */
    public static void main(String[] args) {
        System.exit(run(Path.of(args.length > 0 ? args[0] : "hello-db"), System.out) ? 0 : 1);
    }
}
