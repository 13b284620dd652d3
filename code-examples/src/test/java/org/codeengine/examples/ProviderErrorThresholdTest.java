package org.codeengine.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.events.PerformanceThreshold;
import org.codeengine.api.events.PerformanceThreshold.Measure;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Query;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.Test;

/**
 * A provider-error-rate threshold over the requests the OpenAI plugin makes to a local server: silent at its limit,
 * one event once the server's errors push the rate above it.
 */
class ProviderErrorThresholdTest {
    private static final CallContext CTX = new CallContext(new Principal("host", Principal.Kind.USER, Set.of(
            "admin")), null, "provider-errors-1");
    private static final String OK = "HTTP/1.1 200 OK\ncontent-type: application/json\n\n" + """
            {"id":"c-1","object":"chat.completion","created":1741569952,"model":"m","choices":[{"index":0,\
            "message":{"role":"assistant","content":"42"},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}
            """;
    /** Not retriable, so one request per question: the counts below are exact. */
    private static final String DOWN = """
            HTTP/1.1 400 Bad Request
            content-type: application/json

            {"error":{"message":"bad request","type":"invalid_request_error"}}
            """;

    @Test
    void providerErrors_aboveTheLimit_emitOneEvent_andAtTheLimitNone() {
        try (ScenarioServer openai = new ScenarioServer()) {
            ExpertPanel panel = oneOpenAiExpert(openai, Duration.ofSeconds(10));
            PerformanceThreshold threshold = new PerformanceThreshold("providers", Measure.PROVIDER_ERROR_RATE, 0.5,
                    Duration.ofHours(1), 2);
            try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("perr" + UUID.randomUUID()
                    .toString().replace("-", ""))).experts(panel).thresholds(List.of(threshold), Duration.ZERO)
                    .build()) {
                openai.play(OK);
                assertThat(engine.experts().ask(CTX, Query.of("6 x 7?")).answer()).isEqualTo("42");
                assertThat(engine.checkThresholds()).as("one request: below the minimum count").isEmpty();

                openai.play(DOWN);
                assertThatThrownBy(() -> engine.experts().ask(CTX, Query.of("6 x 8?"))).isInstanceOf(
                        CodeException.class);
                assertThat(engine.checkThresholds()).as("1 of 2 failed: at the limit").isEmpty();

                assertThatThrownBy(() -> engine.experts().ask(CTX, Query.of("6 x 9?"))).isInstanceOf(
                        CodeException.class);
                assertThat(engine.checkThresholds()).singleElement().satisfies(e -> {
                    assertThat(e.type()).isEqualTo(CloudEvent.PERFORMANCE_THRESHOLD_EXCEEDED);
                    assertThat(e.data()).containsEntry("measure", "provider_error_rate").containsEntry("count", "3");
                });
                assertThat(engine.meterRegistry().get("code.provider.http.requests").tag("outcome", "client_error")
                        .timer().count()).isEqualTo(2);
            }
        }
    }

    /** {@return a panel of one OpenAI expert on the scenario server, answering as a majority of one, never retried} */
    static ExpertPanel oneOpenAiExpert(ScenarioServer openai, Duration timeout) {
        return ExpertPanel.builder().quorum(Quorum.of(1)).strategy("majority").expert(ExpertSpec.of("openai", "m"))
                .provider("openai", new ProviderConfig(openai.base(), Secret.of("sk-t"), timeout, Map.of(
                        "max-retries", "0")))
                .build();
    }
}
