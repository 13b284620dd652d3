package org.codeengine.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.RateLimitedException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.RateLimits;
import org.junit.jupiter.api.Test;

class SupportTest {
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

    private static HttpHeaders headers(String... pairs) {
        Map<String, List<String>> map = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], List.of(pairs[i + 1]));
        }
        return HttpHeaders.of(map, (a, b) -> true);
    }

    @Test
    void retryAfter_prefersMilliseconds_thenSeconds_thenAnHttpDate() {
        assertThat(RetryHeaders.retryAfter(headers("retry-after-ms", "250", "retry-after", "9"), NOW)).isEqualTo(
                Duration.ofMillis(250));
        assertThat(RetryHeaders.retryAfter(headers("retry-after", "2"), NOW)).isEqualTo(Duration.ofSeconds(2));
        assertThat(RetryHeaders.retryAfter(headers("retry-after", "Tue, 24 Nov 2026 10:00:05 GMT"), NOW)).isEqualTo(
                Duration.ofSeconds(5));
        assertThat(RetryHeaders.retryAfter(headers("retry-after", "soon"), NOW)).isNull();
        assertThat(RetryHeaders.retryAfter(headers(), NOW)).isNull();
        assertThat(RetryHeaders.shouldRetry(headers("x-should-retry", "false"))).isFalse();
        assertThat(RetryHeaders.shouldRetry(headers("x-should-retry", "true"))).isTrue();
        assertThat(RetryHeaders.shouldRetry(headers())).isNull();
    }

    @Test
    void rateLimitHeaders_ofOpenAiAndAnthropic() {
        RateLimits openai = RateLimitHeaders.parse(headers("x-ratelimit-limit-requests", "100",
                "x-ratelimit-remaining-requests", "99", "x-ratelimit-remaining-tokens", "29981",
                "x-ratelimit-reset-requests", "1m2.5s", "x-ratelimit-reset-tokens", "20ms"), NOW);
        assertThat(openai).isEqualTo(new RateLimits(100, 99, -1, 29981, Duration.ofMillis(62_500), Duration.ofMillis(
                20)));
        RateLimits anthropic = RateLimitHeaders.parse(headers("anthropic-ratelimit-requests-limit", "50",
                "anthropic-ratelimit-requests-remaining", "49", "anthropic-ratelimit-requests-reset",
                "2026-11-24T10:00:30Z"), NOW);
        assertThat(anthropic.requestsRemaining()).isEqualTo(49);
        assertThat(anthropic.requestsReset()).isEqualTo(Duration.ofSeconds(30));
        assertThat(RateLimitHeaders.parse(headers(), NOW).known()).isFalse();
    }

    @Test
    void httpErrors_mapEachStatusClass() {
        assertThat(HttpErrors.map("p", 401, "m", "r1", null)).isInstanceOf(AuthenticationException.class)
                .hasMessage("p answered HTTP 401: m (request r1)");
        assertThat(HttpErrors.map("p", 403, "m", null, null)).isInstanceOf(AuthenticationException.class);
        assertThat(HttpErrors.map("p", 404, "m", null, null)).isInstanceOf(NotFoundException.class);
        assertThat(HttpErrors.map("p", 400, "m", null, null)).isInstanceOf(InvalidRequestException.class);
        assertThat(HttpErrors.map("p", 408, "m", null, null)).isInstanceOf(DeadlineExceededException.class);
        assertThat(HttpErrors.map("p", 429, "m", null, Duration.ofSeconds(1))).isInstanceOf(
                RateLimitedException.class).satisfies(
                        e -> assertThat(((RateLimitedException) e).retryAfter())
                                .contains(Duration.ofSeconds(1)));
        for (int status : new int[]{409, 500, 502, 503, 529}) {
            assertThat(HttpErrors.map("p", status, "m", null, null)).isInstanceOf(UnavailableException.class);
            assertThat(HttpErrors.retriable(status)).isTrue();
        }
        assertThat(HttpErrors.retriable(400)).isFalse();
    }

    @Test
    void sse_skipsCommentsJoinsDataLines_andDropsAnUnfinishedEvent() {
        String stream = ": keep-alive\n\nevent: delta\ndata: {\"a\":\ndata: 1}\nid: 7\n\n: OPENROUTER PROCESSING\n"
                + "data: last\n\ndata: unfinished";
        try (SseReader sse = new SseReader(new LineStream(new ByteArrayInputStream(stream.getBytes(
                StandardCharsets.UTF_8)), Duration.ofSeconds(5), "p"))) {
            assertThat(sse.next()).isEqualTo(new SseReader.Event("delta", "{\"a\":\n1}"));
            assertThat(sse.next()).isEqualTo(new SseReader.Event(null, "last"));
            assertThat(sse.next()).isNull();
        }
    }

    /** Sends its bytes, then blocks like a silent socket until it is closed. */
    private static final class SilentAfter extends InputStream {
        private final ByteArrayInputStream first;
        private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

        SilentAfter(String text) {
            first = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            if (first.available() > 0) {
                return first.read(b, off, len);
            }
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new java.io.IOException("closed");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void aStalledStream_isCutByTheWatchdog() {
        long began = System.nanoTime();
        try (LineStream lines = new LineStream(new SilentAfter("data: one\n\n"), Duration.ofMillis(300), "p")) {
            assertThat(lines.readLine()).isEqualTo("data: one");
            assertThat(lines.readLine()).isEmpty();
            assertThatThrownBy(lines::readLine).isInstanceOf(DeadlineExceededException.class).hasMessageContaining(
                    "stalled");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void schema_require_marksPropertiesAddedBefore_once_andRefusesOnesItDoesNotHave() {
        ToolKit.Schema schema = ToolKit.schema().string("url", "Where", true).integer("status", "Code", 100, 599)
                .flag("truncated", "Cut");
        assertThat(schema.require("status", "url").build().path("required").valueStream().map(n -> n.asString()))
                .containsExactly("url", "status");
        assertThatThrownBy(() -> schema.require("length")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("required property 'length' is not in the schema");
    }

    @Test
    void settings_readDurationsAndCounts_withErrorsNamingTheSetting() {
        assertThat(Settings.duration(Map.of("t", "500ms"), "t", Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
        assertThat(Settings.duration(Map.of("t", "PT2S"), "t", Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Settings.duration(Map.of(), "t", Duration.ofSeconds(9))).isEqualTo(Duration.ofSeconds(9));
        assertThatThrownBy(() -> Settings.duration(Map.of("t", "0s"), "t", Duration.ZERO)).isInstanceOf(
                ConfigurationException.class).hasMessageContaining("setting 't' must be a positive duration");
        assertThat(Settings.count(Map.of("n", "3"), "n", 1)).isEqualTo(3);
        assertThatThrownBy(() -> Settings.count(Map.of("n", "-1"), "n", 1))
                .hasMessageContaining("setting 'n' must be a whole number");
    }

    @Test
    void availability_answersLate_whenTheCheckTakesLongerThanItsTimeout_andInterruptsIt() throws Exception {
        java.util.concurrent.CountDownLatch interrupted = new java.util.concurrent.CountDownLatch(1);

        java.util.Optional<String> answer = Availability.within(Duration.ofMillis(100), "too slow", () -> {
            try {
                new java.util.concurrent.CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return java.util.Optional.empty();
        });

        assertThat(answer).contains("too slow");
        assertThat(interrupted.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(Availability.within(Duration.ofSeconds(10), "too slow", java.util.Optional::empty)).isEmpty();
        assertThat(Availability.within(Duration.ofSeconds(10), "too slow", () -> {
            throw new UnavailableException("the daemon at x is not reachable", null, null);
        })).contains("the daemon at x is not reachable");
    }
}
