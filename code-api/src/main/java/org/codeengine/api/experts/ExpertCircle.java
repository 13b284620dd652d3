package org.codeengine.api.experts;

import org.codeengine.api.CallContext;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.PolicyDeniedException;

/** The circle-of-experts face of CODE: asks several models at once and returns a measured consensus. */
public interface ExpertCircle {
    /**
     * @param context the caller; needs {@code expert:query}
     * @param query the question
     * @return the consensus with every expert's answer or failure
     * @throws PolicyDeniedException if the caller may not query experts
     * @throws DeadlineExceededException if fewer experts than the quorum answered before the deadline
     */
    ConsensusResult ask(CallContext context, Query query);
}
