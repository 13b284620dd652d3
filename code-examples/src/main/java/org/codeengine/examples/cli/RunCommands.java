package org.codeengine.examples.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.Orchestrator;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.RunSummary;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.core.DeploymentSpecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The orchestrator's commands: plan, deploy, status, rollback and resume. */
final class RunCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private RunCommands() {}

    @Command(name = "plan", mixinStandardHelpOptions = true, description = {
            "Check a deployment plan and show the order its services would start in, without running anything.",
            "A plan that is wrong exits with 2 and names the field or service at fault."}, footer = {"",
                    "Examples:", "  code plan shop.yaml", "  code plan shop.yaml --json | jq .phases"})
    static final class PlanCmd extends BaseCommand {
        @Parameters(paramLabel = "PLAN.yaml", description = "The deployment plan (YAML or JSON).")
        Path file;

        @Override
        int run(Session session) {
            // no store: a plan is checked against the plugins alone, so it works while a deploy holds the store
            Plan plan = session.builder().plan(read(file));
            Output out = session.out();
            if (out.json()) {
                out.print(Output.JSON.readTree(DeploymentSpecs.toJson(plan)));
            } else {
                out.printf("%s", plan.describe());
            }
            return CodeApp.OK;
        }
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true, description = {
            "Deploy a plan: start each service once its dependencies are healthy, with retries, health checks and "
                    + "rollback, and show the progress per service.",
            "The services keep running after the command ends; 'code rollback RUN' stops them.",
            "A run that has not ended within --timeout is cancelled and undone, so nothing is left half-deployed.",
            "Exits with 0 when every service is healthy, 1 when the run failed (and was rolled back)."}, footer = {"",
                    "Examples:", "  code deploy shop.yaml", "  code deploy shop.yaml --timeout 10m --json"})
    static final class Deploy extends BaseCommand {
        @Parameters(paramLabel = "PLAN.yaml", description = "The deployment plan (YAML or JSON).")
        Path file;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30m", description = "The longest to wait for the run (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Mixin
        MetricsOption metrics = new MetricsOption();

        @Override
        int run(Session session) {
            DeploymentSpec spec = read(file);
            metrics.apply(session);
            CallContext ctx = session.context();
            Orchestrator orchestrator = session.engine().orchestrator();
            Plan plan = orchestrator.plan(ctx, spec);
            Output out = session.out();
            out.printf("%s", plan.describe());
            RunHandle run = orchestrator.deploy(ctx, spec);
            return finish(session, run, new ProgressBoard(out, "deploy " + spec.name(), plan.phases().stream()
                    .flatMap(List::stream).toList()), timeout, RunState.SUCCEEDED, true);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = {
            "Without RUN: list the latest runs. With RUN (its id, or the start of it): show the run and its steps."}, footer = {
                    "", "Examples:", "  code status", "  code status 3f2a", "  code status --limit 5 --json"})
    static final class Status extends ReadingCommand {
        @Parameters(paramLabel = "RUN", arity = "0..1", description = "A run id, or its first characters.")
        String run;

        @Option(names = "--limit", defaultValue = "20", description = "How many runs to list (default: "
                + "${DEFAULT-VALUE}).")
        int limit;

        @Override
        int run(Session session) {
            Output out = session.out();
            Orchestrator orchestrator = session.engine().orchestrator();
            CallContext ctx = session.context();
            if (run != null) {
                RunSummary summary = orchestrator.inspect(ctx, resolve(session, run));
                if (out.json()) {
                    out.print(json(summary));
                } else {
                    printRun(out, summary);
                    if (!summary.state().terminal()) {
                        out.line(out.yellow("  the run has not ended") + ": unless a 'code' process still works on "
                                + "it, its engine stopped (killed, or its store could not be written); 'code resume "
                                + summary.runId() + "' finishes it, 'code rollback " + summary.runId()
                                + "' undoes it");
                    }
                }
                return CodeApp.OK;
            }
            if (limit < 1) {
                throw CliException.usage("--limit must be at least 1 but was " + limit, "pass --limit 20");
            }
            List<RunSummary> runs = orchestrator.history(ctx, limit);
            if (out.json()) {
                ArrayNode array = Output.JSON.createArrayNode();
                runs.forEach(r -> array.add(json(r)));
                out.print(Output.object().set("runs", array));
                return CodeApp.OK;
            }
            if (runs.isEmpty()) {
                out.line("no runs yet; start one with 'code deploy PLAN.yaml' or 'code demo'");
                return CodeApp.OK;
            }
            out.line(out.bold(String.format(Locale.ROOT, "%-36s  %-16s %-8s %-12s %s", "RUN", "NAME", "ENV",
                    "STATE", "UPDATED")));
            for (RunSummary r : runs) {
                out.line(String.format(Locale.ROOT, "%-36s  %-16s %-8s %-12s %s", r.runId(), r.name(), r
                        .environment(), r.state(), TIME.format(r.updatedAt())));
            }
            return CodeApp.OK;
        }
    }

    /** A command on a run that exists: finds it by id or prefix, starts the work, and follows it to its end. */
    abstract static class OnRun extends BaseCommand {
        @Parameters(paramLabel = "RUN", description = "A run id, or its first characters.")
        String run;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30m", description = "The longest to wait (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        final int run(Session session) {
            String id = resolve(session, run);
            CallContext ctx = session.context();
            Orchestrator orchestrator = session.engine().orchestrator();
            RunSummary before = orchestrator.inspect(ctx, id);
            RunHandle handle = start(session, orchestrator, ctx, before);
            return finish(session, handle, new ProgressBoard(session.out(), spec.name() + " " + before.name(),
                    services(before)).knowing(before), timeout, wanted(), false);
        }

        /** Starts the work on the run. */
        abstract RunHandle start(Session session, Orchestrator orchestrator, CallContext ctx, RunSummary run);

        /** {@return the state the run must end in for the command to succeed} */
        abstract RunState wanted();
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = {
            "Undo what a run deployed, in reverse dependency order; works on a run that succeeded too."}, footer = {
                    "", "Examples:", "  code rollback 3f2a", "  code rollback 3f2a9c1e-... --json"})
    static final class Rollback extends OnRun {
        @Override
        RunHandle start(Session session, Orchestrator orchestrator, CallContext ctx, RunSummary run) {
            return orchestrator.rollback(ctx, run.runId());
        }

        @Override
        RunState wanted() {
            return RunState.ROLLED_BACK;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = {
            "Finish a run that an earlier process left unfinished (killed, or interrupted), without repeating the "
                    + "steps it completed.",
            "A run whose process is gone from this host is taken over at once; one held by a process elsewhere is "
                    + "taken over once its lease expires: --wait waits for that."}, footer = {"", "Examples:",
                            "  code resume 3f2a", "  code resume 3f2a --wait --timeout 5m"})
    static final class Resume extends OnRun {
        private static final Duration LONGEST_PAUSE = Duration.ofSeconds(1);

        @Option(names = "--wait", description = "When another process holds the run, wait for its lease to expire "
                + "(within --timeout) instead of failing.")
        boolean waitForLease;

        @Override
        RunHandle start(Session session, Orchestrator orchestrator, CallContext ctx, RunSummary run) {
            if (run.state().terminal()) {
                throw CliException.usage("run " + run.runId() + " has already ended " + run.state(),
                        "only unfinished runs can be resumed; see 'code status " + run.runId() + "'");
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean told = false;
            while (true) {
                try {
                    return orchestrator.resume(ctx, run.runId());
                } catch (UnavailableException held) {
                    if (held.retryAfter().isEmpty()) {
                        throw held; // not a lease that will expire: the store, say
                    }
                    if (!waitForLease) {
                        throw CliException.failure(held.getMessage(), "wait for the lease with 'code resume "
                                + run.runId() + " --wait'");
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw CliException.failure(held.getMessage() + "; still held after " + timeout,
                                "allow more time with --timeout");
                    }
                    if (!told) {
                        told = true;
                        session.out().line("run " + run.runId() + " is held by another process; waiting for its"
                                + " lease");
                    }
                    pause(held.retryAfter().get());
                }
            }
        }

        private static void pause(Duration retryAfter) {
            Duration pause = retryAfter.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : retryAfter;
            try {
                Thread.sleep(pause.isNegative() || pause.isZero() ? Duration.ofMillis(50) : pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliException.failure("interrupted while waiting for the lease", "run the command again");
            }
        }

        @Override
        RunState wanted() {
            return RunState.SUCCEEDED;
        }
    }

    /** Reads a plan file; a missing or wrong file is a usage error naming it. */
    static DeploymentSpec read(Path file) {
        return DeploymentSpecs.read(file);
    }

    /**
     * Follows a run to its end on a progress board, then prints it; a run that did not end as wanted is reported.
     *
     * @param cancelLate whether a run that has not ended within {@code timeout} is cancelled and undone
     * @return 0 when the run ended {@code wanted}, else 1
     */
    static int finish(Session session, RunHandle run, ProgressBoard board, Duration timeout, RunState wanted,
            boolean cancelLate) {
        Output out = session.out();
        out.line(out.dim("run " + run.runId()));
        RunState end;
        try {
            end = board.follow(run, timeout, cancelLate);
        } catch (CodeException e) {
            throw stopped(run.runId(), e);
        }
        RunSummary summary = session.engine().orchestrator().inspect(session.context(), run.runId());
        if (out.json()) {
            out.print(json(summary));
        } else {
            endpoints(out, summary);
        }
        if (end != wanted) {
            out.error("run " + run.runId() + " ended " + end + firstError(summary),
                    "'code status " + run.runId() + "' shows every step; each service's output is in its log");
            return CodeApp.FAILURE;
        }
        return CodeApp.OK;
    }

    /**
     * {@return the one sentence for a run whose engine stopped working on it: most often its store refused a write (a
     *         full disk, a database gone), which leaves the run unfinished in the store, for a resume}
     */
    static CliException stopped(String runId, CodeException e) {
        String resume = "'code resume " + runId + "' finishes it ('code status " + runId + "' shows where it stopped)";
        if (Causes.noSpaceLeft(e)) {
            return CliException.failure("run " + runId + " stopped: its store could not be written, for the disk "
                    + "that holds it is full", "free some space there, then " + resume);
        }
        return CliException.failure("run " + runId + " stopped: " + e.getMessage(), "once the cause is fixed, "
                + resume);
    }

    private static String firstError(RunSummary summary) {
        return summary.steps().stream().filter(s -> s.error() != null).findFirst().map(s -> ": " + s.service()
                + " " + s.error()).orElse("");
    }

    private static void endpoints(Output out, RunSummary summary) {
        for (StepRecord step : summary.steps()) {
            if (step.state() == StepState.HEALTHY) {
                String port = step.outputs().get("0.port");
                out.line("  " + step.service() + (port == null ? "" : "  http://127.0.0.1:" + port));
            }
        }
    }

    static List<String> services(RunSummary run) {
        return run.steps().stream().map(StepRecord::service).toList();
    }

    static void printRun(Output out, RunSummary r) {
        out.line(out.bold("run " + r.runId()) + "  " + r.name() + " to " + r.environment() + "  " + r.state());
        out.line("  created " + TIME.format(r.createdAt()) + ", updated " + TIME.format(r.updatedAt()));
        if (r.steps().isEmpty()) {
            return;
        }
        String row = "  %-14s %-16s %5s  %-8s %-8s %-6s %s";
        out.line(out.bold(String.format(Locale.ROOT, row, "SERVICE", "STATE", "TRIES", "INSTANCE", "PID", "PORT",
                "ERROR")));
        for (StepRecord s : r.steps()) {
            // outputs such as 0.pid=4711, 0.port=8080: one row per instance, the step's own columns on its first
            Map<String, Map<String, String>> instances = new TreeMap<>();
            s.outputs().forEach((key, value) -> {
                int dot = key.indexOf('.');
                if (dot > 0 && (key.endsWith(".pid") || key.endsWith(".port"))) {
                    instances.computeIfAbsent(key.substring(0, dot), k -> new TreeMap<>()).put(key.substring(key
                            .lastIndexOf('.') + 1), value);
                }
            });
            List<Map.Entry<String, Map<String, String>>> rows = new ArrayList<>(instances.entrySet());
            if (rows.isEmpty()) {
                rows.add(Map.entry("", Map.of()));
            }
            for (int i = 0; i < rows.size(); i++) {
                Map<String, String> facts = rows.get(i).getValue();
                boolean first = i == 0;
                out.line(String.format(Locale.ROOT, row, first ? s.service() : "", first
                        ? ProgressBoard.label(s.state())
                        : "", first ? String.valueOf(s.attempt()) : "", rows.get(i).getKey(),
                        facts.getOrDefault("pid",
                                ""),
                        facts.getOrDefault("port", ""), first && s.error() != null
                                ? Output.safe(s.error())
                                : "")
                        .stripTrailing());
            }
        }
    }

    static ObjectNode json(RunSummary r) {
        ObjectNode node = Output.object().put("runId", r.runId()).put("name", r.name()).put("environment", r
                .environment()).put("state", r.state().name()).put("createdAt", r.createdAt().toString()).put(
                        "updatedAt", r.updatedAt().toString());
        ArrayNode steps = node.putArray("steps");
        for (StepRecord s : r.steps()) {
            ObjectNode step = steps.addObject().put("service", s.service()).put("state", s.state().name()).put(
                    "attempt", s.attempt()).put("error", s.error());
            ObjectNode outputs = step.putObject("outputs");
            s.outputs().forEach(outputs::put);
        }
        return node;
    }

    /**
     * @param id a run id or its first characters
     * @return the run id it names
     * @throws CliException if none, or several, match
     */
    static String resolve(Session session, String id) {
        Orchestrator orchestrator = session.engine().orchestrator();
        CallContext ctx = session.context();
        try {
            return orchestrator.inspect(ctx, id).runId();
        } catch (NotFoundException e) {
            List<String> matches = orchestrator.history(ctx, 10_000).stream().map(RunSummary::runId).filter(r -> r
                    .startsWith(id)).toList();
            if (matches.size() == 1) {
                return matches.getFirst();
            }
            throw CliException.usage(matches.isEmpty()
                    ? "no run " + id
                    : "'" + id + "' is the start of " + matches.size() + " runs",
                    matches.isEmpty()
                            ? "list the runs with 'code status'"
                            : "give more of the run id");
        }
    }
}
