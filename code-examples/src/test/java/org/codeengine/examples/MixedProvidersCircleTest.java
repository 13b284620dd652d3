package org.codeengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.experts.ConsensusResult;
import org.codeengine.api.experts.ExpertAnswer;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Query;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The circle of experts asks a panel that mixes the four HTTP provider plugins, each pointed at its own local server
 * that answers in the provider's wire format, and gets a consensus; no key shows in the result, the audit or the
 * failures.
 */
class MixedProvidersCircleTest {
    private static final String KEY = "sk-mixed-SECRET-9f8e7d6c5b4a";
    private static final CallContext CTX = new CallContext(new Principal("host", Principal.Kind.USER, Set.of(
            "admin")), null, "mixed-1");
    private final ScenarioServer openai = new ScenarioServer();
    private final ScenarioServer anthropic = new ScenarioServer();
    private final ScenarioServer gemini = new ScenarioServer();
    private final ScenarioServer ollama = new ScenarioServer();

    @AfterEach
    void stop() {
        List.of(openai, anthropic, gemini, ollama).forEach(ScenarioServer::close);
    }

    private static String json(String body) {
        return "HTTP/1.1 200 OK\ncontent-type: application/json\n\n" + body + "\n";
    }

    private void answer(String openaiText, String anthropicText, String geminiText, String ollamaText) {
        openai.play(json("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini",\
                "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],\
                "usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29}}""".formatted(openaiText)));
        anthropic.play(json("""
                {"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku",\
                "content":[{"type":"text","text":"%s"}],"stop_reason":"end_turn","stop_sequence":null,\
                "usage":{"input_tokens":21,"output_tokens":8}}""".formatted(anthropicText)));
        gemini.play(json("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"%s"}]},"finishReason":"STOP",\
                "index":0}],"usageMetadata":{"promptTokenCount":19,"candidatesTokenCount":7,"totalTokenCount":26},\
                "modelVersion":"gemini-flash","responseId":"r-1"}""".formatted(geminiText)));
        ollama.play(json("""
                {"model":"qwen2.5","created_at":"2026-11-24T10:00:00Z","message":{"role":"assistant",\
                "content":"%s"},"done":true,"done_reason":"stop","total_duration":1000,"prompt_eval_count":18,\
                "eval_count":6}""".formatted(ollamaText)));
    }

    private CodeEngine engine() {
        ExpertPanel.Builder panel = ExpertPanel.builder().quorum(Quorum.of(3)).strategy("majority").expertTimeout(
                Duration.ofSeconds(20));
        Map<String, ScenarioServer> servers = Map.of("openai", openai, "anthropic", anthropic, "gemini", gemini,
                "ollama", ollama);
        for (String provider : List.of("openai", "anthropic", "gemini", "ollama")) {
            panel.expert(ExpertSpec.of(provider, "test-model"));
            panel.provider(provider, new ProviderConfig(servers.get(provider).base(), Secret.of(KEY), Duration
                    .ofSeconds(10), Map.of("max-retries", "0")));
        }
        return CodeEngine.builder().store(StoreConfig.h2InMemory("mixed" + UUID.randomUUID().toString().replace("-",
                ""))).experts(panel.build()).build();
    }

    @Test
    void aPanelOfTheFourProviders_reachesAConsensus() {
        answer("{\\\"answer\\\": \\\"42\\\"}", "The answer is 42.", "{\\\"answer\\\": 42}", "41");
        try (CodeEngine engine = engine()) {
            ConsensusResult r = engine.experts().ask(CTX, Query.of("What is six times seven?"));

            assertThat(r.failures()).isEmpty();
            assertThat(r.answer()).isEqualTo("42");
            assertThat(r.experts()).containsExactly("openai/test-model", "anthropic/test-model",
                    "gemini/test-model");
            assertThat(r.dissent()).singleElement().satisfies(d -> assertThat(d.experts()).containsExactly(
                    "ollama/test-model"));
            assertThat(r.usage().inputTokens()).isEqualTo(20 + 21 + 19 + 18);
            for (ScenarioServer server : List.of(openai, anthropic, gemini, ollama)) {
                assertThat(server.requests()).hasSize(1);
                assertThat(server.requests().getFirst().headers().values()).anyMatch(v -> v.contains(KEY));
            }
            assertThat(r.toString()).doesNotContain(KEY);
            assertThat(engine.security().audit(1, 100)).extracting(AuditEntry::toString).noneMatch(e -> e.contains(
                    KEY));
        }
    }

    @Test
    void aProviderThatRefusesTheKey_isAFailedExpert_andItsMessageHoldsNoKey() {
        answer("42", "42", "42", "42");
        gemini.play("""
                HTTP/1.1 400 Bad Request
                content-type: application/json

                {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",\
                "status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",\
                "reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}
                """);
        try (CodeEngine engine = engine()) {
            ConsensusResult r = engine.experts().ask(CTX, Query.of("What is six times seven?"));

            assertThat(r.answer()).isEqualTo("42");
            assertThat(r.failures()).singleElement().satisfies(f -> {
                assertThat(f.expert()).isEqualTo("gemini/test-model");
                assertThat(f.failure()).startsWith("AuthenticationException").doesNotContain(KEY);
            });
            assertThat(r.answers()).extracting(ExpertAnswer::failure).allMatch(f -> f == null || !f.contains(KEY));
            assertThat(engine.security().audit(1, 100)).extracting(AuditEntry::toString).noneMatch(e -> e.contains(
                    KEY));
        }
    }
}
