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
}
