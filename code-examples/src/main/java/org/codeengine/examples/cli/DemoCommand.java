package org.codeengine.examples.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.experts.ConsensusResult;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.Extraction;
import org.codeengine.api.experts.Query;
import org.codeengine.api.orchestrator.DeploymentEvent;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.Orchestrator;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.RunSummary;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditVerification;
import org.codeengine.api.security.Security;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.Extractions;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code code demo}: CODE's main job on the embedded store, with no keys and no network. Deploys four small HTTP
 * services as child processes, deploys a release that never gets healthy and is rolled back, asks the circle of
 * experts recorded questions, tears the stack down, verifies the audit log and checks that no process is left.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Show CODE's main job on the embedded store, with no keys and no network:",
        "  1. deploy four small HTTP services (child processes) with dependencies and health checks,",
        "  2. deploy a release whose service never gets healthy, and roll it back,",
        "  3. ask the circle of experts recorded questions (real providers when their keys are set),",
        "  4. tear the stack down and verify the audit log of all of it.",
        "Exits with 0 when every part did what it should and no process is left behind."}, footer = {"",
                "Examples:", "  code demo", "  code demo --replay --questions 5",
                "  code --home /tmp/code-demo demo --json", "  NO_COLOR=1 code demo | tee demo.log"})
final class DemoCommand extends BaseCommand {
    private static final Pattern STARTED = Pattern.compile("started process (\\d+)");
    private static final List<Question> BUILT_IN = List.of(new Question("What is 17 * 23?", "391"), new Question(
            "A train travels 60 km in 45 minutes. What is its average speed in km/h?", "80"),
            new Question(
                    "How many prime numbers are there below 30?", "10"));

    @Option(names = "--eval", paramLabel = "DIR|FILE", description = "The recorded replies (default: $CODE_EVAL, 'eval' in config.yaml, or shared/eval above).")
    @Nullable
    Path eval;

    @Option(names = "--replay", description = "Ask recorded replies even when provider keys are set.")
    boolean replay;

    @Option(names = "--questions", defaultValue = "3", description = "How many questions (default: "
            + "${DEFAULT-VALUE}).")
    int questions;

    private record Question(String text, String gold) {}

    private final Set<Long> pids = new ConcurrentSkipListSet<>();

    @Override
    int run(Session session) {
        if (questions < 0 || questions > 50) {
            throw CliException.usage("--questions must be 0 to 50 but was " + questions, "try --questions 3");
        }
        long began = System.nanoTime();
        Output out = session.out();
        Thread hook = new Thread(DemoCommand::stopDescendants, "code-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: no service outlives the demo
        try {
            return demo(session, out, began);
        } finally {
            stopDescendants();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook runs anyway
            }
        }
    }

    private int demo(Session session, Output out, long began) {
        Experts experts = experts(session, out);
        CodeEngine engine = session.engine(experts.panel());
        Security security = engine.security();
        long auditBefore = AuditCommand.lastSequence(security);
        CallContext ctx = session.context();
        Orchestrator orchestrator = engine.orchestrator();
        ObjectNode report = Output.object();
        out.line(out.bold("CODE demo") + out.dim("  store " + engine.store().url() + " (" + engine.store().provider()
                + ", schema " + engine.store().schemaVersion() + "), home " + session.home()));

        step(out, 1, "deploy a stack of four services: db and cache, then api, then web");
        DeploymentSpec shop = DeploymentSpec.of("demo-shop", "demo", List.of(service(session, "db", 1, false),
                service(session, "cache", 1, false), service(session, "api", 1, false, "db", "cache"), service(
                        session, "web", 1, false, "api")));
        out.printf("%s", orchestrator.plan(ctx, shop).describe());
        RunHandle first = orchestrator.deploy(ctx, shop);
        RunState firstEnd = follow(first, new ProgressBoard(out, "demo-shop", List.of("db", "cache", "api", "web")));
        RunSummary deployed = orchestrator.inspect(ctx, first.runId());
        String served = firstEnd == RunState.SUCCEEDED ? fetch(port(deployed, "web")) : null;
        if (served != null) {
            out.line("  GET web → " + out.green(served));
        }
        report.set("deployment", RunCommands.json(deployed));

        step(out, 2, "deploy a release whose 'reports' service never gets healthy: it is rolled back");
        DeploymentSpec reports = DeploymentSpec.of("demo-reports", "demo", List.of(service(session, "queue", 2,
                false), service(session, "worker", 2, false, "queue"),
                service(session, "reports", 2, true,
                        "queue")));
        RunHandle second = orchestrator.deploy(ctx, reports);
        RunState secondEnd = follow(second, new ProgressBoard(out, "demo-reports", List.of("queue", "worker",
                "reports")));
        RunSummary rolledBack = orchestrator.inspect(ctx, second.runId());
        out.line("  " + out.mark(secondEnd == RunState.ROLLED_BACK) + " run ended " + secondEnd + "; " + rolledBack
                .steps().stream().filter(s -> s.error() != null).findFirst().map(s -> s.service() + ": " + Output
                        .fit(s.error(), 70))
                .orElse("no step failed"));
        report.set("failedDeployment", RunCommands.json(rolledBack));

        step(out, 3, "ask the circle of experts " + experts.source());
        int right = 0;
        int asked = 0;
        boolean expertsOk = true;
        ArrayNode answers = report.putArray("experts");
        for (Question q : experts.questions()) {
            asked++;
            out.line(out.bold("  Q" + asked + " ") + Output.fit(q.text(), Math.max(40, out.width() - 8)));
            try {
                ConsensusResult r = engine.experts().ask(ctx, Query.of(q.text()));
                AskCommand.print(out, r);
                String gold = Extractions.extract(Extraction.auto(), q.gold());
                boolean ok = r.answer() != null && r.answer().equals(gold);
                right += ok ? 1 : 0;
                out.line("  " + out.dim("truth ") + q.gold() + " " + (ok
                        ? out.green("(right)")
                        : out.red(
                                "(wrong)")));
                answers.add(AskCommand.json(r, security.scanner()::redact).put("question", q.text()).put("truth", q
                        .gold()));
            } catch (CodeException e) {
                expertsOk = false;
                out.line("  " + out.red("no consensus: ") + e.getMessage());
                answers.addObject().put("question", q.text()).put("error", e.getMessage());
            }
        }
        if (experts.questions().isEmpty()) {
            out.line("  " + out.yellow("skipped: ") + experts.source());
        }

        step(out, 4, "tear the stack down and verify the audit log");
        RunState teardown = follow(orchestrator.rollback(ctx, first.runId()), new ProgressBoard(out,
                "tear down demo-shop", List.of("db", "cache", "api", "web")).knowing(deployed));
        security.checkpointAudit();
        AuditVerification audit = security.verifyAudit();
        Map<String, Integer> actions = new TreeMap<>();
        for (AuditEntry e : security.audit(auditBefore + 1, 10_000)) {
            actions.merge(e.action(), 1, Integer::sum);
        }
        out.line("  " + out.mark(audit.intact()) + " audit log: " + audit.entries() + " entries, " + audit
                .checkpoints() + " signed checkpoints, "
                + (audit.intact()
                        ? "intact"
                        : "broken at entry " + audit.firstBroken() + ": " + audit.reason()));
        out.line("  " + out.dim("this demo wrote " + (audit.entries() - auditBefore) + ": " + actions));
        report.putObject("audit").put("entries", audit.entries()).put("intact", audit.intact()).put("checkpoints",
                audit.checkpoints()).put("reason", audit.reason()).put("written", audit.entries() - auditBefore);

        List<Long> left = leftRunning();
        double seconds = (System.nanoTime() - began) / 1e9;
        boolean ok = firstEnd == RunState.SUCCEEDED && served != null && secondEnd == RunState.ROLLED_BACK
                && teardown == RunState.ROLLED_BACK && expertsOk && audit.intact() && left.isEmpty();
        out.line("");
        out.line(out.bold("summary"));
        out.line(row(out, firstEnd == RunState.SUCCEEDED, "deployment", "demo-shop " + firstEnd + ", 4 services, "
                + "then torn down (" + teardown + ")"));
        out.line(row(out, secondEnd == RunState.ROLLED_BACK, "rollback", "demo-reports " + secondEnd
                + ": reports never got healthy, queue and worker undone"));
        out.line(row(out, expertsOk, "consensus", experts.questions().isEmpty()
                ? "skipped"
                : right + " of " + asked + " answers match the recorded truth (" + experts.source() + ")"));
        out.line(row(out, audit.intact(), "audit log", audit.entries() + " entries verified, " + (audit.intact()
                ? "intact"
                : "BROKEN")));
        out.line(row(out, left.isEmpty(), "processes", pids.size() + " started, " + left.size() + " left running"));
        for (long pid : left) { // which one, and what it is: a service of the demo's or a child of another kind
            String what = ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).map(security.scanner()::redact)
                    .orElse("(gone, or its command line is not readable)");
            out.line("      " + pid + (pids.contains(pid) ? " a service: " : " a child of the app: ") + Output.safe(
                    what));
        }
        out.line(String.format(Locale.ROOT, "  took %.1f s; 'code status' lists the runs, 'code audit tail' the log",
                seconds));
        ArrayNode started = report.putArray("pids");
        pids.forEach(started::add);
        ArrayNode leftover = report.putArray("leftRunning");
        left.forEach(leftover::add);
        report.put("correct", right).put("asked", asked).put("ok", ok).put("seconds", seconds);
        if (out.json()) {
            out.print(report);
        }
        return ok ? CodeApp.OK : CodeApp.FAILURE;
    }

    private record Experts(@Nullable ExpertPanel panel, List<Question> questions, String source) {}

    /** Real providers when their keys (or a configured panel) are there and --replay is not given; else replay. */
    private Experts experts(Session session, Output out) {
        if (questions == 0) {
            return new Experts(null, List.of(), "(no questions asked)");
        }
        Path data = session.evalData(eval);
        boolean haveData = Files.isRegularFile(data);
        List<Question> recorded = haveData
                ? EvalData.disputed(data, EvalData.DEMO_MODELS, questions).stream().map(q -> new Question(q
                        .question(), q.gold())).toList()
                : List.of();
        if (!replay) {
            ExpertPanel real = session.config().experts() != null
                    ? Panels.resolve(session, null, eval)
                    : Panels.fromEnvironment(session.io());
            if (real != null) {
                List<Question> asked = haveData
                        ? recorded
                        : BUILT_IN.subList(0, Math.min(questions, BUILT_IN
                                .size()));
                return new Experts(real, asked, "your providers: " + String.join(", ", real.experts().stream().map(
                        e -> e.id()).toList()));
            }
        }
        if (!haveData) {
            out.warn("the recorded replies were not found at " + data + ", so the experts part is skipped; pass "
                    + "--eval DIR or set CODE_EVAL to the folder that holds " + EvalData.FILE + ", or unset it for "
                    + "the app's own sample");
            return new Experts(null, List.of(), "no recorded replies found (pass --eval DIR)");
        }
        return new Experts(Panels.replay(data, EvalData.DEMO_MODELS), recorded, "recorded replies of "
                + EvalData.DEMO_MODELS.size() + " models" + (data.getFileName().toString().equals(EvalData.SAMPLE)
                        ? ", from the app's sample of " + EvalData.SAMPLE_SIZE + " questions"
                        : ""));
    }

    private ServiceSpec service(Session session, String name, int version, boolean unhealthy, String... deps) {
        String command = quote(CodeApp.java()) + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx32m -cp "
                + quote(CodeApp
                        .codeSource().toString())
                + " " + DemoServer.class.getName() + " --name " + name + " --version "
                + version + " --port ${port} --exit-with-parent" + (unhealthy ? " --unhealthy" : "");
        // a healthy service may take a few seconds to start a JVM on a busy machine; the broken one is given up on
        // soon after it answers 503
        HealthCheckSpec health = HealthCheckSpec.http("http://127.0.0.1:${port}/health").withTiming(unhealthy
                ? Duration.ofMillis(1500)
                : Duration.ZERO, Duration.ofMillis(100), unhealthy ? 10 : 300);
        return ServiceSpec.builder(name, "process").dependsOn(deps).setting("command", command).setting("log",
                session.home().resolve("logs/${run}/${service}-${instance}.log").toString()).setting("stopGrace",
                        "3s")
                .healthCheck(health).retry(unhealthy
                        ? new RetryPolicy(2, Duration.ofMillis(200), Duration.ofMillis(200), 1, 0)
                        : RetryPolicy.NONE)
                .timeout(Duration.ofSeconds(45)).build();
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private RunState follow(RunHandle run, ProgressBoard board) {
        run.onEvent(event -> {
            if (event instanceof DeploymentEvent.StepStateChanged e) {
                Matcher m = STARTED.matcher(e.message());
                if (m.find()) {
                    pids.add(Long.parseLong(m.group(1)));
                }
            }
        });
        return board.follow(run, Duration.ofMinutes(3), false);
    }

    private static @Nullable String port(RunSummary run, String service) {
        return run.steps().stream().filter(s -> s.service().equals(service)).findFirst().map(StepRecord::outputs)
                .map(o -> o.get("0.port")).orElse(null);
    }

    /** {@return what the service answers at its root, or null when it does not answer} */
    private static @Nullable String fetch(@Nullable String port) {
        if (port == null) {
            return null;
        }
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body().strip() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** {@return the processes this demo started that still run, after giving them a few seconds to end} */
    private List<Long> leftRunning() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Long> left = alive();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            ProcessHandle.of(left.getFirst()).ifPresent(p -> p.onExit().completeOnTimeout(p, 200,
                    java.util.concurrent.TimeUnit.MILLISECONDS).join());
            left = alive();
        }
        return left;
    }

    private List<Long> alive() {
        List<Long> alive = new ArrayList<>();
        for (long pid : pids) {
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(p -> alive.add(pid));
        }
        ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).filter(p -> !alive
                .contains(p)).forEach(alive::add);
        return alive;
    }

    /** Ends every process this JVM started, children's children first seen included: SIGTERM, then SIGKILL. */
    static void stopDescendants() {
        List<ProcessHandle> family = ProcessHandle.current().descendants().toList();
        family.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : family) {
            try {
                p.onExit().get(3, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private static void step(Output out, int n, String what) {
        out.line("");
        out.line(out.bold(out.cyan(n + "/4 ")) + out.bold(what));
    }

    private static String row(Output out, boolean ok, String what, String detail) {
        return "  " + out.mark(ok) + " " + String.format(Locale.ROOT, "%-11s", what) + detail;
    }
}
