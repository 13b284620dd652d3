package org.codeengine.core.internal.store;

import java.time.Instant;

/**
 * How often an expert was right when the host reported the truth.
 *
 * @param answered answers judged
 * @param correct answers judged right
 */
public record ExpertStats(String expertId, long answered, long correct, Instant updatedAt) {}
