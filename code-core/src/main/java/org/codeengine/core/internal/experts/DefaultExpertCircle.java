package org.codeengine.core.internal.experts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.experts.Cluster;
import org.codeengine.api.experts.ConsensusResult;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.ExpertAnswer;
import org.codeengine.api.experts.ExpertCircle;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Price;
import org.codeengine.api.experts.Query;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.security.SecretScanner;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.api.spi.CallTracer;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.internal.observe.Telemetry;
import org.codeengine.core.internal.observe.ThresholdWatch;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator.Audit;
import org.jspecify.annotations.Nullable;

/**
 * The circle of experts: checks the caller, answers identical queries from the cache, asks every expert at once on
 * virtual threads (each through its provider's {@link ProviderGuard}), waits until each has answered, failed or run
 * out of time (never past the query's deadline), extracts the answers, lets the strategy decide, checks the axioms,
 * and audits the call.
 */
public final class DefaultExpertCircle implements ExpertCircle, AutoCloseable {
    private static final Permission QUERY = new Permission("expert", "query", "circle");
    private static final Permission REPORT = new Permission("expert", "report", "circle");
    private final ExpertPanel panel;
    private final List<Member> members;
    private final Map<String, ExpertClient> clients;
    private final ConsensusStrategy strategy;
    private final ReliabilityBook book;
    private final SecurityFacade security;
    private final Audit audit;
    private final SecretScanner scanner;
    private final Clock clock;
    private final ExecutorService threads;
    private final Function<String, @Nullable String> extract;
    private final Map<String, String> providerOf = new LinkedHashMap<>();
    private final @Nullable Cache<String, ConsensusResult> cache;
    private final Runnable onClose;
    private final Telemetry telemetry;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private record Member(ExpertSpec spec, ProviderGuard guard, Price price, Meters meters) {}

    /** The performance monitor of one expert: latency by outcome, tokens and cost. */
    private record Meters(Timer answered, Timer failed, Counter inputTokens, Counter outputTokens, Counter cost) {
        /** @param window how far back the answered timer keeps its p99, which latency thresholds read */
        static Meters of(MeterRegistry registry, String expert, Duration window) {
            return new Meters(Timer.builder("code.expert.calls").tag("expert", expert).tag("outcome", "answered")
                    .publishPercentiles(ThresholdWatch.P99).distributionStatisticExpiry(window).register(registry),
                    Timer.builder("code.expert.calls").tag("expert", expert).tag("outcome",
                            "failed").register(registry),
                    Counter.builder("code.expert.tokens").tag("expert", expert)
                            .tag("kind", "input").register(registry),
                    Counter.builder("code.expert.tokens")
                            .tag("expert", expert).tag("kind", "output").register(registry),
                    Counter
                            .builder("code.expert.cost").baseUnit("usd").tag("expert", expert)
                            .register(registry));
        }
    }

    /**
     * Checks the panel against the plugins and strategies and connects to every provider.
     *
     * @throws ConfigurationException if an expert names an unknown provider, the strategy is unknown, or a provider
     *         rejects its configuration
     */
    public DefaultExpertCircle(ExpertPanel panel, Map<String, ExpertProvider> providers,
            Map<String, ConsensusStrategy> strategies, ReliabilityBook book, SecurityFacade security, Audit audit,
            SecretScanner scanner, Clock clock, ExecutorService threads, MeterRegistry meters,
            Function<SecretRef, Secret> secrets, Runnable onClose) {
        this(panel, providers, strategies, book, security, audit, scanner, clock, threads, new Telemetry(meters,
                ObservationRegistry.NOOP), secrets, onClose);
    }

    /**
     * Checks the panel against the plugins and strategies and connects to every provider.
     *
     * @throws ConfigurationException if an expert names an unknown provider, the strategy is unknown, or a provider
     *         rejects its configuration
     */
    public DefaultExpertCircle(ExpertPanel panel, Map<String, ExpertProvider> providers,
            Map<String, ConsensusStrategy> strategies, ReliabilityBook book, SecurityFacade security, Audit audit,
            SecretScanner scanner, Clock clock, ExecutorService threads, Telemetry telemetry,
            Function<SecretRef, Secret> secrets, Runnable onClose) {
        MeterRegistry meters = telemetry.meters();
        this.telemetry = telemetry;
        this.panel = panel;
        this.onClose = onClose;
        this.book = book;
        this.security = security;
        this.audit = audit;
        this.scanner = scanner;
        this.clock = clock;
        this.threads = threads;
        this.strategy = strategies.get(panel.strategy());
        if (strategy == null) {
            throw new ConfigurationException("strategy '" + panel.strategy() + "' is unknown; known: " + strategies
                    .keySet(), null);
        }
        for (ExpertSpec e : panel.experts()) {
            if (!providers.containsKey(e.provider())) {
                throw new ConfigurationException("expert " + e.id() + " names provider '" + e.provider()
                        + "', which no plugin provides; providers found: " + providers.keySet(), null);
            }
        }
        Map<String, ProviderGuard> guards = new LinkedHashMap<>();
        Map<String, ExpertClient> connected = new LinkedHashMap<>();
        List<Member> list = new ArrayList<>();
        try {
            for (ExpertSpec e : panel.experts()) {
                ProviderGuard guard = guards.computeIfAbsent(e.provider(), p -> new ProviderGuard(p, panel.limits()
                        .getOrDefault(p, ExpertPanel.ProviderLimits.DEFAULT), Duration.ofSeconds(30)));
                connected.computeIfAbsent(e.provider(), p -> providers.get(p).create(withKey(p, panel.providers()
                        .getOrDefault(p, new ProviderConfig(null, null, panel.expertTimeout(), Map.of())), secrets)));
                Price price = panel.prices().getOrDefault(e.provider() + "/" + e.model(), panel.prices().getOrDefault(e
                        .model(), Price.FREE));
                list.add(new Member(e, guard, price, Meters.of(meters, e.id(), telemetry.latencyWindow())));
                providerOf.put(e.id(), e.provider());
            }
        } catch (RuntimeException e) {
            connected.values().forEach(ExpertClient::close);
            throw e;
        }
        this.members = List.copyOf(list);
        this.clients = Map.copyOf(connected);
        this.extract = Answers.compile(panel.extraction());
        this.cache = panel.cacheTtl().isZero()
                ? null
                : Caffeine.newBuilder().expireAfterWrite(panel.cacheTtl())
                        .maximumSize(10_000).build();
    }

    /**
     * Turns the provider's own retries off unless the panel set {@code max-retries} (in a circle the provider guard
     * retries, honouring retry-after, so the two do not multiply), and resolves its key reference.
     */
    private static ProviderConfig withKey(String provider, ProviderConfig config, Function<SecretRef, Secret> secrets) {
        Map<String, String> settings = new LinkedHashMap<>(config.settings());
        settings.putIfAbsent("max-retries", "0");
        return ProviderKeys.resolve(provider, new ProviderConfig(config.baseUrl(), config.apiKey(), config.timeout(),
                settings), secrets);
    }

    @Override
    public ExpertPanel panel() {
        return panel;
    }

    @Override
    public ConsensusResult ask(CallContext context, Query query) {
        Objects.requireNonNull(context, "context must not be null");
        if (query == null) {
            throw new IllegalArgumentException("query must not be null");
        }
        if (closed.get()) {
            throw new IllegalStateException("this circle of experts is closed");
        }
        security.require(context.principal(), QUERY);
        String key = cacheKey(query);
        if (cache != null) {
            ConsensusResult hit = cache.getIfPresent(key);
            if (hit != null) {
                ConsensusResult cached = hit.withCached(true);
                audited(context, cached);
                return cached;
            }
        }
        ConsensusResult result;
        Observation circle = telemetry.span("code.circle", null, "strategy", panel.strategy());
        try {
            result = circle.scoped(() -> decide(query.question(), fanOut(context, query, circle)));
        } catch (CodeException e) {
            Telemetry.end(circle, e);
            audit.record(context.principal().id(), "expert:query", context.traceId(), Outcome.FAILURE, e
                    .getMessage());
            throw e;
        }
        circle.lowCardinalityKeyValue("accepted", Boolean.toString(result.accepted()));
        Telemetry.end(circle, null);
        if (cache != null) {
            cache.put(key, result);
        }
        audited(context, result);
        return result;
    }

    private void audited(CallContext context, ConsensusResult r) {
        audit.record(context.principal().id(), "expert:query", context.traceId(), r.accepted()
                ? Outcome.SUCCESS
                : Outcome.FAILURE,
                "strategy=" + r.strategy() + " answered=" + (r.answers().size() - r.failures()
                        .size()) + "/" + r.answers().size() + " agreement=" + String.format("%.3f", r.agreement())
                        + " cached=" + r.cached() + (r.accepted() ? "" : " rejected-by=" + r.rejectedBy()));
    }

    /** The question and system prompt as given (ends trimmed: case and inner spacing can matter), and the parameters. */
    private static String cacheKey(Query q) {
        return q.question().strip() + '\u0000' + q.systemPrompt().map(String::strip).orElse("") + '\u0000' + q
                .temperature() + '\u0000' + q.maxTokens();
    }

    /** Asks every member; returns their answers in panel order once each has ended or the deadline passed. */
    List<ExpertAnswer> fanOut(CallContext context, Query query) {
        return fanOut(context, query, Observation.NOOP);
    }

    private List<ExpertAnswer> fanOut(CallContext context, Query query, Observation circle) {
        long start = System.nanoTime();
        long deadline = start + query.deadline().toNanos();
        Instant callerDeadline = context.deadline();
        if (callerDeadline != null) {
            deadline = Math.min(deadline, start + Math.max(0, Duration.between(clock.instant(), callerDeadline)
                    .toNanos()));
        }
        long expertDeadline = Math.min(deadline, start + panel.expertTimeout().toNanos());
        CountDownLatch done = new CountDownLatch(members.size()); // one wake-up for the asker, not one per expert
        AtomicReferenceArray<ExpertAnswer> answers = new AtomicReferenceArray<>(members.size()); // read while late ones write
        List<Future<?>> calls = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            int index = i;
            Member m = members.get(i);
            long until = expertDeadline;
            calls.add(threads.submit(() -> {
                try {
                    answers.set(index, askOne(m, query, until, circle));
                } finally {
                    done.countDown();
                }
            }));
        }
        try {
            done.await(expertDeadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            calls.forEach(f -> f.cancel(true));
            throw new DeadlineExceededException("interrupted while waiting for the experts", null, e);
        }
        List<ExpertAnswer> result = new ArrayList<>(members.size());
        boolean lateOnes = false;
        String limit = expertDeadline < deadline
                ? "the expert timeout of " + panel.expertTimeout()
                : "the deadline of " + Duration.ofNanos(deadline - start);
        for (int i = 0; i < members.size(); i++) {
            ExpertAnswer answer = answers.get(i);
            if (answer == null) {
                calls.get(i).cancel(true);
                lateOnes = true;
                answer = new ExpertAnswer(members.get(i).spec().id(), null, null, Usage.NONE, 0, Duration.ofNanos(
                        System.nanoTime() - start), "no answer within " + limit);
            }
            result.add(answer);
        }
        int quorum = panel.quorum().required(members.size());
        long answered = result.stream().filter(a -> a.text() != null).count();
        if (answered < quorum) {
            String reasons = result.stream().filter(a -> a.failure() != null).map(a -> a.expert() + ": " + a
                    .failure()).reduce((a, b) -> a + "; " + b).orElse("");
            String message = answered + " of " + members.size() + " experts answered but the quorum is " + quorum
                    + " (" + reasons + ")";
            if (lateOnes) {
                throw new DeadlineExceededException(message, null, null);
            }
            throw new UnavailableException(message, null, null);
        }
        return result;
    }

    private ExpertAnswer askOne(Member m, Query query, long deadline, Observation circle) {
        Observation span = telemetry.span("code.expert", circle, "expert", m.spec().id(), "provider", m.spec()
                .provider());
        ExpertAnswer answer = askOne(m, query, deadline, telemetry.tracer(span));
        span.lowCardinalityKeyValue("outcome", answer.failure() == null ? "answered" : "failed");
        if (answer.failure() != null) {
            span.highCardinalityKeyValue("failure", answer.failure());
        }
        Telemetry.end(span, null);
        return answer;
    }

    private ExpertAnswer askOne(Member m, Query query, long deadline, CallTracer tracer) {
        long began = System.nanoTime();
        String id = m.spec().id();
        try {
            ExpertClient client = clients.get(m.spec().provider());
            ChatResponse response = m.guard().call(id, deadline, () -> ScopedValue.where(CallTracer.CURRENT, tracer)
                    .call(() -> client.complete(request(m.spec(), query))));
            long took = System.nanoTime() - began;
            m.guard().observe(response.rateLimits());
            double cost = m.price().cost(response.usage());
            m.meters().answered().record(took, TimeUnit.NANOSECONDS);
            m.meters().inputTokens().increment(response.usage().inputTokens());
            m.meters().outputTokens().increment(response.usage().outputTokens());
            m.meters().cost().increment(cost);
            return new ExpertAnswer(id, response.text(), extract.apply(response.text()), response.usage(), cost,
                    Duration.ofNanos(took), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(m, began, "interrupted: no answer in time");
        } catch (CodeException e) {
            return failed(m, began, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            return failed(m, began, "provider or extraction failed: " + e.getClass().getName());
        }
    }

    private static ExpertAnswer failed(Member m, long began, String why) {
        long took = System.nanoTime() - began;
        m.meters().failed().record(took, TimeUnit.NANOSECONDS);
        return new ExpertAnswer(m.spec().id(), null, null, Usage.NONE, 0, Duration.ofNanos(took), why);
    }

    private static ChatRequest request(ExpertSpec expert, Query query) {
        List<ChatMessage> messages = new ArrayList<>(2);
        String system = query.systemPrompt().map(s -> expert.systemPrompt().map(r -> s + "\n\n" + r).orElse(s))
                .orElse(expert.prompt());
        if (system != null) {
            messages.add(new ChatMessage(ChatMessage.Role.SYSTEM, system));
        }
        messages.add(new ChatMessage(ChatMessage.Role.USER, query.question()));
        return new ChatRequest(expert.model(), messages, query.temperature(), query.maxTokens(), List.of());
    }

    /** Lets the strategy decide on the answers to the question and checks the axioms. */
    ConsensusResult decide(String question, List<ExpertAnswer> answers) {
        List<Vote> votes = new ArrayList<>(answers.size());
        Usage usage = Usage.NONE;
        double cost = 0;
        for (int i = 0; i < answers.size(); i++) {
            ExpertAnswer a = answers.get(i);
            ExpertSpec spec = members.get(i).spec();
            votes.add(new Vote(a.expert(), spec.provider(), a.extracted(), a.text() == null ? "" : a.text(), spec
                    .weight()));
            usage = usage.plus(a.usage());
            cost += a.cost();
        }
        Verdict verdict;
        try {
            verdict = strategy.decide(question, votes, book);
        } catch (RuntimeException e) {
            throw new UnavailableException("consensus strategy '" + strategy.name() + "' failed: " + e, null, e);
        }
        Cluster chosen = verdict.answer() == null
                ? null
                : verdict.clusters().stream().filter(c -> c.answer().equals(
                        verdict.answer())).findFirst().orElse(null);
        String rejectedBy = verdict.answer() == null
                ? "no-answer"
                : Axioms.firstBroken(panel.axioms(), verdict.answer(), chosen, votes, providerOf, scanner);
        return new ConsensusResult(verdict.answer(), chosen == null ? List.of() : chosen.experts(), strategy.name(),
                chosen == null ? 0 : chosen.weight(), verdict.confidence(), verdict.clusters(), answers, usage, cost,
                false, rejectedBy, verdict.rationale(), question);
    }

    @Override
    public void report(CallContext context, ConsensusResult result, String truth) {
        Objects.requireNonNull(context, "context must not be null");
        if (result == null || truth == null) {
            throw new IllegalArgumentException("result and truth must not be null");
        }
        security.require(context.principal(), REPORT);
        String right = extract.apply(truth);
        if (right == null) {
            throw new InvalidRequestException("truth holds no answer the panel's extraction can read", null);
        }
        List<Vote> votes = new ArrayList<>(result.answers().size());
        for (int i = 0; i < result.answers().size(); i++) {
            ExpertAnswer a = result.answers().get(i);
            double weight = i < members.size() && members.get(i).spec().id().equals(a.expert())
                    ? members.get(i).spec().weight()
                    : 1;
            votes.add(new Vote(a.expert(), providerOf.getOrDefault(a.expert(), "unknown"), a.extracted(), a
                    .text() == null ? "" : a.text(), weight));
        }
        if (strategy instanceof ReliabilityStrategy rules) {
            rules.judge(votes, right, book); // before the experts' records learn from this question
        }
        int judged = 0;
        for (int i = 0; i < votes.size(); i++) {
            if (votes.get(i).answer() != null) {
                book.add(votes.get(i).expert(), Ballots.outcomes(votes, i, right));
                judged++;
            }
        }
        audit.record(context.principal().id(), "expert:report", context.traceId(), Outcome.SUCCESS, "judged="
                + judged + " chosen-right=" + right.equals(result.answer()));
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                clients.values().forEach(ExpertClient::close);
            } finally {
                onClose.run();
            }
        }
    }
}
