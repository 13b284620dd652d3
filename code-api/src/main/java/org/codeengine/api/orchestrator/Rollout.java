package org.codeengine.api.orchestrator;

/**
 * How a new version of a service replaces the one that the deployment's last successful run (same name and
 * environment) left running.
 */
public enum Rollout {
    /**
     * Replace in place: stop the old instances, then start all new ones at once. If the new version fails, the run
     * rolls back and the service is down; choose {@link #BLUE_GREEN} where that is not acceptable.
     */
    ALL_AT_ONCE,
    /**
     * Start the new version beside the old in the other slot ({@code blue} or {@code green}), switch to it when it is
     * healthy, and stop the old one when the whole run has succeeded. If the run fails, the old version keeps
     * serving.
     */
    BLUE_GREEN,
    /**
     * Like {@link #BLUE_GREEN}, but start one instance first and start the rest only once it has passed its health
     * check; a canary that fails stops the step before the other instances start.
     */
    CANARY
}
