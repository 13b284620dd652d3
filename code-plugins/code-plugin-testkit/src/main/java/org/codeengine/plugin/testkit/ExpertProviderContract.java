package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.CodeException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.RetriableException;
import org.codeengine.api.Secret;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.ToolSpec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The contract every expert provider plugin that speaks HTTP passes: the transport-free checks of
 * {@link ExpertProviderCoreContract}, and the same wire scenarios for each, played by a {@link ScenarioServer} with the
 * provider's own wire format. A plugin's test extends this class and keeps one file per scenario under
 * {@code src/test/resources/scenarios/} ({@code plain.txt}, ...), written from the provider's API reference, in the
 * format {@link ScenarioServer} describes. What each file must hold:
 *
 * <ul>
 * <li>{@code plain}: a complete reply, text {@code The answer is 42.}, model {@code test-model-2024}, a normal stop,
 * 12 input and 7 output tokens; the provider's request id header {@code req-plain} and its rate-limit headers with
 * 99 requests remaining, where the provider sends them.
 * <li>{@code stream}: the same reply streamed in at least three pieces, usage at the end, with a keep-alive comment
 * where the protocol has them.
 * <li>{@code error-401}, {@code error-404}, {@code error-400}: the provider's error bodies with the messages
 * {@code Invalid API key provided}, {@code The model test-model does not exist}, {@code Invalid temperature}.
 * <li>{@code retry-after}: a 429 that asks to wait 300 ms ({@code retry-after-ms}, or the provider's way), then the
 * plain reply.
 * <li>{@code error-500}: a 500 with an error body, repeating. {@code overloaded}: the provider's overload status (529
 * for Anthropic, else 503), repeating.
 * <li>{@code stream-error}: HTTP 200, a stream with some text and then the provider's in-stream error with the
 * message {@code Upstream model failed}.
 * <li>{@code stream-truncated}: HTTP 200, a stream with some text that ends without its terminal event.
 * <li>{@code stream-stalled}: HTTP 200, a stream with some text and then {@code #stall}.
 * <li>{@code malformed}: HTTP 200 with a JSON body cut off in the middle.
 * <li>{@code tool-call}: a complete reply asking to call {@code get_weather} with the arguments
 * {@code {"city": "Paris"}}.
 * </ul>
 *
 * The client is made with {@link #config(URI, Secret)} pointing at the server, with the setting {@code stream-idle-timeout} of
 * 500 ms, which every provider plugin honours.
 */
public abstract class ExpertProviderContract extends ExpertProviderCoreContract {
    /** For the test class that extends the contract. */
    protected ExpertProviderContract() {}

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The provider's side. */
    protected ScenarioServer server;

    /**
     * {@return the key it carried (from the provider's auth header or parameter), or null}
     *
     * @param recorded a request the plugin sent
     */
    protected abstract String keyOf(ScenarioServer.Recorded recorded);

    /**
     * Checks the wire format of a request: path, headers, body fields.
     *
     * @param recorded the request of the {@code plain} scenario (or {@code stream} when {@code streamed})
     * @param streamed whether it was a streaming call
     */
    protected abstract void checkRequest(ScenarioServer.Recorded recorded, boolean streamed);

    /**
     * {@return the JSON body of a complete reply with that text (for the huge reply)}
     *
     * @param text a reply's text
     */
    protected abstract String plainBody(String text);

    /** {@return whether the provider sends a request id header ({@code req-plain} in the plain scenario)} */
    protected boolean sendsRequestId() {
        return true;
    }

    /** {@return whether the provider sends rate-limit headers (99 requests remaining in the plain scenario)} */
    protected boolean sendsRateLimits() {
        return true;
    }

    /**
     * {@return the configuration that points the plugin at the server}
     *
     * @param base the server's base URL
     * @param key the API key, or null for none
     */
    protected ProviderConfig config(URI base, @Nullable Secret key) {
        ProviderConfig.Builder config = ProviderConfig.builder().baseUrl(base).timeout(Duration.ofSeconds(20))
                .setting("stream-idle-timeout", "500ms");
        return (key == null ? config : config.apiKey(key)).build();
    }

    /** {@return {@link #config(URI, Secret)} pointing at the scenario server, with {@link #KEY}} */
    @Override
    protected final ProviderConfig config() {
        return config(server.base(), Secret.of(KEY));
    }

    /** Plays the {@code plain} scenario, or {@code stream} when {@code streamed}. */
    @Override
    protected void arrange(boolean streamed) {
        server.play(scenario(streamed ? "stream" : "plain"));
    }

    /**
     * {@return its file, from {@code scenarios/<name>.txt} on the test's class path; only {@code plain} and
     *         {@code stream} must be there: a test whose scenario file is missing is skipped}
     *
     * @param name a scenario
     */
    protected String scenario(String name) {
        try (InputStream in = getClass().getResourceAsStream("/scenarios/" + name + ".txt")) {
            if (in == null && (name.equals("plain") || name.equals("stream"))) {
                throw new IllegalStateException("scenario file scenarios/" + name + ".txt is missing");
            }
            Assumptions.assumeTrue(in != null, "no scenario file scenarios/" + name + ".txt: its scenario is skipped");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void setUpBackend() {
        server = new ScenarioServer();
    }

    @Override
    protected void tearDownBackend() {
        server.close();
    }

    /**
     * {@return the token of its {@code Authorization: Bearer} header, or null when it has none}
     *
     * @param recorded a request
     */
    protected static String bearerToken(ScenarioServer.Recorded recorded) {
        String auth = recorded.headers().get("authorization");
        return auth == null || !auth.startsWith("Bearer ") ? null : auth.substring("Bearer ".length());
    }

    /**
     * Checks that a request is a JSON POST to {@code path} asking for {@link #MODEL}.
     *
     * @param recorded the request
     * @param path the path it must go to
     * @return its body
     */
    protected static JsonNode jsonPost(ScenarioServer.Recorded recorded, String path) {
        assertThat(recorded.method()).isEqualTo("POST");
        assertThat(recorded.uri().getPath()).isEqualTo(path);
        assertThat(recorded.headers()).containsEntry("content-type", "application/json");
        JsonNode body = JSON.readTree(recorded.body());
        assertThat(body.get("model").asString()).isEqualTo(MODEL);
        return body;
    }

    private ChatResponse play(String scenario, boolean streamed, List<String> pieces) {
        server.play(scenario(scenario));
        return streamed ? client().stream(request(), pieces::add) : client().complete(request());
    }

    private static Throwable failure(Runnable call) {
        Throwable t = catchThrowable(call::run);
        assertThat(t).isInstanceOf(CodeException.class);
        assertThat(t.getMessage()).doesNotContain(KEY);
        assertThat(t.toString()).doesNotContain(KEY);
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            assertThat(String.valueOf(c.getMessage())).doesNotContain(KEY);
        }
        return t;
    }

    @Test
    void plainReply_hasTextModelFinishUsageRequestIdAndRateLimits() {
        ChatResponse r = play("plain", false, new ArrayList<>());

        assertThat(r.text()).isEqualTo("The answer is 42.");
        assertThat(r.model()).isEqualTo("test-model-2024");
        assertThat(r.finishReason()).isEqualTo(ChatResponse.FinishReason.STOP);
        assertThat(r.usage().inputTokens()).isEqualTo(12);
        assertThat(r.usage().outputTokens()).isEqualTo(7);
        assertThat(r.latency()).isPositive();
        if (sendsRequestId()) {
            assertThat(r.requestId()).isEqualTo("req-plain");
        }
        if (sendsRateLimits()) {
            assertThat(r.rateLimits().requestsRemaining()).isEqualTo(99);
        }
        assertThat(server.requests()).singleElement().satisfies(req -> {
            assertThat(keyOf(req)).isEqualTo(KEY);
            checkRequest(req, false);
        });
        assertThat(r.toString()).doesNotContain(KEY);
    }

    @Test
    void streamedReply_arrivesInPieces_withUsageAndTimeToFirstToken() {
        List<String> pieces = new ArrayList<>();
        ChatResponse r = play("stream", true, pieces);

        assertThat(pieces).hasSizeGreaterThanOrEqualTo(2);
        assertThat(String.join("", pieces)).isEqualTo("The answer is 42.");
        assertThat(r.text()).isEqualTo("The answer is 42.");
        assertThat(r.finishReason()).isEqualTo(ChatResponse.FinishReason.STOP);
        assertThat(r.usage().inputTokens()).isEqualTo(12);
        assertThat(r.usage().outputTokens()).isEqualTo(7);
        assertThat(r.firstToken()).isPresent();
        assertThat(r.timeToFirstToken()).isLessThanOrEqualTo(r.latency());
        assertThat(server.requests()).singleElement().satisfies(req -> checkRequest(req, true));
    }

    @Test
    void errors_areMappedOntoCodesExceptions_withTheProvidersMessage_andNeverTheKey() {
        server.play(scenario("error-401"));
        assertThat(failure(() -> client().complete(request()))).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("Invalid API key provided");
        assertThat(server.requests()).as("not retried").hasSize(1);

        server.play(scenario("error-404"));
        assertThat(failure(() -> client().complete(request()))).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("The model test-model does not exist");

        server.play(scenario("error-400"));
        assertThat(failure(() -> client().complete(request()))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Invalid temperature");
    }

    @Test
    void retryAfter_isHonoured_beforeTheNextTry() {
        long began = System.nanoTime();
        ChatResponse r = play("retry-after", false, new ArrayList<>());

        assertThat(r.text()).isEqualTo("The answer is 42.");
        assertThat(server.requests()).hasSize(2);
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
    }

    @Test
    void serverErrorsAndOverload_areRetried_thenRetriable() {
        server.play(scenario("error-500"));
        assertThat(failure(() -> client().complete(request()))).isInstanceOf(RetriableException.class);
        assertThat(server.requests()).as("the first try and two retries").hasSize(3);

        server.play(scenario("overloaded"));
        assertThat(failure(() -> client().complete(request()))).isInstanceOf(RetriableException.class);
    }

    @Test
    void anErrorInsideAStream_isAnError_notText() {
        server.play(scenario("stream-error"));
        assertThat(failure(() -> client().stream(request(), d -> {
        }))).hasMessageContaining("Upstream model failed");
    }

    @Test
    void aStreamThatEndsWithoutItsTerminalEvent_isAnError() {
        server.play(scenario("stream-truncated"));
        assertThat(failure(() -> client().stream(request(), d -> {
        }))).isInstanceOf(RetriableException.class)
                .hasMessageContaining("ended");
    }

    @Test
    void aStalledStream_isCutByTheIdleTimeout() {
        server.play(scenario("stream-stalled"));
        long began = System.nanoTime();
        assertThat(failure(() -> client().stream(request(), d -> {
        }))).isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("stalled");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void malformedJson_isAnError() {
        server.play(scenario("malformed"));
        assertThat(failure(() -> client().complete(request()))).hasMessageContaining("malformed");
    }

    @Test
    void aHugeReply_arrivesWhole() {
        String text = "x".repeat(2_000_000);
        server.play("HTTP/1.1 200\ncontent-type: application/json\n\n" + plainBody(text));
        assertThat(client().complete(request()).text()).hasSize(text.length()).isEqualTo(text);
    }

    @Test
    void toolCalls_areSentAndRead() throws Exception {
        server.play(scenario("tool-call"));
        ToolSpec weather = new ToolSpec("get_weather", "The weather in a city", JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));
        ChatRequest ask = new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.USER,
                "Weather in Paris?")), 0, 100, List.of(), null, List.of(weather));

        ChatResponse r = client().complete(ask);

        assertThat(r.finishReason()).isEqualTo(ChatResponse.FinishReason.TOOL_CALL);
        assertThat(r.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.name()).isEqualTo("get_weather");
            assertThat(JSON.readTree(call.arguments()).get("city").asString()).isEqualTo("Paris");
        });
        assertThat(server.requests().getFirst().body()).contains("get_weather").contains("city");
    }
}
