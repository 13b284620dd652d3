/**
 * The orchestrator: planning, the run state machine, its durable journal, leases, rollout strategies and rollback.
 */
@NullMarked
package org.codeengine.core.internal.orchestrator;

import org.jspecify.annotations.NullMarked;
