package org.codeengine.api.experts;

import org.codeengine.api.CallContext;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.PolicyDeniedException;

/**
 * The circle-of-experts face of CODE: asks several models at once and returns a measured consensus. Thread-safe.
 */
public interface ExpertCircle extends AutoCloseable {
    /**
     * Asks every expert of the panel in parallel and decides once a quorum has answered and the rest have answered
     * or run out of time.
     *
     * @param context the caller; needs {@code expert:query}
     * @param query the question
     * @return the consensus with every expert's answer or failure; a result that breaks an axiom is returned marked
     *         {@link ConsensusResult#rejectedBy() rejected}
     * @throws PolicyDeniedException if the caller may not query experts
     * @throws DeadlineExceededException if fewer experts than the quorum answered before the deadline
     */
    ConsensusResult ask(CallContext context, Query query);

    /**
     * Reports the right answer to a question the circle answered, so each expert's record (and with it the
     * {@code reliability} strategy's weights) learns from it. The record is kept in the store.
     *
     * @param context the caller; needs {@code expert:report}
     * @param result the result the circle returned
     * @param truth the right answer, read with the panel's extraction
     * @throws PolicyDeniedException if the caller may not report
     * @throws InvalidRequestException if {@code truth} holds no answer
     */
    void report(CallContext context, ConsensusResult result, String truth);

    /** {@return the panel this circle asks} */
    ExpertPanel panel();

    /**
     * Releases the provider connections; the circle cannot be asked afterwards. The engine closes the circles it built
     * when it closes; calling this again does nothing.
     */
    @Override
    void close();
}
