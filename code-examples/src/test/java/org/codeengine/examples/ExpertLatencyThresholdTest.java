package org.codeengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.events.PerformanceThreshold;
import org.codeengine.api.events.PerformanceThreshold.Measure;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.Query;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.Test;

/**
 * An expert-latency-p99 threshold over the answers of an expert whose provider (the OpenAI plugin against a local
 * server) turns slow: silent while it is fast, one {@code performance.threshold_exceeded} when its p99 crosses the
 * limit, none while it stays above, and one again only after it came back and crossed once more. The answers take
 * real time; the registry's clock, which ages the percentiles, moves by hand between phases.
 */
class ExpertLatencyThresholdTest {
    private static final CallContext CTX = new CallContext(new Principal("host", Principal.Kind.USER, Set.of(
            "admin")), null, "expert-latency-1");
    private static final String BODY = """
            {"id":"c-1","object":"chat.completion","created":1741569952,"model":"m","choices":[{"index":0,\
            "message":{"role":"assistant","content":"42"},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}
            """;
    private static final String FAST = "HTTP/1.1 200 OK\ncontent-type: application/json\n\n" + BODY;
    /** The reply's headers at once, its body two seconds later. */
    private static final String SLOW = "HTTP/1.1 200 OK\ncontent-type: application/json\n\n#flush\n#sleep 2000ms\n"
            + BODY;
    private static final double LIMIT_SECONDS = 1.0;
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final AtomicInteger asked = new AtomicInteger();

    private void ask(CodeEngine engine, int times) {
        for (int i = 0; i < times; i++) {
            // a new question each time, so that no answer comes from the circle's cache
            assertThat(engine.experts().ask(CTX, Query.of("6 x 7, take " + asked.incrementAndGet() + "?")).answer())
                    .isEqualTo("42");
        }
    }

    @Test
    void aSlowExpert_emitsOneEventPerCrossingOfItsP99Limit() {
        MockClock meterClock = new MockClock();
        SimpleMeterRegistry meters = new SimpleMeterRegistry(SimpleConfig.DEFAULT, meterClock);
        try (ScenarioServer openai = new ScenarioServer()) {
            ExpertPanel panel = ProviderErrorThresholdTest.oneOpenAiExpert(openai, Duration.ofSeconds(20));
            PerformanceThreshold threshold = new PerformanceThreshold("expert-p99", Measure.EXPERT_LATENCY_P99,
                    LIMIT_SECONDS, WINDOW, 2);
            try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("lat" + UUID.randomUUID()
                    .toString().replace("-", ""))).experts(panel).meterRegistry(meters).thresholds(List
                            .of(threshold), Duration.ZERO)
                    .build()) {
                // the percentiles age by the registry's clock: moving it a window on leaves none of the earlier answers
                Runnable nextWindow = () -> meterClock.add(WINDOW.plusSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
                openai.play(FAST);
                ask(engine, 1);
                assertThat(engine.checkThresholds()).as("one answer: below the minimum count").isEmpty();
                nextWindow.run(); // the first answer warmed the client up: slow on a loaded machine, whatever the server
                ask(engine, 2);
                assertThat(engine.checkThresholds()).as("fast answers").isEmpty();

                nextWindow.run();
                openai.play(SLOW);
                ask(engine, 2);
                String expert = meters.get("code.expert.calls").tag("outcome", "answered").timer().getId().getTag(
                        "expert");
                List<CloudEvent> crossed = engine.checkThresholds();
                assertThat(crossed).singleElement().satisfies(e -> {
                    assertThat(e.type()).isEqualTo(CloudEvent.PERFORMANCE_THRESHOLD_EXCEEDED);
                    assertThat(e.subject()).isEqualTo(expert);
                    assertThat(e.data()).containsEntry("threshold", "expert-p99").containsEntry("measure",
                            "expert_latency_p99").containsEntry("limit", Double.toString(LIMIT_SECONDS));
                    assertThat(Long.parseLong(e.data().get("count"))).isGreaterThanOrEqualTo(2);
                    assertThat(Double.parseDouble(e.data().get("value"))).isGreaterThan(LIMIT_SECONDS);
                });
                ask(engine, 1);
                assertThat(engine.checkThresholds()).as("still above: it fired when it crossed").isEmpty();

                nextWindow.run();
                openai.play(FAST);
                ask(engine, 2);
                assertThat(engine.checkThresholds()).as("back below the limit").isEmpty();

                openai.play(SLOW);
                nextWindow.run();
                ask(engine, 2);
                assertThat(engine.checkThresholds()).as("the second crossing").singleElement().satisfies(
                        e -> assertThat(e.subject()).isEqualTo(expert));
                assertThat(engine.checkThresholds()).isEmpty();

                assertThat(meters.get("code.alerts.exceeded").tag("threshold", "expert-p99").counter().count())
                        .isEqualTo(2);
                List<CloudEvent> published = engine.events().history(CTX, null,
                        CloudEvent.PERFORMANCE_THRESHOLD_EXCEEDED, 10);
                assertThat(published).as("each crossing went out through the outbox").hasSize(2);
                assertThat(published.getFirst().id()).isEqualTo(crossed.getFirst().id());
            }
        }
    }
}
