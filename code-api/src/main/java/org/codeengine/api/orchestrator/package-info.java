/** The orchestrator: deployment specs, plans, runs, steps and their events. */
@NullMarked
package org.codeengine.api.orchestrator;

import org.jspecify.annotations.NullMarked;
