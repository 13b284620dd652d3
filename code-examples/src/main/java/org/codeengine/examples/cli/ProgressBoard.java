package org.codeengine.examples.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.orchestrator.DeploymentEvent;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.RunSummary;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.jspecify.annotations.Nullable;

/**
 * Shows a run's progress per service. On a terminal it is a live board, one line per service redrawn in place with a
 * spinner and the time taken; otherwise (piped, {@code NO_COLOR}, {@code --no-color}) one plain line per event; with
 * {@code --json}, nothing.
 */
final class ProgressBoard implements Consumer<DeploymentEvent> {
    private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

    private final Output out;
    private final String title;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final long began = System.nanoTime();
    private @Nullable RunState runState;
    private int drawnLines;
    private int frame;
    private boolean ended;

    /** The longest a deploy that ran out of time waits for its undoing. */
    private static final Duration UNDO_TIME = Duration.ofMinutes(5);
    private static final Pattern PID = Pattern.compile("started process (\\d+)");
    private static final Pattern ATTEMPT = Pattern.compile("^attempt (\\d+)$");

    private static final class Row {
        @Nullable
        StepState state;
        String note = "";
        String pid = "";
        String health = "";
        int attempt = 1;
        long since = -1;
        long until = -1;

        /** {@return what the board shows: the error of a failed step, else its process, health and try} */
        String summary() {
            if (state == StepState.FAILED || (pid.isEmpty() && health.isEmpty())) {
                return note;
            }
            List<String> parts = new ArrayList<>();
            if (!pid.isEmpty()) {
                parts.add((state == StepState.ROLLED_BACK ? "stopped pid " : "pid ") + pid);
            }
            if (!health.isEmpty() && state != StepState.ROLLED_BACK) {
                parts.add(health);
            }
            if (attempt > 1) {
                parts.add("try " + attempt);
            }
            return String.join(", ", parts);
        }
    }

    /**
     * @param out where to draw
     * @param title what the run is, for the header
     * @param services the services in plan order
     */
    ProgressBoard(Output out, String title, List<String> services) {
        this.out = out;
        this.title = title;
        services.forEach(s -> rows.put(s, new Row()));
    }

    /**
     * Shows the processes a run already has, for a board that follows its rollback or resumption.
     *
     * @param run the run as the store has it
     * @return this board
     */
    synchronized ProgressBoard knowing(RunSummary run) {
        for (StepRecord step : run.steps()) {
            String pid = step.outputs().get("0.pid");
            if (pid != null) {
                row(step.service()).pid = pid;
            }
        }
        return this;
    }

    @Override
    public synchronized void accept(DeploymentEvent event) {
        switch (event) {
            case DeploymentEvent.RunStateChanged e -> {
                runState = e.state();
                plain("run", e.state().name().toLowerCase(Locale.ROOT).replace('_', ' '), "");
            }
            case DeploymentEvent.StepStateChanged e -> {
                Row row = row(e.service());
                if (row.state != e.state()) {
                    if (e.state() == StepState.STARTING) {
                        row.since = System.nanoTime();
                        row.until = -1;
                    } else if (finished(e.state()) && row.since >= 0 && row.until < 0) {
                        row.until = System.nanoTime(); // the time it took to get there; undoing does not count
                    }
                }
                row.state = e.state();
                row.note = Output.safe(e.message());
                Matcher pid = PID.matcher(e.message());
                if (pid.find()) {
                    row.pid = pid.group(1);
                    row.health = "";
                }
                Matcher attempt = ATTEMPT.matcher(e.message());
                if (attempt.find()) {
                    row.attempt = Integer.parseInt(attempt.group(1));
                }
                plain(e.service(), label(e.state()), row.note);
            }
            case DeploymentEvent.StepRetried e -> {
                Row row = row(e.service());
                row.note = "try " + e.failedAttempt() + " failed: " + Output.safe(e.error()) + "; next in " + human(e
                        .delay());
                plain(e.service(), "retry", row.note);
            }
            case DeploymentEvent.HealthChanged e -> {
                Row row = row(e.service());
                row.health = Output.safe(e.detail());
                plain(e.service(), e.healthy() ? "health ok" : "health failing", row.health);
            }
        }
        notifyAll();
    }

    private Row row(String service) {
        return rows.computeIfAbsent(service, s -> new Row());
    }

    /**
     * Waits for the run to end, drawing the live board meanwhile, and for its last event to be shown. A run that has
     * not ended in time is cancelled and undone when {@code cancelLate} is set (a deploy keeps its promise: done in
     * time, or nothing left behind), and otherwise left as it is, for the command to report.
     *
     * @param run the run
     * @param timeout the longest to wait
     * @param cancelLate whether to cancel and undo the run when it has not ended in time
     * @return how the run ended
     * @throws CliException if it did not end in time
     */
    RunState follow(RunHandle run, Duration timeout, boolean cancelLate) {
        run.onEvent(this);
        Thread ticker = out.live() ? Thread.ofVirtual().start(this::tick) : null;
        // Ctrl-C or a SIGTERM stops waiting too: the run is cancelled and undone before the JVM exits
        Thread undoAtExit = cancelLate ? new Thread(() -> cancelAtExit(run), "code-deploy-undo") : null;
        if (undoAtExit != null) {
            Runtime.getRuntime().addShutdownHook(undoAtExit);
        }
        RunState end;
        try {
            end = run.await(timeout);
        } catch (DeadlineExceededException e) {
            if (!cancelLate) {
                throw CliException.failure("run " + run.runId() + " is still going after " + human(timeout),
                        "it goes on only while this command runs; continue it with 'code resume " + run
                                .runId() + "'");
            }
            run.cancel();
            RunState undone;
            try {
                undone = run.await(UNDO_TIME);
            } catch (DeadlineExceededException stillGoing) {
                throw CliException.failure("run " + run.runId() + " did not finish within " + human(timeout)
                        + ", and undoing it has taken " + human(UNDO_TIME) + " so far",
                        "continue undoing it with "
                                + "'code rollback " + run.runId() + "'");
            }
            throw CliException.failure("run " + run.runId() + " did not finish within " + human(timeout)
                    + ", so it was cancelled and what it started was stopped; it ended " + undone,
                    "allow more time with --timeout; 'code status " + run.runId() + "' shows each step");
        } finally {
            if (undoAtExit != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(undoAtExit);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook undoes the run
                }
            }
            synchronized (this) {
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                // the listener runs on an engine thread and may lag behind await by a few events
                while (run.state().terminal() && runState != run.state() && System.nanoTime() < deadline) {
                    try {
                        wait(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                ended = true;
                notifyAll();
            }
            if (ticker != null) {
                try {
                    ticker.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return end;
    }

    /** Cancels and undoes a run that has not ended, as the JVM exits. */
    private void cancelAtExit(RunHandle run) {
        if (run.state().terminal()) {
            return;
        }
        out.warn("interrupted: cancelling run " + run.runId() + " and stopping what it started");
        try {
            run.cancel();
            out.warn("run " + run.runId() + " ended " + run.await(UNDO_TIME));
        } catch (RuntimeException e) {
            out.warn("run " + run.runId() + " was not undone (" + e.getMessage() + "); 'code rollback "
                    + run.runId() + "' undoes it");
        }
    }

    private void tick() {
        synchronized (this) {
            while (!ended) {
                draw();
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
            draw();
        }
    }

    private void draw() {
        StringBuilder text = new StringBuilder();
        if (drawnLines > 0) {
            text.append("\u001b[").append(drawnLines).append('F'); // to the start of the board's first line
        }
        String spin = SPINNER[frame++ % SPINNER.length];
        String state = runState == null ? "starting" : runState.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        text.append("\u001b[2K").append(out.bold(title)).append("  ").append(out.dim(state)).append('\n');
        int noteWidth = Math.max(10, out.width() - 46);
        for (Map.Entry<String, Row> entry : rows.entrySet()) {
            Row row = entry.getValue();
            long end = row.until >= 0 ? row.until : System.nanoTime();
            String took = row.since < 0 ? "" : String.format(Locale.ROOT, "%5.1fs", (end - row.since) / 1e9);
            text.append("\u001b[2K  ").append(symbol(row.state, spin)).append(' ').append(pad(entry.getKey(), 12))
                    .append(' ').append(padLabel(row.state)).append(' ').append(out.dim(pad(took, 7))).append(' ')
                    .append(out.dim(Output.fit(row.summary(), noteWidth))).append('\n');
        }
        drawnLines = rows.size() + 1;
        out.out().print(text);
        out.out().flush();
    }

    /** One line per event when there is no live board; never coloured, so the columns line up. */
    private void plain(String subject, String what, String note) {
        if (out.live()) {
            return;
        }
        double at = (System.nanoTime() - began) / 1e9;
        out.line(String.format(Locale.ROOT, "  %6.1fs  %-9s %-15s %s", at, subject, what, Output.fit(note, Math.max(20,
                out.width() - 38))).stripTrailing());
    }

    private String symbol(@Nullable StepState state, String spin) {
        if (state == null) {
            return out.dim("·");
        }
        return switch (state) {
            case PENDING -> out.dim("·");
            case STARTING, CHECKING_HEALTH -> out.yellow(spin);
            case HEALTHY -> out.green("✔");
            case FAILED -> out.red("✘");
            case SKIPPED -> out.dim("-");
            case ROLLED_BACK -> out.cyan("↺");
        };
    }

    private String padLabel(@Nullable StepState state) {
        String text = pad(state == null ? "waiting" : label(state), 15);
        if (state == null) {
            return out.dim(text);
        }
        return switch (state) {
            case HEALTHY -> out.green(text);
            case FAILED -> out.red(text);
            case ROLLED_BACK -> out.cyan(text);
            case STARTING, CHECKING_HEALTH -> out.yellow(text);
            default -> out.dim(text);
        };
    }

    static String label(StepState state) {
        return switch (state) {
            case PENDING -> "waiting";
            case STARTING -> "starting";
            case CHECKING_HEALTH -> "checking health";
            case HEALTHY -> "healthy";
            case FAILED -> "failed";
            case SKIPPED -> "skipped";
            case ROLLED_BACK -> "rolled back";
        };
    }

    private static boolean finished(StepState state) {
        return state == StepState.HEALTHY || state == StepState.FAILED || state == StepState.SKIPPED
                || state == StepState.ROLLED_BACK;
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    static String human(Duration d) {
        return d.toMillis() < 1000 ? d.toMillis() + "ms" : String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1e3);
    }
}
