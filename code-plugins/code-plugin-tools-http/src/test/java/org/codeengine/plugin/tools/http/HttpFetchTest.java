package org.codeengine.plugin.tools.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.support.JsonBodies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * http_fetch through the engine's registry against a real HTTP server on 127.0.0.1. The SSRF rows use the tool's
 * resolver and connector hooks: a name is never looked up for real, and every connection the tool attempts is seen,
 * so "refused before any packet is sent" is checked, not assumed. No test sends traffic anywhere but 127.0.0.1.
 */
class HttpFetchTest {
    private static final CallContext CALLER = new CallContext(new Principal("ann", Principal.Kind.USER, Set.of(
            "fetcher")), null, "t-http");
    private static HttpServer server;
    private static int port;
    private static final AtomicInteger hits = new AtomicInteger();
    private static final Map<String, String> lastHost = new ConcurrentHashMap<>();

    /** Names the fake resolver knows; any other name is an unknown host. */
    private static final Map<String, List<InetAddress>> names = new ConcurrentHashMap<>();
    private static final List<String> lookups = new CopyOnWriteArrayList<>();
    private static final List<InetSocketAddress> connections = new CopyOnWriteArrayList<>();
    /** One engine with no allow-list and one that allows 127.0.0.1, both with the hooks; built once. */
    private static CodeEngine strict;
    private static CodeEngine loopbackAllowed;

    @BeforeEach
    void forgetHooks() throws UnknownHostException {
        lookups.clear();
        connections.clear();
        names.put("internal.example", List.of(InetAddress.getByAddress("internal.example", new byte[]{10, 1, 2,
                3})));
        names.put("mixed.example", List.of(InetAddress.getByAddress("mixed.example", new byte[]{93, (byte) 184,
                (byte) 215, 14}), InetAddress.getByAddress("mixed.example",
                        new byte[]{(byte) 169, (byte) 254,
                                (byte) 169, (byte) 254})));
    }

    @BeforeAll
    static void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", HttpFetchTest::serve);
        server.start();
        port = server.getAddress().getPort();
        strict = engine(CodeEngine.builder().toolProvider(hooked()));
        loopbackAllowed = engine(CodeEngine.builder().toolProvider(hooked("127.0.0.1/32")));
    }

    @AfterAll
    static void stopServer() {
        strict.close();
        loopbackAllowed.close();
        server.stop(0);
    }

    private static void serve(HttpExchange x) throws IOException {
        hits.incrementAndGet();
        lastHost.put("host", x.getRequestHeaders().getFirst("Host"));
        String path = x.getRequestURI().getPath();
        byte[] body;
        int status = 200;
        String type = "text/html; charset=utf-8";
        switch (path) {
            case "/page" -> body = ("<html><head><title>Tide &amp; Time</title><style>p{color:red}</style></head>"
                    + "<body><script>var secret='x';</script><h1>Harbour</h1><p>Ships&nbsp;arrive &lt;daily&gt;."
                    + "</p><!-- hidden --><ul><li>one</li><li>two &#x263A;</li></ul></body></html>").getBytes(
                            StandardCharsets.UTF_8);
            case "/echo" -> {
                type = "text/plain";
                body = ("got " + x.getRequestMethod() + " " + x.getRequestHeaders().getFirst("Content-Type") + " "
                        + new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getBytes(
                                StandardCharsets.UTF_8);
            }
            case "/big" -> {
                type = "text/plain";
                body = "a".repeat(300_000).getBytes(StandardCharsets.UTF_8);
            }
            case "/missing" -> {
                status = 404;
                body = "no such page".getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                String to = switch (path) {
                    case "/to-page" -> "/page";
                    case "/to-metadata" -> "http://169.254.169.254/latest/meta-data/iam/";
                    case "/to-v6" -> "http://[::1]:" + port + "/page";
                    case "/to-private-name" -> "http://internal.example:" + port + "/page";
                    case "/to-decimal" -> "http://2130706433:" + port + "/page";
                    case "/loop" -> "/loop";
                    default -> null;
                };
                if (to == null) {
                    status = 404;
                    body = new byte[0];
                } else {
                    x.getResponseHeaders().add("Location", to);
                    status = 302;
                    body = new byte[0];
                }
            }
        }
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        x.getResponseBody().write(body);
        x.close();
    }

    private static HttpToolProvider hooked(String... allow) {
        return hooked(host -> {
            lookups.add(host);
            List<InetAddress> found = names.get(host);
            if (found == null) {
                throw new UnknownHostException(host);
            }
            return found;
        }, allow);
    }

    /** The tool with a fake resolver, a connector that records every connection, and the allow-list given. */
    private static HttpToolProvider hooked(Fetcher.Resolver resolver, String... allow) {
        ObjectNode settings = JsonBodies.object().put("max-bytes", 100_000);
        var list = settings.putArray("allow");
        for (String a : allow) {
            list.add(a);
        }
        return (HttpToolProvider) new HttpToolProvider(resolver, (address, timeout) -> {
            connections.add(address);
            return Fetcher.SOCKETS.connect(address, timeout);
        }).configured(new ToolSettings(settings, ref -> {
            throw new AssertionError("no secrets here");
        }, Path.of(".")));
    }

    private static CodeEngine engine(CodeEngine.Builder builder) {
        CodeEngine engine = builder.store(StoreConfig.h2InMemory("http" + UUID.randomUUID().toString().replace("-",
                ""))).build();
        engine.security().defineRole("fetcher", Set.of(Permission.parse("tool:call:http_fetch")), Set.of());
        return engine;
    }

    private static ToolResult fetch(CodeEngine engine, String url) {
        return engine.tools().call(CALLER, "http_fetch", JsonBodies.object().put("url", url));
    }

    static List<Object[]> attacks() {
        return List.of(new Object[]{"http://127.0.0.1:%d/page", "127.0.0.1 is a loopback address"},
                new Object[]{"http://localhost:%d/page", "localhost, a loopback name"},
                new Object[]{"http://LocalHost.:%d/page", "a loopback name"},
                new Object[]{"http://api.localhost:%d/page", "a loopback name"},
                new Object[]{"http://[::1]:%d/page", "0:0:0:0:0:0:0:1 is a loopback address"},
                new Object[]{"http://0.0.0.0:%d/page", "0.0.0.0 is a wildcard"},
                new Object[]{"http://[::]:%d/page", "is a wildcard"},
                new Object[]{"http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata"},
                new Object[]{"http://[fd00:ec2::254]/latest/meta-data/", "is a cloud metadata"},
                new Object[]{"http://2130706433:%d/page", "127.0.0.1 is a loopback address"},
                new Object[]{"http://0x7f.1:%d/page", "127.0.0.1 is a loopback address"},
                new Object[]{"http://0177.0.0.1:%d/page", "127.0.0.1 is a loopback address"},
                new Object[]{"http://127.1:%d/page", "127.0.0.1 is a loopback address"},
                new Object[]{"http://[::ffff:127.0.0.1]:%d/page", "127.0.0.1 is a loopback address"},
                new Object[]{"http://[::ffff:7f00:1]:%d/page", "127.0.0.1 is a loopback address"},
                new Object[]{"http://[64:ff9b::a9fe:a9fe]/", "cloud metadata (embedded in IPv6)"},
                new Object[]{"http://[fe80::1]/", "is a link-local address"},
                new Object[]{"http://[fc00::1]/", "is a unique-local address"},
                new Object[]{"http://10.0.0.7/", "10.0.0.7 is a private address"},
                new Object[]{"http://172.16.0.1/", "172.16.0.1 is a private address"},
                new Object[]{"http://192.168.1.1/", "192.168.1.1 is a private address"},
                new Object[]{"http://internal.example:%d/page", "internal.example resolves to 10.1.2.3 is a private"},
                new Object[]{"http://mixed.example:%d/page", "mixed.example resolves to 169.254.169.254"},
                new Object[]{"http://user@example.com/", "must not carry user information"},
                new Object[]{"file:///etc/passwd", "must be an http or https URL"},
                new Object[]{"gopher://127.0.0.1:%d/", "must be an http or https URL"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void attack_isRefusedWithItsRule_beforeAnyConnection(String url, String rule) {
        int before = hits.get();
        ToolResult result = fetch(strict, url.formatted(port));
        assertThat(result.error()).as(result.text()).isTrue();
        assertThat(result.text()).contains(rule);
        assertThat(connections).as("no connection attempted").isEmpty();
        assertThat(hits.get()).as("the server saw nothing").isEqualTo(before);
        assertThat(lookups).as("only names go to the resolver, never literals or localhost").allMatch(
                name -> name.endsWith(".example"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("redirects")
    void redirectFromAnAllowedToARefusedAddress_isRefused_afterTheOneAllowedConnection(String path, String rule)
            throws Exception {
        int before = hits.get();
        ToolResult result = fetch(loopbackAllowed, "http://127.0.0.1:" + port + path);
        assertThat(result.error()).as(result.text()).isTrue();
        assertThat(result.text()).contains("redirect to", rule);
        assertThat(connections).containsExactly(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        assertThat(hits.get()).isEqualTo(before + 1);
    }

    static List<Object[]> redirects() {
        return List.of(new Object[]{"/to-metadata", "169.254.169.254 is a cloud metadata address"},
                new Object[]{"/to-v6", "0:0:0:0:0:0:0:1 is a loopback address"},
                new Object[]{"/to-private-name", "internal.example resolves to 10.1.2.3 is a private address"});
    }

    @Test
    void aNameIsResolvedOnce_andTheConnectionGoesToTheCheckedAddress_soRebindingChangesNothing() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        InetAddress loop = InetAddress.getByName("127.0.0.1");
        InetAddress metadata = InetAddress.getByAddress(new byte[]{(byte) 169, (byte) 254, (byte) 169,
                (byte) 254});
        HttpToolProvider provider = hooked(host -> List.of(asked.getAndIncrement() == 0 ? loop : metadata),
                "127.0.0.1");
        try (CodeEngine engine = engine(CodeEngine.builder().toolProvider(provider))) {
            ToolResult result = fetch(engine, "http://rebind.example:" + port + "/page");
            assertThat(result.error()).as(result.text()).isFalse();
            assertThat(asked).hasValue(1);
            assertThat(connections).containsExactly(new InetSocketAddress(loop, port));
            assertThat(lastHost.get("host")).isEqualTo("rebind.example:" + port);
        }
    }

    @Test
    void outputSchema_keepsContentTypeRequired_besideTheFieldsMarkedRequiredAfterwards() {
        JsonNode output = new HttpToolProvider().tools().getFirst().outputSchema();
        assertThat(output).isNotNull();
        List<String> required = output.path("required").valueStream().map(JsonNode::asString).toList();
        assertThat(required).containsExactlyInAnyOrder("url", "status", "content_type", "content", "truncated");
    }

    @Test
    void allowListedLocalServer_isFetched_htmlAsText_postsABody_capsAndFollowsRedirects() {
        try (CodeEngine engine = engine(CodeEngine.builder().toolSettings("http", JsonBodies.object().put(
                "max-bytes", 100_000).set("allow", JsonBodies.JSON.createArrayNode().add("127.0.0.1"))))) {
            ToolDescriptor descriptor = engine.tools().list(CALLER).stream().filter(t -> t.name().equals(
                    "http_fetch")).findFirst().orElseThrow();
            assertThat(descriptor.annotations().openWorld()).isTrue();
            assertThat(descriptor.annotations().readOnly()).as("POST may change the far end").isFalse();
            assertThat(descriptor.outputSchema()).isNotNull();

            ToolResult page = fetch(engine, "http://127.0.0.1:" + port + "/to-page");
            assertThat(page.error()).as(page.text()).isFalse();
            String content = page.structured().path("content").asString();
            assertThat(content).isEqualTo("Tide & Time\nHarbour\nShips arrive <daily>.\none\ntwo \u263A");
            assertThat(page.structured().path("url").asString()).endsWith("/page");

            ToolResult posted = engine.tools().call(CALLER, "http_fetch", JsonBodies.object().put("url",
                    "http://127.0.0.1:" + port + "/echo").put("method", "POST").put("body", "hello").put(
                            "content_type", "application/x-test"));
            assertThat(posted.structured().path("content").asString()).isEqualTo(
                    "got POST application/x-test hello");

            ToolResult big = engine.tools().call(CALLER, "http_fetch", JsonBodies.object().put("url",
                    "http://127.0.0.1:" + port + "/big").put("max_length", 10).put("start_index", 5));
            assertThat(big.structured().path("truncated").asBoolean()).as("300 kB body, 100 kB cap").isTrue();
            assertThat(big.structured().path("length").asInt()).isEqualTo(100_000);
            assertThat(big.structured().path("content").asString()).isEqualTo("a".repeat(10));
            assertThat(big.structured().path("next_start_index").asInt()).isEqualTo(15);

            ToolResult missing = fetch(engine, "http://127.0.0.1:" + port + "/missing");
            assertThat(missing.error()).isTrue();
            assertThat(missing.text()).contains("answered HTTP 404");

            ToolResult loop = fetch(engine, "http://127.0.0.1:" + port + "/loop");
            assertThat(loop.text()).contains("redirected more than 5 times");
            ToolResult decimal = fetch(engine, "http://127.0.0.1:" + port + "/to-decimal");
            assertThat(decimal.error()).as("2130706433 is 127.0.0.1, which is allowed here").isFalse();

            ToolResult badHeader = engine.tools().call(CALLER, "http_fetch", JsonBodies.object().put("url",
                    "http://127.0.0.1:" + port + "/page").set("headers",
                            JsonBodies.object().put("X-A",
                                    "a\r\nHost: evil")));
            assertThat(badHeader.text()).contains("argument 'headers.X-A' must not hold line breaks");
            assertThat(engine.security().audit(1, 100)).extracting(AuditEntry::action).contains(
                    "tool:call:http_fetch");
        }
    }
}
