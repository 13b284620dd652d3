package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StepHandle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link StepExecutor} passes, whatever it starts (processes, containers, cluster objects): it is
 * found by {@link java.util.ServiceLoader}, it refuses bad settings naming the setting, a start records what undo
 * needs, {@link StepExecutor#alive} follows the instance, and undoing an instance that is gone does nothing.
 *
 * <p>A plugin's test extends this class and says how to start one instance that keeps running until it is undone
 * ({@link #runningSettings}) and which settings it refuses ({@link #badSettings}). The kit undoes every instance it
 * started after each test, so nothing is left behind even when a test fails.
 */
public abstract class StepExecutorContract {
    /** For the test class that extends the contract. */
    protected StepExecutorContract() {}

    /** A folder of the test's own; the contexts' log folder is under it. */
    @TempDir
    protected Path work;

    private final List<RecordingStepContext> started = new ArrayList<>();

    /** {@return the executor under test, as {@link java.util.ServiceLoader} would make it} */
    protected abstract StepExecutor executor();

    /**
     * Settings that start one instance that keeps running until it is undone. Called once per start: give each its
     * own port or name where the executor needs one.
     *
     * @param context the context the start will get
     * @return the executor's settings
     */
    protected abstract Map<String, String> runningSettings(RecordingStepContext context);

    /** {@return settings the executor refuses, each with the setting its error must name; at least one} */
    protected abstract List<BadSetting> badSettings();

    /** {@return the longest a start may take before {@link StepHandle#awaitStarted} returns; 60 s by default} */
    protected Duration startTimeout() {
        return Duration.ofSeconds(60);
    }

    /** {@return the longest an undone instance may take to be gone from {@link StepHandle#alive}; 30 s by default} */
    protected Duration stopTimeout() {
        return Duration.ofSeconds(30);
    }

    /** {@return a new context for one instance of service {@code web}, in a run of its own} */
    protected RecordingStepContext context() {
        return new RecordingStepContext("contract-" + UUID.randomUUID(), work.resolve("logs"));
    }

    /**
     * Starts one instance with {@link #runningSettings} and waits until the executor's part of the start is over.
     *
     * @param context the instance's context
     * @return its handle
     */
    protected StepHandle startRunning(RecordingStepContext context) {
        started.add(context);
        StepHandle handle = executor().start(context.service(), runningSettings(context), context);
        handle.awaitStarted(startTimeout());
        return handle;
    }

    /**
     * Stops what the test's own setup started (a server the executor talks to), after the kit has undone every
     * instance; a subclass's {@code @AfterEach} would run before that. Nothing by default.
     */
    protected void afterUndo() {}

    @AfterEach
    void undoEverythingStarted() {
        try {
            for (RecordingStepContext context : started) {
                executor().undo(context.stepRecord(), context);
            }
        } finally {
            afterUndo();
        }
    }

    @Test
    void serviceLoader_findsTheExecutor_withALowerCaseName_andTheCurrentApiVersion() {
        Plugins.checkRegistered(StepExecutor.class, executor());
    }

    @Test
    void validate_acceptsTheRunningSettings() {
        Map<String, String> settings = runningSettings(context());
        assertThatCode(() -> executor().validate(settings)).doesNotThrowAnyException();
        assertThatCode(() -> executor().validate(settings, Set.of())).doesNotThrowAnyException();
    }

    @Test
    void validate_refusesEachBadSetting_withAnErrorNamingIt() {
        assertThat(badSettings()).as("bad settings to check").isNotEmpty();
        for (BadSetting bad : badSettings()) {
            assertThatThrownBy(() -> executor().validate(bad.settings())).as("%s", bad.settings()).isInstanceOf(
                    InvalidRequestException.class).hasMessageContaining("'" + bad.setting() + "'");
        }
    }

    @Test
    void target_isNamed_andTheSameForTheSameSettings() {
        Map<String, String> settings = runningSettings(context());
        assertThat(executor().target(settings)).isNotBlank().isEqualTo(executor().target(Map.copyOf(settings)));
    }

    @Test
    void start_recordsWhatUndoNeeds_andAliveFollowsTheInstanceUntilItIsUndone() {
        RecordingStepContext context = context();
        StepHandle handle = startRunning(context);

        assertThat(context.recorded()).as("what undo needs, recorded before the start returns").isNotEmpty();
        assertThat(handle.alive()).isTrue();
        assertThat(executor().alive(context.stepRecord())).as("alive from the durable record").isTrue();

        executor().undo(context.stepRecord(), context);

        assertThat(executor().alive(context.stepRecord())).as("alive after undo").isFalse();
        Await.until("the handle says the instance stopped", () -> !handle.alive(), stopTimeout());
    }

    @Test
    void undo_ofAnInstanceThatIsGone_doesNothing_evenFromAnotherExecutor() {
        RecordingStepContext context = context();
        startRunning(context);
        StepRecord record = context.stepRecord();
        executor().undo(record, context);

        assertThatCode(() -> executor().undo(record, context)).as("undone twice").doesNotThrowAnyException();
        assertThatCode(() -> executor().undo(record, context())).as("undone by another process's executor")
                .doesNotThrowAnyException();
        assertThat(executor().alive(record)).isFalse();
    }

    @Test
    void undo_ofAStartThatRecordedNothing_doesNothing() {
        RecordingStepContext context = context();
        StepRecord nothing = new StepRecord(context.runId(), context.service(), StepState.FAILED, 1, null, null, Map
                .of(), "the start failed before it recorded anything");

        assertThatCode(() -> executor().undo(nothing, context)).doesNotThrowAnyException();
    }
}
