/**
 * Agents: a model that uses CODE's tools to get a task done, as the calling principal narrowed to its spec, within
 * budgets, journaled so that a run survives the death of its host.
 */
@NullMarked
package org.codeengine.api.agents;

import org.jspecify.annotations.NullMarked;
