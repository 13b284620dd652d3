package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.codeengine.api.CallContext;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.CallTracer;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpHttpServer;
import org.codeengine.plugin.mcp.McpServer;
import org.codeengine.plugin.mcp.McpToolResult;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.json.JsonMapper;

/**
 * One engine, traced into OpenTelemetry's in-memory exporter and measured into a Prometheus registry, deploys a
 * service and answers {@code code_ask} for an MCP client whose request runs inside a span of its own; three experts
 * ask a local OpenAI-compatible server. The trace crosses the client, CODE's MCP server, the circle, each expert and
 * each provider request; the registry holds exactly the meters the README's table lists; the scrape endpoint serves
 * them in a text the strict parser accepts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {
    private static final Principal ADMIN = new Principal("host", Principal.Kind.USER, Set.of("admin"));
    private static final CallContext CTX = new CallContext(ADMIN, null, "obs-1");
    private static final List<String> EXPERTS = List.of("m1", "m2", "m3");

    private final ScenarioServer openai = new ScenarioServer();
    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private SdkTracerProvider tracerProvider;
    private CodeEngine engine;
    private McpHttpServer http;
    private MetricsEndpoint endpoint;
    private SpanData clientSpan;

    @BeforeAll
    void runTheScenario() throws Exception {
        tracerProvider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).setPropagators(
                ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        io.opentelemetry.api.trace.Tracer otelTracer = otel.getTracer("code-test");
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        OtelTracer tracer = new OtelTracer(otelTracer, current, event -> {
        }, new OtelBaggageManager(current, List
                .of(), List.of()));
        OtelPropagator propagator = new OtelPropagator(otel.getPropagators(), otelTracer);
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(
                new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)));

        openai.play("HTTP/1.1 200 OK\ncontent-type: application/json\n\n" + """
                {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"m",\
                "choices":[{"index":0,"message":{"role":"assistant","content":"42"},"finish_reason":"stop"}],\
                "usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29}}
                """);
        ExpertPanel.Builder panel = ExpertPanel.builder().quorum(Quorum.of(2)).strategy("majority").expertTimeout(
                Duration.ofSeconds(20)).provider("openai",
                        new ProviderConfig(openai.base(), Secret.of(
                                "sk-obs-SECRET"), Duration.ofSeconds(10), Map.of("max-retries", "0")));
        EXPERTS.forEach(m -> panel.expert(ExpertSpec.of("openai", m)));
        CodeEngine[] built = new CodeEngine[1];
        engine = CodeEngine.builder().store(StoreConfig.h2InMemory("obs" + UUID.randomUUID().toString().replace("-",
                ""))).experts(panel.build()).meterRegistry(prometheus).observationRegistry(observations)
                .toolProvider(new FaceTools(() -> built[0], true)).build();
        built[0] = engine;
        endpoint = new MetricsEndpoint(prometheus, 0, null);

        RunHandle run = engine.orchestrator().deploy(CTX, DeploymentSpec.of("obs", "dev", List.of(ServiceSpec
                .builder("web", "process").setting("command", "sleep 60").setting("stopGrace", "1s").retry(
                        RetryPolicy.NONE)
                .healthCheck(HealthCheckSpec.of("command", Map.of("command", "true"))
                        .withTiming(Duration.ZERO, Duration.ofMillis(50), 3))
                .build())));
        assertThat(run.await(Duration.ofSeconds(60))).isEqualTo(RunState.SUCCEEDED);
        assertThat(engine.orchestrator().rollback(CTX, run.runId()).await(Duration.ofSeconds(60))).isEqualTo(
                RunState.ROLLED_BACK);

        McpServer server = McpServer.builder().info("code", "test").registry(engine.tools()).defaultPrincipal(ADMIN)
                .tracer(engine.tracer()).build();
        http = server.startHttp(McpHttpServer.Options.loopback(0));
        try (McpClient client = McpClient.builder().info("obs-client", "1").connect(http.endpoint())) {
            Observation asking = Observation.createNotStarted("test.client", observations);
            McpToolResult result = asking.observe(() -> ScopedValue.where(CallTracer.CURRENT, engine.tracer())
                    .call(() -> client.callTool("code_ask", JsonMapper.builder().build().readTree(
                            "{\"question\": \"6 x 7?\"}"))));
            assertThat(result.isError()).as(result.content().toString()).isFalse();
        }
        clientSpan = only("test.client");
    }

    @AfterAll
    void stop() {
        if (http != null) {
            http.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        if (engine != null) {
            engine.close();
        }
        openai.close();
        if (tracerProvider != null) {
            tracerProvider.close();
        }
    }

    private List<SpanData> named(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    }

    private SpanData only(String name) {
        List<SpanData> spans = named(name);
        assertThat(spans).as("spans named " + name).hasSize(1);
        return spans.getFirst();
    }

    @Test
    void oneCodeAskThroughMcp_isOneTrace_fromTheClientThroughTheCircleToEachProviderRequest() {
        String trace = clientSpan.getTraceId();
        SpanData sent = only("code.mcp.client.requests");
        assertThat(sent.getParentSpanId()).isEqualTo(clientSpan.getSpanId());
        SpanData served = named("code.mcp.requests").stream().filter(s -> s.getTraceId().equals(trace)).collect(
                Collectors.collectingAndThen(Collectors.toList(), l -> {
                    assertThat(l).as("the MCP server's span of tools/call, in the client's trace").hasSize(1);
                    return l.getFirst();
                }));
        assertThat(served.getParentSpanId()).as("continued from _meta.traceparent").isEqualTo(sent.getSpanId());
        SpanData tool = only("code.tool");
        assertThat(tool.getParentSpanId()).isEqualTo(served.getSpanId());
        SpanData circle = only("code.circle");
        assertThat(circle.getParentSpanId()).isEqualTo(tool.getSpanId());
        List<SpanData> experts = named("code.expert");
        assertThat(experts).hasSize(EXPERTS.size()).allSatisfy(e -> assertThat(e.getParentSpanId()).isEqualTo(
                circle.getSpanId()));
        assertThat(experts).extracting(e -> e.getAttributes().asMap().entrySet().stream().filter(a -> a.getKey()
                .getKey().equals("expert")).map(a -> a.getValue().toString()).findFirst().orElse(""))
                .containsExactlyInAnyOrder("openai/m1", "openai/m2", "openai/m3");
        List<SpanData> requests = named("code.provider.http.requests");
        Set<String> expertIds = experts.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        assertThat(requests).hasSize(EXPERTS.size()).allSatisfy(r -> assertThat(expertIds).contains(r
                .getParentSpanId()));
        for (SpanData span : List.of(sent, served, tool, circle)) {
            assertThat(span.getTraceId()).isEqualTo(trace);
        }
        assertThat(experts).allSatisfy(e -> assertThat(e.getTraceId()).isEqualTo(trace));

        // what the provider's server saw: one W3C traceparent per request, naming this trace and a request's span
        Pattern w3c = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
        List<String> seen = openai.requests().stream().map(r -> r.headers().get("traceparent")).toList();
        assertThat(seen).hasSize(EXPERTS.size()).allMatch(t -> t != null && w3c.matcher(t).matches());
        Set<String> requestSpans = requests.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        for (String traceparent : seen) {
            Matcher m = w3c.matcher(traceparent);
            assertThat(m.matches()).isTrue();
            assertThat(m.group(1)).isEqualTo(trace);
            assertThat(requestSpans).contains(m.group(2));
        }
        assertThat(requests).allSatisfy(r -> assertThat(r.getTraceId()).isEqualTo(trace));
    }

    @Test
    void aDeploy_isATrace_ofItsStepsAndTheirProbes() {
        SpanData deploy = named("code.deploy").getFirst();
        List<SpanData> steps = named("code.step").stream().filter(s -> s.getParentSpanId().equals(deploy
                .getSpanId())).toList();
        assertThat(steps).isNotEmpty();
        Set<String> stepIds = steps.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
        assertThat(named("code.probe")).isNotEmpty().anySatisfy(p -> assertThat(stepIds).contains(p
                .getParentSpanId()));
        assertThat(named("code.probe")).allSatisfy(p -> assertThat(p.getTraceId()).isEqualTo(deploy.getTraceId()));
    }

    /** {@return the README's meters table: name to type} */
    private static Map<String, String> documented() throws IOException {
        Path readme = Path.of("").toAbsolutePath();
        while (!Files.exists(readme.resolve("README.md")) || !Files.exists(readme.resolve("code-core"))) {
            readme = readme.getParent();
        }
        Map<String, String> table = new TreeMap<>();
        Pattern row = Pattern.compile("^\\| `([a-z0-9.]+)` \\| (counter|gauge|timer) \\|.*\\|$");
        for (String line : Files.readAllLines(readme.resolve("README.md"))) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                table.put(m.group(1), m.group(2));
            }
        }
        return table;
    }

    @Test
    void theRegistry_holdsExactlyTheMetersTheReadmeTableLists() throws IOException {
        Map<String, String> registered = new TreeMap<>();
        for (Meter meter : prometheus.getMeters()) {
            registered.put(meter.getId().getName(), switch (meter.getId().getType()) {
                case COUNTER -> "counter";
                case GAUGE -> "gauge";
                case TIMER -> "timer";
                default -> meter.getId().getType().name().toLowerCase(Locale.ROOT);
            });
        }
        assertThat(registered).isEqualTo(documented());
    }

    @Test
    void theScrapeEndpoint_parsesAsPrometheusText_andCarriesEveryDocumentedMeter() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + endpoint.port() + MetricsEndpoint.PATH)).build(), HttpResponse.BodyHandlers
                        .ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(
                "text/plain; version=0.0.4"));
        Map<String, PrometheusText.Family> families = PrometheusText.parse(response.body());
        for (Map.Entry<String, String> meter : documented().entrySet()) {
            String base = meter.getKey().replace('.', '_');
            String type = meter.getValue();
            Pattern expected = Pattern.compile(Pattern.quote(base) + switch (type) {
                case "counter" -> "(_[a-z]+)?_total";
                case "timer" -> "_seconds";
                default -> "(_[a-z]+)?";
            });
            assertThat(families.values()).as(meter.getKey()).anySatisfy(f -> {
                assertThat(f.name()).matches(expected);
                assertThat(f.type()).isEqualTo(switch (type) {
                    case "timer" -> "summary";
                    default -> type;
                });
                assertThat(f.samples()).isNotEmpty();
            });
        }
        assertThat(families.get("code_tool_calls_seconds").samples()).anySatisfy(s -> assertThat(s.labels())
                .containsEntry("tool", "code_ask").containsEntry("outcome", "success"));
        assertThat(response.body()).doesNotContain("sk-obs-SECRET");
    }
}
