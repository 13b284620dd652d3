package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.CallContext;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.Rollout;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.ProbeResult;
import org.codeengine.api.spi.StepContext;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StepHandle;
import org.codeengine.core.internal.store.RunRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The life of a run against an executor and a journal that the test controls: how a run ends when its lease goes,
 * when a step throws an Error, when its start fails, and what a run that is left or taken up again does.
 */
class RunLifecycleTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");
    static final Duration WAIT = Duration.ofSeconds(60);

    /** Lets every call. */
    static final SecurityFacade ALLOW = new SecurityFacade() {
        @Override
        public Principal authenticate(Credentials credentials) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AccessDecision check(Principal principal, Permission permission) {
            return new AccessDecision(true, permission, "admin", permission, "allowed in tests");
        }

        @Override
        public AccessDecision require(Principal principal, Permission permission) {
            return check(principal, permission);
        }

        @Override
        public List<AuditEntry> audit(long fromSequence, int limit) {
            return List.of();
        }
    };

    /** An executor whose instances are entries in memory; it records what the orchestrator asks of it. */
    static final class FakeExecutor implements StepExecutor {
        final AtomicInteger starts = new AtomicInteger();
        final List<String> undone = Collections.synchronizedList(new ArrayList<>());
        final List<String> promoted = Collections.synchronizedList(new ArrayList<>());
        final List<String> undoThreads = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger cancels = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch undoneOnce = new CountDownLatch(1);
        volatile @Nullable Supplier<Throwable> failStart;

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public StepHandle start(String service, Map<String, String> settings, StepContext context) {
            Supplier<Throwable> fail = failStart;
            if (fail != null) {
                Throwable t = fail.get();
                if (t instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) t;
            }
            String id = context.runId() + "/" + service + "/" + context.instance() + "#" + starts.incrementAndGet();
            context.record(Map.of("id", id));
            return new StepHandle() {
                @Override
                public void awaitStarted(Duration timeout) {
                    started.countDown();
                }

                @Override
                public boolean alive() {
                    return true;
                }

                @Override
                public void cancel() {
                    cancels.incrementAndGet();
                }
            };
        }

        @Override
        public void undo(StepRecord record, StepContext context) {
            undoThreads.add(Thread.currentThread().getName());
            undone.add(record.outputs().get("id"));
            undoneOnce.countDown();
        }

        @Override
        public boolean alive(StepRecord record) {
            return true;
        }

        @Override
        public void promote(StepRecord record, StepContext context) {
            promoted.add(record.outputs().get("id") + "@" + context.slot());
        }
    }

    /** A probe that never passes. */
    static final class NeverHealthy implements HealthProbe {
        @Override
        public String name() {
            return "never";
        }

        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public ProbeResult probe(Map<String, String> settings, Duration timeout) {
            return new ProbeResult(false, "never healthy", Duration.ZERO);
        }
    }

    /** A probe that fails at once for every instance but instance 0, which it keeps waiting until interrupted. */
    static final class SlowFirstInstance implements HealthProbe {
        final CountDownLatch interrupted = new CountDownLatch(1);

        @Override
        public String name() {
            return "slow-first";
        }

        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public ProbeResult probe(Map<String, String> settings, Duration timeout) {
            if (!settings.get("instance").equals("0")) {
                return new ProbeResult(false, "down", Duration.ZERO);
            }
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
            }
            return new ProbeResult(false, "no answer", timeout);
        }
    }

    /** The memory journal, with state transitions the test can make fail. */
    static final class RiggedJournal implements RunJournal {
        final MemoryRunJournal inner = new MemoryRunJournal();
        /** Run state moves that fail as if another engine held the run; none by default. */
        final Set<String> refused = Collections.synchronizedSet(new java.util.HashSet<>());
        /** Run state moves that throw, as if the store were down. */
        final Set<String> broken = Collections.synchronizedSet(new java.util.HashSet<>());

        static String move(RunState from, RunState to) {
            return from + "->" + to;
        }

        @Override
        public void create(RunRecord run, List<StepRecord> steps) {
            inner.create(run, steps);
        }

        @Override
        public java.util.Optional<String> createUnlessBusy(RunRecord run, List<StepRecord> steps) {
            return inner.createUnlessBusy(run, steps);
        }

        @Override
        public java.util.Optional<RunRecord> find(String runId) {
            return inner.find(runId);
        }

        @Override
        public List<StepRecord> steps(String runId) {
            return inner.steps(runId);
        }

        @Override
        public List<RunRecord> list(int limit) {
            return inner.list(limit);
        }

        @Override
        public boolean saveStep(StepRecord step, @Nullable String owner) {
            return inner.saveStep(step, owner);
        }

        @Override
        public boolean transition(String runId, RunState from, RunState to, Instant now, @Nullable String owner) {
            if (broken.contains(move(from, to))) {
                throw new UnavailableException("the store is down (test)", null, null);
            }
            if (refused.contains(move(from, to))) {
                return false;
            }
            return inner.transition(runId, from, to, now, owner);
        }

        @Override
        public boolean claim(String runId, String owner, Instant now, Duration lease) {
            return inner.claim(runId, owner, now, lease);
        }

        @Override
        public boolean takeOver(String runId, String holder, String owner, Instant now, Duration lease) {
            return inner.takeOver(runId, holder, owner, now, lease);
        }

        @Override
        public List<RunRecord> heldUnfinished(Instant now, int limit) {
            return inner.heldUnfinished(now, limit);
        }

        @Override
        public List<String> claimUnfinished(String owner, Instant now, Duration lease, int limit) {
            return inner.claimUnfinished(owner, now, lease, limit);
        }

        @Override
        public List<String> renew(String owner, java.util.Collection<String> runIds, Instant until) {
            return inner.renew(owner, runIds, until);
        }

        @Override
        public void release(String runId, String owner) {
            inner.release(runId, owner);
        }

        @Override
        public java.util.Optional<RunRecord> latestSucceeded(String name, String environment, String except) {
            return inner.latestSucceeded(name, environment, except);
        }
    }

    final FakeExecutor executor = new FakeExecutor();
    final SlowFirstInstance slowFirst = new SlowFirstInstance();
    final RiggedJournal journal = new RiggedJournal();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    final List<DefaultOrchestrator> opened = new ArrayList<>();

    DefaultOrchestrator orchestrator(boolean adopt) {
        DefaultOrchestrator orchestrator = new DefaultOrchestrator(journal, Map.of("fake", executor), Map.of("never",
                new NeverHealthy(), "slow-first", slowFirst), ALLOW, (principal, action, target, outcome, detail) -> {
                }, Clock.systemUTC(), threads, meters, new DefaultOrchestrator.Options(Duration.ofSeconds(3), adopt,
                        4, Duration.ofSeconds(30)));
        opened.add(orchestrator);
        return orchestrator;
    }

    @AfterEach
    void close() throws InterruptedException {
        opened.forEach(DefaultOrchestrator::close);
        threads.shutdownNow();
        threads.awaitTermination(30, TimeUnit.SECONDS);
    }

    double activeRuns() {
        return meters.get("code.orchestrator.runs.active").gauge().value();
    }

    static ServiceSpec.Builder service(String name) {
        return ServiceSpec.builder(name, "fake").retry(org.codeengine.api.orchestrator.RetryPolicy.NONE);
    }

    /** Puts a run into the journal as a process that died would have left it: unfinished, its lease expired. */
    String leftBehind(DeploymentSpec spec, RunState state, Map<String, StepRecord> steps) {
        String runId = "left-" + DeployProcessesTest.unique();
        Instant long_ago = Instant.now().minusSeconds(3600);
        List<StepRecord> records = new ArrayList<>();
        for (ServiceSpec s : spec.services()) {
            StepRecord given = steps.get(s.name());
            records.add(given != null
                    ? new StepRecord(runId, s.name(), given.state(), given.attempt(), long_ago, null, given.outputs(),
                            given.error())
                    : new StepRecord(runId, s.name(), StepState.PENDING, 0, null, null, Map.of(), null));
        }
        journal.create(new RunRecord(runId, spec.name(), spec.environment(), state, new SpecCodec().write(spec),
                long_ago, long_ago, "a-dead-engine", long_ago.plusSeconds(3)), records);
        return runId;
    }

    static StepRecord step(StepState state, Map<String, String> outputs) {
        return new StepRecord("x", "x", state, 1, null, null, outputs, null); // run and service set by leftBehind
    }

    @Test
    void leaseLostWhileTheRunEnds_stillCompletesTheHandle_once_andTheRunIsNoLongerActive() {
        DefaultOrchestrator orchestrator = orchestrator(false);
        journal.refused.add(RiggedJournal.move(RunState.RUNNING, RunState.SUCCEEDED));
        RunHandle succeeding = orchestrator.deploy(CTX, DeploymentSpec.of("one", "dev", List.of(service("web")
                .build())));
        assertThatThrownBy(() -> succeeding.await(WAIT)).isInstanceOf(UnavailableException.class).hasMessageContaining(
                "is no longer worked on by this engine");

        journal.refused.add(RiggedJournal.move(RunState.ROLLING_BACK, RunState.ROLLED_BACK));
        executor.failStart = () -> new UnavailableException("no capacity (test)", null, null);
        RunHandle rollingBack = orchestrator.deploy(CTX, DeploymentSpec.of("two", "dev", List.of(service("web")
                .build())));
        assertThatThrownBy(() -> rollingBack.await(WAIT)).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("is no longer worked on by this engine");
        assertThat(activeRuns()).isZero();
    }

    @Test
    void anErrorInAStep_failsTheStep_andTheRunRollsBack() {
        executor.failStart = () -> new NoClassDefFoundError("com/example/Missing");
        RunHandle run = orchestrator(false).deploy(CTX, DeploymentSpec.of("one", "dev", List.of(service("web")
                .build())));
        assertThat(run.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(run.steps().getFirst().state()).isEqualTo(StepState.FAILED);
        assertThat(run.steps().getFirst().error()).contains("NoClassDefFoundError").contains("com/example/Missing");
        assertThat(activeRuns()).isZero();
    }

    @Test
    void aDeployWhoseStartFails_leavesNothingActive_noLeaseHeld_andNothingToAdopt() {
        DefaultOrchestrator orchestrator = orchestrator(false);
        journal.broken.add(RiggedJournal.move(RunState.PENDING, RunState.RUNNING));
        assertThatThrownBy(() -> orchestrator.deploy(CTX, DeploymentSpec.of("one", "dev", List.of(service("web")
                .build())))).isInstanceOf(UnavailableException.class).hasMessageContaining("the store is down");

        assertThat(activeRuns()).isZero();
        RunRecord run = journal.list(10).getFirst();
        assertThat(run.leaseOwner()).as("lease given back").isNull();
        assertThat(run.state()).as("ended, so no engine adopts a run its caller was told failed").isEqualTo(
                RunState.FAILED);
        assertThat(executor.starts).hasValue(0);
    }

    @Test
    void anAbandonedRun_leavesWhatItStartedRunning_forTheEngineThatTakesItOver() throws Exception {
        DefaultOrchestrator orchestrator = orchestrator(false);
        ServiceSpec slow = service("web").healthCheck(HealthCheckSpec.of("never", Map.of()).withTiming(Duration
                .ofMinutes(10), Duration.ofSeconds(1), 3)).timeout(Duration.ofMinutes(20)).build();
        RunHandle run = orchestrator.deploy(CTX, DeploymentSpec.of("one", "dev", List.of(slow)));
        assertThat(executor.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        orchestrator.close(); // leaves the run: its lease goes back, for another engine to resume it
        threads.shutdown();
        assertThat(threads.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the step's task ended").isTrue();

        assertThat(executor.cancels).as("starts cancelled").hasValue(0);
        assertThat(executor.undone).as("instances undone").isEmpty();
        assertThatThrownBy(() -> run.await(WAIT)).isInstanceOf(UnavailableException.class);
        StepRecord step = journal.steps(run.runId()).getFirst();
        assertThat(RunExecution.instancesOf(step)).as("still recorded, to re-attach to").containsExactly(0);
        assertThat(journal.find(run.runId()).orElseThrow().state()).isEqualTo(RunState.RUNNING);
    }

    @Test
    void adoptingARunWithAFailedStep_rollsItBackOnTheEngineThreads_notOnTheLeaseKeeper() throws Exception {
        DeploymentSpec spec = DeploymentSpec.of("one", "dev", List.of(service("web").build()));
        String runId = leftBehind(spec, RunState.RUNNING, Map.of("web", step(StepState.FAILED, Map.of("0.id",
                "old-web"))));
        orchestrator(true);

        assertThat(executor.undoneOnce.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("undone").isTrue();
        assertThat(executor.undoThreads).singleElement().isNotEqualTo("code-orchestrator-leases");
        TinyServices.await("the rollback to end", WAIT, () -> journal.find(runId).orElseThrow().state()
                .terminal());
        assertThat(journal.find(runId).orElseThrow().state()).isEqualTo(RunState.ROLLED_BACK);
        assertThat(executor.undone).containsExactly("old-web");
    }

    @Test
    void aReattachedBlueGreenStep_thatWasNotHealthyYet_isPromotedBeforeTheRunSucceeds() {
        DeploymentSpec spec = DeploymentSpec.of("site", "dev", List.of(service("front").rollout(Rollout.BLUE_GREEN)
                .build(), service("back").rollout(Rollout.BLUE_GREEN).build()));
        String runId = leftBehind(spec, RunState.RUNNING, Map.of(
                "front", step(StepState.CHECKING_HEALTH, Map.of("0.id", "front-0", "slot", "green")),
                "back", step(StepState.HEALTHY, Map.of("0.id", "back-0", "slot", "green"))));

        RunHandle run = orchestrator(false).resume(CTX, runId);

        assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(executor.promoted).as("front may have died before it switched; back was saved healthy after")
                .containsExactly("front-0@green");
        assertThat(executor.starts).as("nothing started again").hasValue(0);
    }

    @Test
    void aRunThatLostItsLeaseBeforeItSucceeded_leavesTheOldVersionRunning() {
        DefaultOrchestrator orchestrator = orchestrator(false);
        DeploymentSpec site = DeploymentSpec.of("site", "dev", List.of(service("front").rollout(Rollout.BLUE_GREEN)
                .build()));
        RunHandle first = orchestrator.deploy(CTX, site);
        assertThat(first.await(WAIT)).isEqualTo(RunState.SUCCEEDED);

        journal.refused.add(RiggedJournal.move(RunState.RUNNING, RunState.SUCCEEDED));
        RunHandle second = orchestrator.deploy(CTX, site);
        assertThatThrownBy(() -> second.await(WAIT)).isInstanceOf(UnavailableException.class);

        assertThat(executor.undone).as("the old version was stopped by an engine that no longer held the new run")
                .isEmpty();
        assertThat(journal.find(first.runId()).orElseThrow().state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(journal.steps(first.runId()).getFirst().state()).isEqualTo(StepState.HEALTHY);
    }

    @Test
    void concurrentResumesOfOneRun_buildOneExecution() throws Exception {
        ServiceSpec slow = service("web").healthCheck(HealthCheckSpec.of("never", Map.of()).withTiming(Duration
                .ofMinutes(10), Duration.ofSeconds(1), 3)).timeout(Duration.ofMinutes(20)).build();
        String runId = leftBehind(DeploymentSpec.of("one", "dev", List.of(slow)), RunState.RUNNING, Map.of());
        DefaultOrchestrator orchestrator = orchestrator(false);
        int callers = 8;
        CyclicBarrier together = new CyclicBarrier(callers);
        List<Future<RunHandle>> handles = new ArrayList<>();
        try (ExecutorService each = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                handles.add(each.submit(() -> {
                    together.await();
                    return orchestrator.resume(CTX, runId);
                }));
            }
        }
        RunHandle first = handles.getFirst().get();
        for (Future<RunHandle> handle : handles) {
            assertThat(handle.get()).isSameAs(first);
        }
        assertThat(executor.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(activeRuns()).isEqualTo(1);
        first.cancel();
        assertThat(first.await(WAIT)).isEqualTo(RunState.CANCELLED);
        assertThat(executor.starts).hasValue(1);
    }

    @Test
    void theHandleOfARunThatEnded_isCompleteAtOnce() {
        String runId = leftBehind(DeploymentSpec.of("one", "dev", List.of(service("web").build())), RunState.RUNNING,
                Map.of());
        journal.inner.transition(runId, RunState.RUNNING, RunState.FAILED, Instant.now(), null);
        assertThat(orchestrator(false).resume(CTX, runId).await(Duration.ofSeconds(5))).isEqualTo(RunState.FAILED);
    }

    @Test
    void theHealthGatesOfSeveralInstances_failAtTheFirstFailure_whicheverInstanceFailsFirst() throws Exception {
        // instance 0 would keep its gate busy for 10 minutes; instance 1 fails its first probe
        HealthCheckSpec check = new HealthCheckSpec("slow-first", Map.of("instance", "${instance}"), Duration.ZERO,
                Duration.ofMillis(100), Duration.ofMinutes(10), 1, 1);
        ServiceSpec pair = service("web").instances(2).healthCheck(check).timeout(Duration.ofMinutes(20)).build();
        RunHandle run = orchestrator(false).deploy(CTX, DeploymentSpec.of("one", "dev", List.of(pair)));

        assertThat(run.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(run.steps().getFirst().error()).contains("instance 1").contains("down");
        assertThat(slowFirst.interrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("instance 0's gate stopped")
                .isTrue();
    }
}
