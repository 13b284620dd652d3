package org.codeengine.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.codeengine.api.CallContext;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.support.JsonBodies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Secrets a container needs, given by reference: {@code secretEnv.NAME=vault:name} and {@code registryAuth=vault:name}.
 * The caller of the deploy must hold {@code secret:vault:<name>} for each; the values reach the daemon and nothing
 * else: not the step's records, the stored spec, the events or the audit log.
 */
class DockerSecretsTest {
    static final CallContext ADMIN = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")),
            null, "trace-secrets");
    static final String TOKEN = "tok-" + Long.toHexString(new SecureRandom().nextLong()) + "-never-shown";
    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    DockerClient docker;
    CodeEngine engine;
    final List<String> runs = new ArrayList<>();
    final List<Object> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws IOException {
        docker = TestDocker.daemon();
        TestDocker.image(docker);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("db/code-db"))).adoptOrphanedRuns(false)
                .vaultMasterKey(Secret.of(Base64.getEncoder().encodeToString(key))).unsignedAudit().build();
        engine.security().vault().put("app/token", Secret.of(TOKEN));
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        if (docker != null) {
            TestDocker.removeAll(docker, runs);
        }
    }

    static ServiceSpec.Builder web(String name) {
        return DockerDeployTest.web(name);
    }

    RunHandle deploy(CallContext ctx, ServiceSpec service) {
        RunHandle run = engine.orchestrator().deploy(ctx, DeploymentSpec.of("vaulted", "dev", List.of(service)));
        runs.add(run.runId());
        run.onEvent(events::add);
        return run;
    }

    @Test
    void aSecretEnvironmentVariable_reachesTheContainer_andNothingThatCodeKeeps() {
        RunHandle run = deploy(ADMIN, web("api").setting("secretEnv.API_TOKEN", "vault:app/token").build());

        assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        StepRecord step = run.steps().getFirst();
        JsonNode inspect = JsonBodies.parse(docker.call("GET", "/containers/" + step.outputs().get("0.containerId")
                + "/json", null, null, Duration.ofSeconds(10)).text(), "docker");
        List<String> env = new ArrayList<>();
        inspect.path("Config").path("Env").forEach(e -> env.add(e.asString()));
        assertThat(env).contains("API_TOKEN=" + TOKEN);

        String kept = engine.orchestrator().inspect(ADMIN, run.runId()).toString() + run.steps() + engine.security()
                .audit(1, 10_000) + events;
        assertThat(kept).contains(step.outputs().get("0.containerId")).doesNotContain(TOKEN);
    }

    @Test
    void aCallerWithoutTheSecretsPermission_isRefusedBeforeAnythingStarts_andOneWithItDeploys() {
        engine.security().defineRole("deployer", Set.of(Permission.parse("deploy:*:*")), Set.of());
        engine.security().defineRole("vaulted", Set.of(Permission.parse("deploy:*:*"), Permission.parse(
                "secret:vault:app/token")), Set.of());
        CallContext deployer = new CallContext(new Principal("dev", Principal.Kind.USER, Set.of("deployer")), null,
                "trace-dev");
        ServiceSpec api = web("api").setting("secretEnv.API_TOKEN", "vault:app/token").build();

        assertThatThrownBy(() -> deploy(deployer, api)).isInstanceOf(PolicyDeniedException.class).hasMessageContaining(
                "secret:vault:app/token").hasMessageNotContaining(TOKEN);
        assertThat(engine.orchestrator().history(ADMIN, 10)).isEmpty();

        CallContext vaulted = new CallContext(new Principal("ops", Principal.Kind.USER, Set.of("vaulted")), null,
                "trace-ops");
        assertThat(deploy(vaulted, api).await(WAIT)).isEqualTo(RunState.SUCCEEDED);
    }

    @Test
    void aSecretGivenInPlaceOfAReference_isRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> deploy(ADMIN, web("api").setting("secretEnv.API_TOKEN", TOKEN).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("secretEnv.API_TOKEN")
                .hasMessageContaining("secret reference").hasMessageNotContaining(TOKEN);
        assertThatThrownBy(() -> deploy(ADMIN, web("api").setting("env.API_TOKEN", "x").setting(
                "secretEnv.API_TOKEN", "vault:app/token").build())).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("set one variable twice");
    }

    @Test
    void aRegistryCredential_goesToTheRegistryThroughTheDaemon_andIntoNoMessage() throws IOException {
        String password = "pa55-" + Long.toHexString(new SecureRandom().nextLong());
        engine.security().vault().put("registry/robot", Secret.of("robot:" + password));
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        registry.createContext("/v2/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] body;
            if (auth == null) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"code-test\"");
                body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"login\"}]}".getBytes(
                        StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(401, body.length);
            } else {
                authorizations.add(auth);
                boolean root = exchange.getRequestURI().getPath().equals("/v2/");
                body = (root ? "{}" : "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
                exchange.sendResponseHeaders(root ? 200 : 404, exchange.getRequestMethod().equals("HEAD")
                        ? -1
                        : body.length);
            }
            if (!exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        registry.start();
        try {
            String image = "127.0.0.1:" + registry.getAddress().getPort() + "/team/private:1";
            RunHandle run = deploy(ADMIN, web("api").setting("image", image).setting("pull", "always").setting(
                    "registryAuth", "vault:registry/robot").build());

            assertThat(run.await(WAIT)).isIn(RunState.FAILED, RunState.ROLLED_BACK);
            String error = run.steps().getFirst().error();
            assertThat(error).contains("pulling image '" + image + "'", "manifest unknown").doesNotContain(password);
            assertThat(authorizations).as("what the registry was sent").isNotEmpty().allSatisfy(a -> assertThat(a)
                    .isEqualTo("Basic " + Base64.getEncoder().encodeToString(("robot:" + password).getBytes(
                            StandardCharsets.UTF_8))));
            assertThat(engine.security().audit(1, 10_000).toString() + events).doesNotContain(password);
        } finally {
            registry.stop(0);
        }
    }
}
