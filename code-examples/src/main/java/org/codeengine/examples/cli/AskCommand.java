package org.codeengine.examples.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.codeengine.api.experts.Cluster;
import org.codeengine.api.experts.ConsensusResult;
import org.codeengine.api.experts.ExpertAnswer;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.Query;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code code ask}: one question to the circle of experts, and the consensus with the numbers behind it. */
@Command(name = "ask", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Ask the circle of experts a question: every expert at once, then a measured consensus with its agreement, "
                + "confidence and dissent.",
        "Experts come from --experts, else 'experts:' in config.yaml, else the providers whose keys are set "
                + "(OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY; OLLAMA_MODEL for a local Ollama).",
        "Exits with 0 on an accepted answer, 1 when there is none or an axiom rejected it."}, footer = {"",
                "Examples:", "  code ask \"What is 17 * 23?\"",
                "  code ask --experts openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest --quorum 2 \"...\"",
                "  code ask --experts panel.yaml --strategy majority --timeout 20s \"...\"",
                "  code ask --experts replay \"$(zcat ../shared/eval/gsm8k-experts.jsonl.gz | head -1 | jq -r "
                        + ".question)\"",
                "", "A panel file (--experts FILE, or experts: FILE in config.yaml), YAML or"
                        + " JSON; only experts: is required:",
                AskCommand.PANEL_EXAMPLE})
final class AskCommand extends BaseCommand {
    /** A whole panel file, every key commented; the README shows the same text, and a test reads it as a panel. */
    static final String PANEL_EXAMPLE = """
              # who is asked (required): each expert names a provider plugin and a model
              experts:
                - provider: openai          # openai, anthropic, gemini, ollama, replay
                  model: gpt-4o-mini        # as the provider names it
                  weight: 1.0               # optional: its vote's weight (1.0)
                - provider: anthropic
                  model: claude-3-5-haiku-latest
                  role: skeptic             # optional: a short name, part of its id
                  prompt: Check each step.  # optional: its system prompt
                - provider: ollama
                  model: qwen2.5:7b
              # optional: how to reach each provider, by plugin name
              providers:
                openai:
                  # where the key is (env:NAME, vault:name, secret://name),
                  # never the key itself
                  apiKey: env:OPENAI_API_KEY
                  timeout: 30s              # the longest one request may take (60s)
                  settings:                 # the plugin's own settings, as text
                    organization: org-example
                    stream-idle-timeout: 20s
                ollama:
                  baseUrl: http://127.0.0.1:11434  # else the plugin's default
              quorum: majority              # a count (2), a share (0.6) or majority
              expertTimeout: 20s            # one expert's call, retries included
              strategy: reliability         # or majority, unsupervised, medoid
              # auto, numeric, text, choice:D, json:path[:how] or regex:pattern
              extraction: numeric
              cacheTtl: 10m                 # reuse a result this long; 0s: never
              axioms:                       # a result that breaks one is rejected
                - minAgreement: 0.6
                - minProviders: 2
                - noSecrets: true
              # optional: dollars per million tokens in and out, by model
              prices:
                gpt-4o-mini: {input: 0.15, output: 0.6}
              # optional: per provider, calls per second, at once, and tries
              limits:
                openai: {ratePerSecond: 5, concurrent: 4, attempts: 3}
            """;

    @Parameters(paramLabel = "QUESTION", description = "The question.")
    String question;

    @Option(names = "--experts", paramLabel = "FILE|LIST|replay", description = "A panel file, a list provider:model,..., or 'replay' (recorded replies of five models).")
    @Nullable
    String experts;

    @Option(names = "--strategy", description = "reliability (default), majority, unsupervised or medoid.")
    @Nullable
    String strategy;

    @Option(names = "--quorum", description = "How many must answer: a count, a percentage, or 'majority'.")
    @Nullable
    String quorum;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, description = "The longest one expert may take, e.g. 20s.")
    @Nullable
    Duration timeout;

    @Option(names = "--eval", paramLabel = "DIR|FILE", description = "The recorded replies for replay experts (default: $CODE_EVAL, or shared/eval above).")
    @Nullable
    Path eval;

    @Override
    int run(Session session) {
        ExpertPanel panel = Panels.override(Panels.resolve(session, experts, eval), strategy, quorum, timeout);
        Query query = Query.of(question);
        if (timeout != null) {
            query = new Query(question, null, timeout.plusSeconds(5), query.temperature(), query.maxTokens());
        }
        ConsensusResult result = session.engine(panel).experts().ask(session.context(), query);
        Output out = session.out();
        if (out.json()) {
            out.print(json(result, session.engine().security().scanner()::redact));
        } else {
            print(out, result);
        }
        if (result.answer() == null || !result.accepted()) {
            out.error(result.answer() == null
                    ? "no expert gave an answer"
                    : "the answer broke the axiom " + result.rejectedBy(), "see each expert's reply with --json");
            return CodeApp.FAILURE;
        }
        return CodeApp.OK;
    }

    /** Prints a consensus for people: the answer, agreement, confidence, dissent and failures. */
    static void print(Output out, ConsensusResult r) {
        out.line("  " + out.bold("answer ") + out.bold(out.green(String.valueOf(r.answer()))) + "   agreement "
                + percent(r.agreement()) + "   confidence " + percent(r.confidence()) + "   " + out.dim(r.strategy()
                        + (r.cached() ? ", cached" : "")));
        int room = Math.max(30, out.width() - 24);
        out.line("  " + out.dim("backed by ") + Output.fit(String.join(", ", r.experts()), room));
        for (Cluster c : r.dissent()) {
            out.line("  " + out.yellow("dissent ") + Output.fit(c.answer(), 20) + out.dim(" (" + percent(c.weight())
                    + ") ") + Output.fit(String.join(", ", c.experts()), room - 10));
        }
        for (ExpertAnswer a : r.answers()) {
            if (a.failure() != null) {
                out.line("  " + out.red("failed  ") + a.expert() + ": " + Output.fit(a.failure(), 80));
            } else if (a.extracted() == null) {
                out.line("  " + out.dim("no answer ") + a.expert());
            }
        }
        if (r.rejectedBy() != null) {
            out.line("  " + out.red("rejected by " + r.rejectedBy()));
        }
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    /**
     * @param r a consensus
     * @param redact what hides secrets in the replies
     * @return the consensus as JSON, every expert's reply included, with secrets in them redacted
     */
    static ObjectNode json(ConsensusResult r, UnaryOperator<String> redact) {
        ObjectNode node = Output.object().put("answer", r.answer()).put("strategy", r.strategy()).put("agreement", r
                .agreement()).put("confidence", r.confidence()).put("cached", r.cached()).put("rejectedBy", r
                        .rejectedBy())
                .put("cost", r.cost());
        ArrayNode experts = node.putArray("experts");
        r.experts().forEach(experts::add);
        ArrayNode dissent = node.putArray("dissent");
        for (Cluster c : r.dissent()) {
            ArrayNode who = dissent.addObject().put("answer", c.answer()).put("weight", c.weight()).putArray(
                    "experts");
            c.experts().forEach(who::add);
        }
        ArrayNode answers = node.putArray("answers");
        for (ExpertAnswer a : r.answers()) {
            answers.addObject().put("expert", a.expert()).put("answer", a.extracted())
                    .put("reply", a.text() == null ? null : redact.apply(a.text())).put(
                            "failure", a.failure())
                    .put("latencyMs", a.latency().toMillis());
        }
        node.putObject("usage").put("inputTokens", r.usage().inputTokens()).put("outputTokens", r.usage()
                .outputTokens());
        return node;
    }
}
