package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code code mcp serve --http --require-token}: the app's MCP face as an OAuth 2.1 resource server, a child process
 * on a real port, its tokens checked by CODE's security against a JWK Set file and the store's API keys and roles.
 */
class McpRequireTokenTest {
    private static final String ISSUER = "https://auth.test.example";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path home;

    private static KeyPair signing;
    private static Path jwks;
    private static String apiKey;

    @BeforeAll
    static void keysRolesAndAnApiKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        signing = generator.generateKeyPair();
        ECPublicKey pub = (ECPublicKey) signing.getPublic();
        ObjectNode key = Output.object().put("kty", "EC").put("crv", "P-256").put("kid", "k1").put("use", "sig").put(
                "x", b64(unsigned(pub.getW().getAffineX().toByteArray()))).put("y",
                        b64(unsigned(pub.getW()
                                .getAffineY().toByteArray())));
        ObjectNode set = Output.object();
        set.putArray("keys").add(Output.object().put("kty", "RSA").put("use", "enc").put("kid", "not-for-signing"))
                .add(key);
        jwks = home.resolve("jwks.json");
        Files.writeString(jwks, set.toString());

        Cli cli = new Cli(home);
        Cli.Result role = cli.run("roles", "define", "status-caller", "--grant", "tool:call:code_status", "--grant",
                "deploy:read:*");
        assertThat(role.exit()).as(role.all()).isZero();
        Cli.Result created = cli.run("--json", "keys", "create", "--owner", "bot", "--role", "status-caller");
        assertThat(created.exit()).as(created.all()).isZero();
        apiKey = created.json().path("key").asString();
        assertThat(apiKey).startsWith("code_");
    }

    /** {@return the 32 bytes of a P-256 coordinate, without the sign byte or with the leading zeros it needs} */
    private static byte[] unsigned(byte[] twos) {
        byte[] out = new byte[32];
        int n = Math.min(32, twos.length);
        System.arraycopy(twos, twos.length - n, out, 32 - n, n);
        return out;
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** {@return an ES256 access token (RFC 9068) signed with the test's key, with these claims} */
    private static String token(String issuer, String audience, String subject, List<String> roles, Instant expires)
            throws Exception {
        ObjectNode header = Output.object().put("alg", "ES256").put("typ", "at+jwt").put("kid", "k1");
        ObjectNode claims = Output.object().put("iss", issuer).put("aud", audience).put("sub", subject).put("iat",
                Instant.now().getEpochSecond()).put("exp", expires.getEpochSecond()).put("scope", "mcp");
        roles.forEach(claims.putArray("roles")::add);
        String input = b64(header.toString().getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.toString().getBytes(
                StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(signing.getPrivate());
        signer.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64(signer.sign());
    }

    /** The app serving MCP on HTTP as a child process, with everything it wrote to stdout and stderr. */
    private record App(Process process, Path log, URI endpoint) implements AutoCloseable {
        @Override
        public void close() {
            stop();
        }

        /** Stops the app (as Ctrl-C does) and waits for it to end. */
        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        String output() throws IOException {
            return Files.readString(log);
        }
    }

    private static App serve(String... options) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String modulePath = Files.readString(Path.of("target/module-path.txt")).strip() + File.pathSeparator + Path.of(
                "target/classes").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:TieredStopAtLevel=1", "-p", modulePath, "-m",
                "org.codeengine.examples/org.codeengine.examples.cli.CodeApp", "--home", home.toString(), "mcp",
                "serve", "--http", "--port", Integer.toString(port)));
        command.addAll(Arrays.asList(options));
        Path output = Files.createTempFile(home, "serve", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("CODE_"));
        App app = new App(builder.start(), output, URI.create("http://127.0.0.1:" + port + "/mcp"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!app.output().contains("serving MCP at")) {
            if (!app.process().isAlive() || System.nanoTime() > deadline) {
                app.stop();
                throw new AssertionError("mcp serve did not start: " + app.output());
            }
            Thread.onSpinWait();
        }
        return app;
    }

    private static HttpResponse<String> post(App app, @Nullable String bearer, @Nullable String session,
            String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.endpoint()).timeout(Duration.ofSeconds(30)).header(
                "Content-Type", "application/json").header("Accept", "application/json, text/event-stream").POST(
                        HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (session != null) {
            request.header("MCP-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@return the JSON-RPC message of a response, whether it came as JSON or as the last event of an SSE stream} */
    private static JsonNode message(HttpResponse<String> response) {
        String body = response.body();
        if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            body = body.lines().filter(l -> l.startsWith("data:")).reduce((a, b) -> b).orElseThrow().substring(5);
        }
        return Output.JSON.readTree(body);
    }

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    /** A caller's session: its bearer credential and the session the server gave it. */
    private record Caller(App app, String bearer, String session) {
        JsonNode call(String method, String params) throws Exception {
            HttpResponse<String> response = post(app, bearer, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\""
                    + method + "\",\"params\":" + params + "}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return message(response);
        }

        JsonNode callTool(String tool) throws Exception {
            return call("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":{}}");
        }
    }

    private static Caller open(App app, String bearer) throws Exception {
        HttpResponse<String> init = post(app, bearer, null, INITIALIZE);
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String session = init.headers().firstValue("MCP-Session-Id").orElseThrow();
        HttpResponse<String> initialized = post(app, bearer, session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        assertThat(initialized.statusCode()).isEqualTo(202);
        return new Caller(app, bearer, session);
    }

    /** {@return whether a tools/call answer refuses the call: a JSON-RPC error, or a result with isError} */
    private static boolean refused(JsonNode answer) {
        return answer.has("error") || answer.path("result").path("isError").asBoolean(false);
    }

    @Test
    void requireToken_refusesCallersWithoutAGoodToken_andChecksEachCallersToolPermissions() throws Exception {
        List<String> secrets = new ArrayList<>(List.of(apiKey));
        try (App app = serve("--require-token", "--token-issuer", ISSUER, "--token-jwks", jwks.toString())) {
            String audience = app.endpoint().toString();
            Instant later = Instant.now().plusSeconds(600);

            HttpResponse<String> none = post(app, null, null, INITIALIZE);
            assertThat(none.statusCode()).isEqualTo(401);
            String metadataUrl = "http://" + app.endpoint().getAuthority()
                    + "/.well-known/oauth-protected-resource/mcp";
            assertThat(none.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer").contains(
                    "resource_metadata=\"" + metadataUrl + "\"");
            JsonNode metadata = Output.JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(metadataUrl))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(metadata.path("resource").asString()).isEqualTo(audience);
            assertThat(metadata.path("authorization_servers").get(0).asString()).isEqualTo(ISSUER);

            String good = token(ISSUER, audience, "alice", List.of("status-caller"), later);
            String tampered = good.substring(0, good.lastIndexOf('.') + 1) + b64(new byte[64]);
            List<String> bad = List.of(tampered, token(ISSUER, "http://elsewhere.example/mcp", "alice", List.of(
                    "admin"), later), token("https://other-issuer.example", audience, "alice", List.of("admin"),
                            later),
                    token(ISSUER, audience, "alice", List.of("admin"), Instant.now().minusSeconds(120)),
                    "code_nosuch_key", "not-a-token");
            secrets.addAll(bad);
            for (String each : bad) {
                HttpResponse<String> refused = post(app, each, null, INITIALIZE);
                assertThat(refused.statusCode()).as(each).isEqualTo(401);
                assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow()).contains(
                        "error=\"invalid_token\"");
                assertThat(refused.body()).doesNotContain(each);
            }

            Caller alice = open(app, good);
            secrets.add(good);
            List<String> listed = alice.call("tools/list", "{}").path("result").path("tools").valueStream().map(t -> t
                    .path("name").asString()).toList();
            assertThat(listed).containsExactly("code_status");
            JsonNode status = alice.callTool("code_status");
            assertThat(refused(status)).as(status.toString()).isFalse();
            JsonNode denied = alice.callTool("audit_verify");
            assertThat(refused(denied)).as(denied.toString()).isTrue();
            assertThat(denied.toString()).contains("tool:call:audit_verify");

            String admin = token(ISSUER, audience, "root", List.of("admin"), later);
            secrets.add(admin);
            JsonNode verified = open(app, admin).callTool("audit_verify");
            assertThat(refused(verified)).as(verified.toString()).isFalse();
            // a session belongs to the caller that opened it: another token cannot ride on it
            assertThat(post(app, admin, alice.session(), "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}")
                    .statusCode()).isEqualTo(404);

            Caller bot = open(app, apiKey);
            assertThat(refused(bot.callTool("code_status"))).isFalse();
            assertThat(refused(bot.callTool("audit_verify"))).isTrue();

            app.stop();
            String output = app.output();
            assertThat(output).contains("tokens of " + ISSUER + " for " + audience);
            List<Path> logs;
            try (Stream<Path> files = Files.walk(home)) {
                logs = files.filter(p -> p.toString().endsWith(".log") || p.getParent().getFileName().toString()
                        .equals("logs")).filter(Files::isRegularFile).toList();
            }
            Cli.Result audit = new Cli(home).run("--json", "audit", "tail", "-n", "500");
            assertThat(audit.exit()).as(audit.all()).isZero();
            assertThat(audit.out()).contains("alice").contains("tool:call:audit_verify");
            for (String secret : secrets) {
                assertThat(output).as("the app's output").doesNotContain(secret);
                assertThat(audit.out()).as("the audit").doesNotContain(secret);
                for (Path log : logs) {
                    assertThat(Files.readString(log)).as(log.toString()).doesNotContain(secret);
                }
            }
        }
    }

    @Test
    void mcpCall_sendsTheCredentialFromATokenFileOrTheEnvironment_andSaysWhenTheServerRefusesIt() throws Exception {
        Path keyFile = home.resolve("bot.key");
        Files.writeString(keyFile, apiKey + "\n");
        try (App app = serve("--require-token", "--token-issuer", ISSUER, "--token-jwks", jwks.toString())) {
            String url = app.endpoint().toString();
            Cli.Result fromFile = new Cli(home).run("--json", "mcp", "call", "--token-file", keyFile.toString(), url,
                    "code_status");
            assertThat(fromFile.exit()).as(fromFile.all()).isZero();
            assertThat(fromFile.json().path("isError").asBoolean()).as(fromFile.out()).isFalse();

            Cli.Result fromStdin = new Cli(home).stdin(apiKey).run("mcp", "call", "--token-file", "-", url,
                    "code_status");
            assertThat(fromStdin.exit()).as(fromStdin.all()).isZero();

            Cli.Result fromEnv = new Cli(home).env("CODE_MCP_TOKEN", apiKey).run("--json", "mcp", "call", url,
                    "audit_verify");
            assertThat(fromEnv.exit()).as("the bot may not verify the audit: " + fromEnv.all()).isNotZero();
            assertThat(fromEnv.all()).contains("tool:call:audit_verify");

            Cli.Result none = new Cli(home).run("mcp", "call", url, "code_status");
            assertThat(none.exit()).as(none.all()).isNotZero();
            assertThat(none.err()).contains("401");

            String wrong = apiKey.substring(0, apiKey.length() - 2) + (apiKey.endsWith("AA") ? "BB" : "AA");
            Cli.Result refused = new Cli(home).env("CODE_MCP_TOKEN", wrong).run("mcp", "call", url, "code_status");
            assertThat(refused.exit()).as(refused.all()).isNotZero();
            assertThat(refused.err()).contains("the MCP server refused the bearer token (HTTP 401)");

            for (Cli.Result r : List.of(fromFile, fromStdin, fromEnv, none, refused)) {
                assertThat(r.all()).doesNotContain(apiKey).doesNotContain(wrong);
            }
        }
        Files.writeString(keyFile, "two words");
        Cli.Result spaced = new Cli(home).run("mcp", "call", "--token-file", keyFile.toString(),
                "http://127.0.0.1:9/mcp", "code_status");
        assertThat(spaced.exit()).isEqualTo(CodeApp.USAGE);
        assertThat(spaced.err()).contains("--token-file must hold one token of printable ASCII without spaces");
        Cli.Result stdio = new Cli(home).run("mcp", "call", "--token-file", keyFile.toString(), "code mcp serve"
                + " --stdio", "code_status");
        assertThat(stdio.exit()).isEqualTo(CodeApp.USAGE);
        assertThat(stdio.err()).contains("--token-file goes with an http(s) server");
    }

    @Test
    void maxConnections_capsTheAppsConnections_andAnswersOneOverTheCap503() throws Exception {
        try (App app = serve("--max-connections", "2");
                Socket first = new Socket("127.0.0.1", app.endpoint()
                        .getPort());
                Socket second = new Socket("127.0.0.1", app.endpoint().getPort())) {
            assertThat(app.output()).contains("connections: at most 2, 2 per address");
            for (Socket s : List.of(first, second)) { // each is answered, then busy with a body that never comes
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("POST /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n"
                        + "\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo(
                        "HTTP/1.1 404");
            }
            try (Socket third = new Socket("127.0.0.1", app.endpoint().getPort())) {
                third.setSoTimeout(10_000);
                InputStream in = third.getInputStream();
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).startsWith(
                        "HTTP/1.1 503 ").contains("Connection: close");
            }
        }
    }

    @Test
    void tokenOptions_inBadCombinations_areUsageErrorsNamingTheOptionAndTheRule() throws Exception {
        Path privateSet = home.resolve("private.json");
        Files.writeString(privateSet, "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"p\",\"x\":\"AA\","
                + "\"y\":\"AA\",\"d\":\"AA\"}]}");
        String[][] cases = {
                {"--stdio", "--require-token", "--token-issuer", ISSUER, "--token-jwks", jwks.toString()},
                {"--http", "--port", "0", "--require-token", "--token-issuer", ISSUER, "--token-jwks", jwks
                        .toString()},
                {"--http", "--require-token", "--token-jwks", jwks.toString()},
                {"--http", "--require-token", "--token-issuer", ISSUER},
                {"--http", "--require-token", "--token-issuer", "auth.example", "--token-jwks", jwks.toString()},
                {"--http", "--require-token", "--token-issuer", ISSUER, "--token-jwks", privateSet.toString()},
                {"--http", "--token-issuer", ISSUER},
                {"--http", "--max-connections", "0"},
                {"--http", "--max-connections", "10", "--max-connections-per-address", "11"}};
        String[] expected = {"--require-token guards the HTTP face: it needs --http",
                "--require-token with --port 0 needs --resource", "--require-token needs --token-issuer",
                "--require-token needs --token-jwks",
                "--token-issuer must be an absolute http(s) URL with a host and without a fragment, not 'auth.example'",
                "--token-jwks: key 'p' is a private or symmetric key", "--token-issuer goes with --require-token",
                "--max-connections must be at least 1, not 0",
                "--max-connections-per-address must be between 1 and --max-connections (10), not 11"};
        for (int i = 0; i < cases.length; i++) {
            List<String> line = new ArrayList<>(List.of("mcp", "serve"));
            line.addAll(Arrays.asList(cases[i]));
            Cli.Result result = new Cli(home).run(line.toArray(String[]::new));
            assertThat(result.exit()).as(result.all()).isEqualTo(CodeApp.USAGE);
            assertThat(result.err()).as(String.join(" ", line)).contains(expected[i]);
        }
    }
}
