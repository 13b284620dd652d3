package org.codeengine.api.experts;

import java.util.List;

/**
 * Turns the experts' votes into one answer. CODE ships {@code majority}, {@code reliability} (the default),
 * {@code unsupervised} and {@code medoid}; a host may pass its own. Implementations are thread-safe.
 */
public interface ConsensusStrategy {
    /** {@return the strategy's name, reported in every result it decides} */
    String name();

    /**
     * {@return the decision}
     *
     * @param votes every expert's vote, those with no answer included; not empty
     * @param reliability the experts' record against reported truth
     */
    Verdict decide(List<Vote> votes, Reliability reliability);

    /**
     * {@return the decision on the votes given to a question} The circle of experts calls this form, with the question
     * it asked each expert ({@link Query#question()}), so that a strategy may read the replies against it (which of
     * the numbers a word problem gives each reply's working uses, say). The default implementation ignores the
     * question and calls {@link #decide(List, Reliability)}, so a strategy written against that method alone keeps
     * working unchanged; a strategy that reads the question overrides both, the other calling this one with an empty
     * question.
     *
     * @param question the question as asked, empty where it is not known (such as a report on a result the circle did
     *        not give)
     * @param votes every expert's vote, those with no answer included; not empty
     * @param reliability the experts' record against reported truth
     */
    default Verdict decide(String question, List<Vote> votes, Reliability reliability) {
        return decide(votes, reliability);
    }
}
