package org.codeengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.RateLimitedException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.experts.Axiom;
import org.codeengine.api.experts.ConsensusResult;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.ExpertAnswer;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Extraction;
import org.codeengine.api.experts.Price;
import org.codeengine.api.experts.Query;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.RateLimits;
import org.codeengine.core.internal.experts.MajorityStrategy;
import org.codeengine.core.testplugins.PluginLoaders;
import org.codeengine.core.testplugins.ScriptedExpertProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class ExpertCircleTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "trace-1");
    @TempDir
    Path dir;

    /** A model name unique to this test run, answering with {@code script}. */
    private static String model(Function<ChatRequest, String> script) {
        String name = "m-" + UUID.randomUUID();
        ScriptedExpertProvider.SCRIPTS.put(name, script);
        return name;
    }

    private static String says(String answer) {
        return model(r -> "{\"reasoning\": \"...\", \"answer\": \"" + answer + "\"}");
    }

    private static String sleeps(Duration d, String answer) {
        return model(r -> {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            return answer;
        });
    }

    private static ExpertPanel.Builder panel(String... models) {
        ExpertPanel.Builder b = ExpertPanel.builder();
        for (String m : models) {
            b.expert(ExpertSpec.of("scripted", m));
        }
        return b;
    }

    private CodeEngine engine(ExpertPanel panel) {
        return engine(panel, StoreConfig.h2InMemory("e" + UUID.randomUUID().toString().replace("-", "")));
    }

    private CodeEngine engine(ExpertPanel panel, StoreConfig store) {
        return CodeEngine.builder().store(store).pluginClassLoader(PluginLoaders.withExpertProviders(dir,
                ScriptedExpertProvider.class)).experts(panel).build();
    }

    @Test
    void ask_returnsTheMajorityAnswer_withEveryExpertsAnswerUsageAndCost() {
        String a = says("42");
        String b = says("$42.00");
        String c = says("41");
        try (CodeEngine engine = engine(panel(a, b, c).price(a, new Price(1_000_000, 0)).build())) {
            ConsensusResult r = engine.experts().ask(CTX, Query.of("What is six times seven?"));

            assertThat(r.answer()).isEqualTo("42");
            assertThat(r.strategy()).isEqualTo("reliability");
            assertThat(r.experts()).containsExactly("scripted/" + a, "scripted/" + b);
            assertThat(r.agreement()).isCloseTo(2 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(r.dissent()).singleElement().satisfies(d -> {
                assertThat(d.answer()).isEqualTo("41");
                assertThat(d.experts()).containsExactly("scripted/" + c);
            });
            assertThat(r.answers()).extracting(ExpertAnswer::extracted).containsExactly("42", "42", "41");
            assertThat(r.usage().inputTokens()).isEqualTo(300);
            assertThat(r.cost()).isEqualTo(100.0); // 100 input tokens at $1 a token for expert a only
            assertThat(r.confidence()).isBetween(0.5, 1.0);
            assertThat(r.accepted()).isTrue();
            assertThat(r.cached()).isFalse();
            assertThat(engine.meterRegistry().get("code.expert.calls").tag("expert", "scripted/" + a).tag("outcome",
                    "answered").timer().count()).isEqualTo(1);
            assertThat(engine.meterRegistry().get("code.expert.cost").tag("expert", "scripted/" + a).counter()
                    .count()).isEqualTo(100.0);
        }
    }

    @Test
    void aStrategy_isGivenTheQuestionAsked_andOneWrittenAgainstTheVotesAloneKeepsWorking() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        ConsensusStrategy reading = new ConsensusStrategy() {
            @Override
            public String name() {
                return "reads-the-question";
            }

            @Override
            public Verdict decide(List<Vote> votes, Reliability reliability) {
                return decide("", votes, reliability);
            }

            @Override
            public Verdict decide(String question, List<Vote> votes, Reliability reliability) {
                seen.add(question);
                return new MajorityStrategy().decide(votes, reliability);
            }
        };
        String a = says("42");
        String b = says("41");
        String c = says("42");
        // majority implements only decide(votes, reliability), as a host's strategy written before the question was
        // passed does
        for (String strategy : List.of(reading.name(), "majority")) {
            try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("e" + UUID.randomUUID()
                    .toString().replace("-", ""))).pluginClassLoader(PluginLoaders.withExpertProviders(dir,
                            ScriptedExpertProvider.class))
                    .consensusStrategy(reading).experts(panel(a, b, c).strategy(strategy).build())
                    .build()) {
                ConsensusResult r = engine.experts().ask(CTX, Query.of("What is six times seven?"));

                assertThat(r.answer()).isEqualTo("42");
                assertThat(r.strategy()).isEqualTo(strategy);
                assertThat(r.question()).isEqualTo("What is six times seven?");
                engine.experts().report(CTX, r, "42");
            }
        }
        assertThat(seen).containsExactly("What is six times seven?");
    }

    @Test
    void aFailingStrategyOrExtraction_isReportedAtOnce_notAfterTheTimeout() {
        String deep = model(r -> "x".repeat(50_000));
        ExpertPanel p = panel(deep).quorum(Quorum.of(1)).expertTimeout(Duration.ofSeconds(20)).extraction(
                new Extraction.Custom("recursive", s -> {
                    throw new StackOverflowError();
                })).build();
        try (CodeEngine engine = engine(p)) {
            long began = System.nanoTime();
            assertThatThrownBy(() -> engine.experts().ask(CTX, Query.of("q"))).isInstanceOf(
                    UnavailableException.class).hasMessageContaining("StackOverflowError");
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void badRequests_doNotTripTheBreaker_ofAHealthyExpert() {
        AtomicInteger calls = new AtomicInteger();
        String picky = model(r -> {
            if (calls.incrementAndGet() <= 6) {
                throw new org.codeengine.api.InvalidRequestException("prompt too long", null);
            }
            return "{\"answer\": \"1\"}";
        });
        try (CodeEngine engine = engine(panel(picky).quorum(Quorum.of(1)).build())) {
            for (int i = 0; i < 6; i++) {
                assertThatThrownBy(() -> engine.experts().ask(CTX, Query.of("long" + calls.get()))).isInstanceOf(
                        UnavailableException.class);
            }
            assertThat(engine.experts().ask(CTX, Query.of("short")).answer()).isEqualTo("1");
        }
    }

    @Test
    void noAnswerAtAll_isARejectedResult() {
        try (CodeEngine engine = engine(panel(model(r -> "{\"answer\": null}")).quorum(Quorum.of(1)).build())) {
            ConsensusResult r = engine.experts().ask(CTX, Query.of("q"));
            assertThat(r.answer()).isNull();
            assertThat(r.accepted()).isFalse();
            assertThat(r.rejectedBy()).isEqualTo("no-answer");
        }
    }

    @Test
    void aReplyWithNoAnswer_isNoVote_notAVoteForTheEmptyString() {
        String a = says("7");
        String none = model(r -> "{\"answer\": null}");
        String empty = model(r -> "{\"answer\": \"\"}");
        try (CodeEngine engine = engine(panel(a, none, empty).quorum(Quorum.of(1)).build())) {
            ConsensusResult r = engine.experts().ask(CTX, Query.of("q"));

            assertThat(r.answer()).isEqualTo("7");
            assertThat(r.agreement()).isEqualTo(1.0);
            assertThat(r.clusters()).hasSize(1);
            assertThat(r.answers()).extracting(ExpertAnswer::extracted).containsExactly("7", null, null);
        }
    }

    @Test
    void quorum_returnsBeforeTheDeadline_whenASlowExpertRunsOutOfItsOwnTime() {
        String slow = sleeps(Duration.ofSeconds(20), "{\"answer\": \"1\"}");
        ExpertPanel p = panel(says("2"), says("2"), slow).quorum(Quorum.of(2)).expertTimeout(Duration.ofMillis(
                500)).build();
        try (CodeEngine engine = engine(p)) {
            long began = System.nanoTime();
            ConsensusResult r = engine.experts().ask(CTX, new Query("q", null, Duration.ofSeconds(15), 0, 100));
            Duration took = Duration.ofNanos(System.nanoTime() - began);

            assertThat(took).isLessThan(Duration.ofSeconds(10));
            assertThat(r.answer()).isEqualTo("2");
            assertThat(r.failures()).singleElement().satisfies(f -> {
                assertThat(f.expert()).isEqualTo("scripted/" + slow);
                assertThat(f.failure()).contains("no answer within the expert timeout of PT0.5S");
            });
        }
    }

    @Test
    void aSlowExpert_doesNotHoldTheResultPastTheQueryDeadline() {
        String slow = sleeps(Duration.ofSeconds(20), "{\"answer\": \"1\"}");
        ExpertPanel p = panel(says("3"), slow).quorum(Quorum.of(1)).expertTimeout(Duration.ofSeconds(60)).build();
        try (CodeEngine engine = engine(p)) {
            long began = System.nanoTime();
            ConsensusResult r = engine.experts().ask(CTX, new Query("q", null, Duration.ofMillis(400), 0, 100));

            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
            assertThat(r.answer()).isEqualTo("3");
            assertThat(r.failures()).singleElement().extracting(ExpertAnswer::failure).asString().contains(
                    "no answer within the deadline");
        }
    }

    @Test
    void fewerAnswersThanTheQuorum_beforeTheDeadline_isDeadlineExceeded_namingTheLateExpert() {
        String slow = sleeps(Duration.ofSeconds(20), "{\"answer\": \"1\"}");
        try (CodeEngine engine = engine(panel(says("3"), slow).quorum(Quorum.of(2)).build())) {
            assertThatThrownBy(() -> engine.experts().ask(CTX, new Query("q", null, Duration.ofMillis(300), 0, 100)))
                    .isInstanceOf(DeadlineExceededException.class).hasMessageContaining("1 of 2 experts answered")
                    .hasMessageContaining("scripted/" + slow);
        }
    }

    @Test
    void aTrippedCircuitBreaker_skipsTheExpert_andSaysSo() {
        String broken = model(r -> {
            throw new UnavailableException("provider down", null, null);
        });
        ExpertPanel p = panel(says("5"), broken).quorum(Quorum.of(1)).limits("scripted",
                new ExpertPanel.ProviderLimits(1000, 8, 1)).build();
        try (CodeEngine engine = engine(p)) {
            for (int i = 0; i < 6; i++) {
                engine.experts().ask(CTX, Query.of("q" + i));
            }
            int callsBefore = ScriptedExpertProvider.calls(broken);

            ConsensusResult r = engine.experts().ask(CTX, Query.of("another"));

            assertThat(ScriptedExpertProvider.calls(broken)).isEqualTo(callsBefore);
            assertThat(r.answer()).isEqualTo("5");
            assertThat(r.failures()).singleElement().extracting(ExpertAnswer::failure).asString().contains(
                    "circuit breaker of expert 'scripted/" + broken + "' is open");
        }
    }

    @Test
    void aRateLimitedProvider_isRetriedAfterTheWaitItAskedFor() throws IOException {
        AtomicInteger hits = new AtomicInteger();
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.US_ASCII));
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        // request line and headers
                    }
                    String body = hits.incrementAndGet() == 1 ? "slow down" : "{\"answer\": \"9\"}";
                    String head = hits.get() == 1
                            ? "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n"
                            : "HTTP/1.1 200 OK\r\n";
                    socket.getOutputStream().write((head + "Content-Length: " + body.length()
                            + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
        String limited = model(r -> {
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers
                        .ofString());
                if (response.statusCode() == 429) {
                    throw new RateLimitedException("rate limited", Duration.ofSeconds(Long.parseLong(response
                            .headers().firstValue("Retry-After").orElseThrow())), null);
                }
                return response.body();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try (CodeEngine engine = engine(panel(limited).quorum(Quorum.of(1)).build())) {
            long began = System.nanoTime();
            ConsensusResult r = engine.experts().ask(CTX, Query.of("q"));

            assertThat(r.answer()).isEqualTo("9");
            assertThat(hits.get()).isEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        } finally {
            server.close();
        }
    }

    @Test
    void aProviderSayingItsRateLimitIsSpent_holdsItsNextCalls_untilTheWindowResets() {
        String a = says("4");
        ScriptedExpertProvider.LIMITS.put(a, new RateLimits(100, 0, -1, -1, Duration.ofSeconds(30), null));
        try (CodeEngine engine = engine(panel(a).quorum(Quorum.of(1)).build())) {
            assertThat(engine.experts().ask(CTX, Query.of("first")).answer()).isEqualTo("4");

            assertThatThrownBy(() -> engine.experts().ask(CTX, new Query("second", null, Duration.ofMillis(500), 0,
                    100))).isInstanceOf(UnavailableException.class).hasMessageContaining("rate limit is spent");
            assertThat(ScriptedExpertProvider.calls(a)).isEqualTo(1);
        }
    }

    @Test
    void anIdenticalQuery_withinTheTtl_comesFromTheCache_andSaysSo() {
        String a = says("8");
        try (CodeEngine engine = engine(panel(a).quorum(Quorum.of(1)).cacheTtl(Duration.ofMinutes(5)).build())) {
            ConsensusResult first = engine.experts().ask(CTX, Query.of("How many legs has a spider?"));
            ConsensusResult second = engine.experts().ask(CTX, Query.of("  How many legs has a spider?\n"));
            ConsensusResult otherCase = engine.experts().ask(CTX, Query.of("how many legs has a SPIDER?"));
            ConsensusResult other = engine.experts().ask(CTX, new Query("How many legs has a spider?", null, Duration
                    .ofSeconds(5), 0.7, 1024));

            assertThat(first.cached()).isFalse();
            assertThat(second.cached()).isTrue();
            assertThat(second.answer()).isEqualTo("8");
            assertThat(other.cached()).as("other parameters").isFalse();
            assertThat(otherCase.cached()).as("case can matter (code, names)").isFalse();
            assertThat(ScriptedExpertProvider.calls(a)).isEqualTo(3);
        }
    }

    @Test
    void reportedTruth_reweightsTheExperts_andSurvivesARestart() {
        String lone = says("10");
        String twinA = says("11");
        String twinB = says("11");
        ExpertPanel p = panel(lone, twinA, twinB).quorum(Quorum.of(1)).build();
        StoreConfig store = StoreConfig.h2File(dir.resolve("circle-db"));
        try (CodeEngine engine = engine(p, store)) {
            ConsensusResult before = engine.experts().ask(CTX, Query.of("q0"));
            assertThat(before.answer()).as("with no record, the majority").isEqualTo("11");
            for (int i = 0; i < 30; i++) {
                engine.experts().report(CTX, engine.experts().ask(CTX, Query.of("q" + i)), "10");
            }
        }
        try (CodeEngine engine = engine(p, store)) {
            ConsensusResult after = engine.experts().ask(CTX, Query.of("q-new"));

            assertThat(after.answer()).as("the expert that was always right").isEqualTo("10");
            assertThat(after.experts()).containsExactly("scripted/" + lone);
            assertThat(after.rationale()).as("the result says which rule chose and why")
                    .startsWith("rule learned:");
        }
    }

    @Test
    void badInput_getsOneClearError_beforeAnyCall() {
        String a = says("1");
        assertThatThrownBy(() -> Query.of("  ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(
                "question");
        assertThatThrownBy(() -> ExpertPanel.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("experts must not be empty");
        assertThatThrownBy(() -> panel(a, says("2")).quorum(Quorum.of(3)).build()).isInstanceOf(
                IllegalArgumentException.class)
                .hasMessageContaining("quorum must not be larger than the panel: 3 of 2");
        assertThatThrownBy(() -> engine(ExpertPanel.builder().expert(ExpertSpec.of("nosuch", "x")).build()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("provider 'nosuch'")
                .hasMessageContaining("scripted");
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("e" + UUID.randomUUID().toString()
                .replace("-", ""))).build()) {
            assertThatThrownBy(engine::experts).isInstanceOf(ConfigurationException.class).hasMessageContaining(
                    "no experts configured");
        }
        assertThat(ScriptedExpertProvider.calls(a)).isZero();
    }

    @Test
    void aCallerWithoutExpertQuery_isDenied_beforeAnyCall() {
        String a = says("1");
        try (CodeEngine engine = engine(panel(a).quorum(Quorum.of(1)).build())) {
            CallContext nobody = new CallContext(new Principal("guest", Principal.Kind.USER, Set.of()), null, "t");
            assertThatThrownBy(() -> engine.experts().ask(nobody, Query.of("q"))).isInstanceOf(
                    PolicyDeniedException.class);
            assertThat(ScriptedExpertProvider.calls(a)).isZero();
        }
    }

    @Test
    void brokenAxioms_markTheResultRejected_withTheRuleName() {
        String key = "AKIA" + "Q3EGRXZPLW7TN2VM";
        String leaky = model(r -> "{\"answer\": \"use " + key + "\"}");
        try (CodeEngine engine = engine(panel(leaky).quorum(Quorum.of(1)).extraction(new Extraction.JsonField("answer",
                new Extraction.Text())).axiom(new Axiom.NoSecrets()).build())) {
            ConsensusResult r = engine.experts().ask(CTX, Query.of("q"));
            assertThat(r.accepted()).isFalse();
            assertThat(r.rejectedBy()).isEqualTo("no-secrets");
        }
        try (CodeEngine engine = engine(panel(says("1"), says("2"), says("2")).axiom(new Axiom.MinAgreement(0.9))
                .build())) {
            assertThat(engine.experts().ask(CTX, Query.of("q")).rejectedBy()).isEqualTo("min-agreement(0.9)");
        }
        String json = model(r -> "{\"answer\": {\"risk\": \"high\", \"score\": 7}}");
        var schema = JsonMapper.builder().build().readTree(
                "{\"type\":\"object\",\"required\":[\"risk\",\"score\"],\"properties\":{\"risk\":{\"enum\":[\"low\",\"high\"]},"
                        + "\"score\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":5}}}");
        try (CodeEngine engine = engine(panel(json).quorum(Quorum.of(1)).extraction(new Extraction.JsonField("answer",
                new Extraction.Custom("raw", s -> s))).axiom(new Axiom.JsonSchema(schema)).build())) {
            ConsensusResult r = engine.experts().ask(CTX, Query.of("q"));
            assertThat(r.rejectedBy()).as("score 7 is above the maximum 5").isEqualTo("json-schema");
            assertThat(r.answer()).isEqualTo("{\"risk\":\"high\",\"score\":7}");
        }
        String fine = model(r -> "{\"answer\": {\"risk\": \"low\", \"score\": 3}}");
        try (CodeEngine engine = engine(panel(fine).quorum(Quorum.of(1)).extraction(new Extraction.JsonField("answer",
                new Extraction.Custom("raw", s -> s))).axiom(new Axiom.JsonSchema(schema)).build())) {
            assertThat(engine.experts().ask(CTX, Query.of("q")).accepted()).isTrue();
        }
        try (CodeEngine engine = engine(panel(says("2"), says("2")).axiom(new Axiom.MinProviders(2)).build())) {
            assertThat(engine.experts().ask(CTX, Query.of("q")).rejectedBy()).isEqualTo("min-providers(2)");
        }
    }

    @Test
    void medoid_picksTheMostCentralReplyOfTheLargestGroup_forFreeText() {
        String a = model(r -> "Restart the database service and then clear the application cache.");
        String b = model(r -> "Clear the application cache, then restart the database service.");
        String c = model(r -> "Restart the database service, then clear the application cache please.");
        String d = model(r -> "Buy a new laptop.");
        try (CodeEngine engine = engine(panel(a, b, c, d).strategy("medoid").extraction(new Extraction.Text())
                .build())) {
            ConsensusResult r = engine.experts().ask(CTX, Query.of("How do I fix the stale page?"));

            assertThat(r.strategy()).isEqualTo("medoid");
            assertThat(r.experts()).hasSize(3).doesNotContain("scripted/" + d);
            assertThat(r.answer()).contains("restart the database service");
            assertThat(r.dissent()).singleElement().extracting(c2 -> c2.answer()).isEqualTo("buy a new laptop");
        }
    }

    @Test
    void rolePrompts_reachTheProviderAfterTheQuerysSystemPrompt() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        String m = model(r -> {
            seen.add(r.messages().getFirst().content());
            return "{\"answer\": \"ok\"}";
        });
        ExpertPanel p = ExpertPanel.builder().expert(ExpertSpec.of("scripted", m).inRole("security",
                "You review security.")).quorum(Quorum.of(1)).build();
        try (CodeEngine engine = engine(p)) {
            ConsensusResult r = engine.experts().ask(CTX, new Query("q", "Answer as JSON.", Duration.ofSeconds(5), 0,
                    100));
            assertThat(r.experts()).containsExactly("scripted/" + m + "#security");
            assertThat(seen).containsExactly("Answer as JSON.\n\nYou review security.");
        }
    }
}
