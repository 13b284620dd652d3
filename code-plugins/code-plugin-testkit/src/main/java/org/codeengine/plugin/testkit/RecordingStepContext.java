package org.codeengine.plugin.testkit;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.spi.StepContext;

/**
 * A {@link StepContext} for testing an executor on its own, without an engine: it keeps what the executor records, as
 * the orchestrator's journal would, and the progress lines it reports. By default instance 0 of service {@code web} in
 * slot {@code blue}, on the system clock, with no resources.
 */
public final class RecordingStepContext implements StepContext {
    private final String runId;
    private final String service;
    private final int instance;
    private final String slot;
    private final Path logFolder;
    private final Map<String, String> recorded = new ConcurrentHashMap<>();
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Resources resources = Resources.NONE;
    private int recordsBeforeFailure = Integer.MAX_VALUE;

    /**
     * A context for instance 0 of service {@code web} in slot {@code blue}.
     *
     * @param runId the run's id
     * @param logFolder the folder the executor may write logs to
     */
    public RecordingStepContext(String runId, Path logFolder) {
        this(runId, "web", 0, "blue", logFolder);
    }

    /**
     * A context for one instance of a service.
     *
     * @param runId the run's id
     * @param service the service's name
     * @param instance which instance, from 0
     * @param slot {@code blue} or {@code green}
     * @param logFolder the folder the executor may write logs to
     */
    public RecordingStepContext(String runId, String service, int instance, String slot, Path logFolder) {
        this.runId = runId;
        this.service = service;
        this.instance = instance;
        this.slot = slot;
        this.logFolder = logFolder;
    }

    /**
     * {@return this context}
     *
     * @param resources what the instance asks for
     */
    public RecordingStepContext resources(Resources resources) {
        this.resources = resources;
        return this;
    }

    /**
     * {@return this context}
     *
     * @param clock the clock the executor is given
     */
    public RecordingStepContext clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /**
     * Makes {@link #record} fail, as a store that went away does, after {@code count} calls have succeeded.
     *
     * @param count the calls that succeed first
     * @return this context
     */
    public RecordingStepContext failRecordsAfter(int count) {
        this.recordsBeforeFailure = count;
        return this;
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String service() {
        return service;
    }

    @Override
    public int instance() {
        return instance;
    }

    @Override
    public String slot() {
        return slot;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    /** @throws IllegalStateException once {@link #failRecordsAfter} calls have been used up */
    @Override
    public synchronized void record(Map<String, String> outputs) {
        if (recordsBeforeFailure-- <= 0) {
            throw new IllegalStateException("the store is gone (recording fails on purpose)");
        }
        recorded.putAll(outputs);
    }

    @Override
    public Consumer<String> progress() {
        return progress::add;
    }

    @Override
    public Resources resources() {
        return resources;
    }

    @Override
    public Path logFolder() {
        return logFolder;
    }

    /** {@return what the executor has recorded so far; a live view} */
    public Map<String, String> recorded() {
        return recorded;
    }

    /** {@return the progress lines reported so far} */
    public List<String> progressLines() {
        return List.copyOf(progress);
    }

    /** {@return the durable record the orchestrator would hand to undo: state healthy, what was recorded} */
    public StepRecord stepRecord() {
        return stepRecord(StepState.HEALTHY);
    }

    /**
     * {@return the durable record the orchestrator would hand to undo, with what was recorded}
     *
     * @param state the step's state
     */
    public StepRecord stepRecord(StepState state) {
        return new StepRecord(runId, service, state, 1, null, null, Map.copyOf(recorded), null);
    }
}
