package org.codeengine.plugin.kubernetes;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a Deployment's rollout stands, read as {@code kubectl rollout status} reads it: complete once the controller
 * has seen the wanted generation and as many replicas are updated and available as wanted; failed once a condition
 * says so ({@code Progressing=False} with reason {@code ProgressDeadlineExceeded}, or {@code ReplicaFailure=True}).
 *
 * @param state complete, progressing or failed
 * @param detail what the rollout waits for, or why it failed, in Kubernetes' own words
 */
record RolloutStatus(State state, String detail) {
    enum State {
        COMPLETE, PROGRESSING, FAILED
    }

    /**
     * {@return the rollout's state}
     *
     * @param deployment the Deployment as the API server has it, or null if it is gone
     * @param generation the generation CODE applied
     * @param replicas the replicas that must be updated and available
     */
    static RolloutStatus of(@Nullable Deployment deployment, long generation, int replicas) {
        if (deployment == null) {
            return new RolloutStatus(State.FAILED, "the Deployment is gone");
        }
        DeploymentStatus status = deployment.getStatus();
        List<DeploymentCondition> conditions = status == null || status.getConditions() == null
                ? List.of()
                : status
                        .getConditions();
        for (DeploymentCondition c : conditions) {
            if ("Progressing".equals(c.getType()) && "False".equals(c.getStatus()) && "ProgressDeadlineExceeded"
                    .equals(c.getReason())) {
                return new RolloutStatus(State.FAILED, "rollout failed: ProgressDeadlineExceeded: " + c.getMessage());
            }
            if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                return new RolloutStatus(State.FAILED, "rollout failed: " + c.getReason() + ": " + c.getMessage());
            }
        }
        long observed = status == null || status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
        if (observed < generation) {
            return new RolloutStatus(State.PROGRESSING, "waiting for the controller to see generation " + generation
                    + " (it has seen " + observed + ")");
        }
        int updated = count(status == null ? null : status.getUpdatedReplicas());
        int available = count(status == null ? null : status.getAvailableReplicas());
        if (updated < replicas) {
            return new RolloutStatus(State.PROGRESSING, updated + " of " + replicas + " replicas updated");
        }
        if (available < replicas) {
            return new RolloutStatus(State.PROGRESSING, available + " of " + replicas + " updated replicas available");
        }
        return new RolloutStatus(State.COMPLETE, replicas + " of " + replicas + " replicas updated and available");
    }

    private static int count(@Nullable Integer value) {
        return value == null ? 0 : value;
    }
}
