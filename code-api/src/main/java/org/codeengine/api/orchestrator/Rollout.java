package org.codeengine.api.orchestrator;

/** How a new version of a service replaces the one that runs. */
public enum Rollout {
    /** Stop nothing first; start the new version and fail or succeed as a whole. */
    ALL_AT_ONCE,
    /** Start the new version beside the old, switch when it is healthy, then stop the old one. */
    BLUE_GREEN,
    /** Start one instance, gate on its health, then start the rest. */
    CANARY
}
