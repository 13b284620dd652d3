package org.codeengine.core.internal.store;

import java.time.Instant;

/**
 * How often an expert was right in one situation when the host reported the truth.
 *
 * @param expertId the expert
 * @param signal the situation ({@code all}, {@code support:alone}, ...)
 * @param answered answers judged
 * @param correct answers judged right
 * @param updatedAt when the last judgement was counted
 */
public record ExpertStats(String expertId, String signal, long answered, long correct, Instant updatedAt) {}
