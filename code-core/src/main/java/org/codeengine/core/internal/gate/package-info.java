/**
 * The consensus gate: confirmers that approve or refuse an agent's destructive tool calls, by a panel of experts that
 * votes, by the person behind the run, or both; each decision is audited.
 */
@NullMarked
package org.codeengine.core.internal.gate;

import org.jspecify.annotations.NullMarked;
