package org.codeengine.api.spi;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.codeengine.api.CodeException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.security.SecretRef;

/** A plugin that starts and undoes services of one kind (local processes, containers, ...). */
public interface StepExecutor extends Plugin {
    /**
     * Starts one service.
     *
     * @param service the service's name
     * @param settings the executor's settings from the service spec
     * @param context the run and a place to record what undo will need
     * @return the started step
     * @throws CodeException if the settings are invalid or the start cannot begin
     */
    StepHandle start(String service, Map<String, String> settings, StepContext context);

    /**
     * Undoes one instance from its durable record, possibly in a process other than the one that started it. Undoing
     * an instance that is already gone does nothing.
     *
     * @param record the record of one instance: the outputs hold what the executor recorded for it
     * @param context the run
     * @throws CodeException if the step cannot be undone
     */
    void undo(StepRecord record, StepContext context);

    /**
     * Stops what a start of one instance may have left running without a record: its engine died after the start began
     * and before {@link StepContext#record} was written. The orchestrator calls it when it takes up a run an earlier
     * process left mid-start, after undoing what was recorded, before it starts the instance again or rolls it back.
     * By default nothing, for executors that cannot find an unrecorded start.
     *
     * @param service the service's name
     * @param settings the executor's settings from the service spec, as written (placeholders not filled)
     * @param context the run and the instance
     * @throws CodeException if what was found cannot be stopped
     */
    default void sweep(String service, Map<String, String> settings, StepContext context) {}

    /**
     * Checks a service's settings before anything of its deployment starts, so that a plan with a bad setting fails
     * whole. Placeholders such as {@code ${port}} are filled with sample values.
     *
     * @param settings the executor's settings from the service spec
     * @throws InvalidRequestException naming the setting and the rule it breaks
     */
    default void validate(Map<String, String> settings) {}

    /**
     * Checks a service's settings while its plan is made, as {@link #validate(Map)} does, knowing which settings held
     * placeholders: their sample values say nothing about the real ones, so checks that look at the machine (does the
     * command exist, does the folder) skip them. By default {@link #validate(Map)}.
     *
     * @param settings the executor's settings from the service spec, placeholders filled with sample values
     * @param templated the names of the settings that held placeholders
     * @throws InvalidRequestException naming the setting and the rule it breaks
     */
    default void validate(Map<String, String> settings, Set<String> templated) {
        validate(settings);
    }

    /**
     * Tells whether an instance started earlier, possibly by another process, still runs. The orchestrator asks when
     * it resumes a run and the service has no health check.
     *
     * @param record the instance's record
     * @return whether it still runs; by default true, for executors that cannot tell
     */
    default boolean alive(StepRecord record) {
        return true;
    }

    /**
     * Names the target a start goes to (a Docker host, a Kubernetes context), so that a failing target trips its own
     * circuit breaker without stopping starts on the others.
     *
     * @param settings the executor's settings from the service spec
     * @return the target; by default {@code local}
     */
    default String target(Map<String, String> settings) {
        return "local";
    }

    /**
     * Names the secrets a service's settings refer to ({@code vault:name}, {@code env:NAME}), so that the orchestrator
     * can check, before anything of the deployment starts, that the caller may use each: a deploy needs
     * {@code secret:vault:<name>} or {@code secret:env:<name>} (names in lower case) for each one. Only these can be
     * resolved later through {@link StepContext#secret(SecretRef)}. By default none.
     *
     * @param settings the executor's settings from the service spec, placeholders filled
     * @return the references the settings hold
     * @throws InvalidRequestException naming the setting, if a reference is malformed
     */
    default Set<SecretRef> secretRefs(Map<String, String> settings) {
        return Set.of();
    }

    /**
     * Says whether this executor can start anything on this machine now, for a host to show beside the plugin (a
     * Docker daemon that does not answer, no kubeconfig, an API server that does not answer). It must be cheap and
     * bounded in time: at most a ping with a timeout of a few seconds, never a start. By default usable.
     *
     * @param environment the environment variables the executor reads its defaults from ({@code DOCKER_HOST},
     *     {@code KUBECONFIG}, ...): the process's own unless the host says otherwise
     * @return empty when usable; else one sentence saying why not and how to fix it
     */
    default Optional<String> unavailable(Map<String, String> environment) {
        return Optional.empty();
    }

    /**
     * Sends traffic to an instance that has passed its health check in a blue-green or canary rollout (points a
     * router, a load balancer or a service selector at it). By default nothing: the instance serves where it runs.
     *
     * @param record the instance's record
     * @param context the run
     * @throws CodeException if the switch fails; the step then fails
     */
    default void promote(StepRecord record, StepContext context) {}
}
