package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process's environment variable whose value is a secret ({@code secretEnv.NAME=vault:name}): the caller needs
 * {@code secret:vault:<name>}, the value reaches the process and nothing CODE keeps.
 */
class ProcessSecretsTest {
    static final CallContext ADMIN = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")),
            null, "trace-1");
    static final String TOKEN = "tok-" + Long.toHexString(new SecureRandom().nextLong()) + "-never-shown";

    @TempDir
    Path dir;
    CodeEngine engine;
    RunHandle run;

    @BeforeEach
    void open() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("db/code-db"))).adoptOrphanedRuns(false)
                .vaultMasterKey(Secret.of(Base64.getEncoder().encodeToString(key))).unsignedAudit().build();
        engine.security().vault().put("app/token", Secret.of(TOKEN));
    }

    @AfterEach
    void close() {
        if (run != null && run.state() == RunState.SUCCEEDED) {
            engine.orchestrator().rollback(ADMIN, run.runId()).await(Duration.ofSeconds(30));
        }
        engine.close();
    }

    ServiceSpec writer(Path out) {
        return ServiceSpec.builder("api", "process").setting("command", "sh -c 'printf %s \"$API_TOKEN\" > " + out
                + "; exec sleep 60'").setting("secretEnv.API_TOKEN", "vault:app/token").setting("stopGrace", "1s")
                .build();
    }

    @Test
    void theSecretReachesTheProcess_andNoRecordOrEventOrAuditEntry() throws Exception {
        Path out = dir.resolve("seen");
        run = engine.orchestrator().deploy(ADMIN, DeploymentSpec.of("vaulted", "dev", List.of(writer(out))));

        assertThat(run.await(Duration.ofSeconds(60))).isEqualTo(RunState.SUCCEEDED);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!(Files.exists(out) && Files.size(out) > 0) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(out)).isEqualTo(TOKEN);
        assertThat(engine.orchestrator().inspect(ADMIN, run.runId()).toString() + engine.security().audit(1, 1000))
                .doesNotContain(TOKEN);
    }

    @Test
    void aCallerWithoutTheSecretsPermission_isRefused_andABadReferenceIsNamed() {
        engine.security().defineRole("deployer", Set.of(Permission.parse("deploy:*:*")), Set.of());
        CallContext deployer = new CallContext(new Principal("dev", Principal.Kind.USER, Set.of("deployer")), null,
                "trace-2");
        DeploymentSpec spec = DeploymentSpec.of("vaulted", "dev", List.of(writer(dir.resolve("never"))));

        assertThatThrownBy(() -> engine.orchestrator().deploy(deployer, spec)).isInstanceOf(
                PolicyDeniedException.class).hasMessageContaining("secret:vault:app/token");
        assertThat(engine.orchestrator().history(ADMIN, 10)).isEmpty();
        assertThat(dir.resolve("never")).doesNotExist();

        ServiceSpec plain = ServiceSpec.builder("api", "process").setting("command", "sleep 1").setting(
                "secretEnv.API_TOKEN", TOKEN).build();
        assertThatThrownBy(() -> engine.orchestrator().plan(ADMIN, DeploymentSpec.of("vaulted", "dev", List.of(
                plain)))).isInstanceOf(InvalidRequestException.class).hasMessageContaining("secretEnv.API_TOKEN")
                .hasMessageNotContaining(TOKEN);
    }
}
