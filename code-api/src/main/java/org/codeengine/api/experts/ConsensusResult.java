package org.codeengine.api.experts;

import java.util.List;
import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * What the circle of experts concluded, with the numbers to defend it.
 *
 * @param answer the chosen answer, or {@code null} when no expert gave one
 * @param experts the ids of the experts behind the chosen answer; copied
 * @param strategy the name of the consensus strategy that chose it
 * @param agreement the share of the answering weight behind the chosen answer, 0 to 1
 * @param confidence the strategy's estimate that the chosen answer is right, 0 to 1
 * @param clusters every answer given with its experts, the chosen one first; copied
 * @param answers every expert's answer or failure, in panel order; copied
 * @param usage the tokens of all experts together
 * @param cost what all experts together cost, in US dollars, from the panel's price table
 * @param cached whether the result came from the cache
 * @param rejectedBy the name of the first {@link Axiom} the result broke ({@code no-answer} when no expert gave an
 *        answer), or {@code null} when it broke none
 * @param rationale why the strategy chose the answer (for the default strategy: which rule it used and the record
 *        that made it choose that rule), or {@code null} when the strategy gives no reason
 * @param question the question the experts were asked ({@link Query#question()}), as the strategy was given it; kept
 *        so that a report of the truth can be read against it too; {@code null} where it is not known
 */
public record ConsensusResult(@Nullable String answer, List<String> experts, String strategy, double agreement,
        double confidence, List<Cluster> clusters, List<ExpertAnswer> answers, Usage usage, double cost,
        boolean cached, @Nullable String rejectedBy, @Nullable String rationale, @Nullable String question) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ConsensusResult {
        experts = List.copyOf(Checks.notNull(experts, "experts"));
        Checks.notBlank(strategy, "strategy");
        Checks.between(agreement, 0, 1, "agreement");
        Checks.between(confidence, 0, 1, "confidence");
        clusters = List.copyOf(Checks.notNull(clusters, "clusters"));
        answers = List.copyOf(Checks.notNull(answers, "answers"));
        Checks.notNull(usage, "usage");
        if (!(cost >= 0)) {
            throw new IllegalArgumentException("cost must not be negative but was " + cost);
        }
    }

    /**
     * A result whose question is not known; the parameters are those of the canonical constructor.
     *
     * @param answer the chosen answer, or {@code null}
     * @param experts the ids of the experts behind it
     * @param strategy the strategy's name
     * @param agreement the share of the answering weight behind it, 0 to 1
     * @param confidence the estimate that it is right, 0 to 1
     * @param clusters every answer given, the chosen one first
     * @param answers every expert's answer or failure
     * @param usage the tokens of all experts
     * @param cost the cost of all experts, in US dollars
     * @param cached whether it came from the cache
     * @param rejectedBy the first axiom broken, or {@code null}
     * @param rationale why the strategy chose the answer, or {@code null}
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ConsensusResult(@Nullable String answer, List<String> experts, String strategy, double agreement,
            double confidence, List<Cluster> clusters, List<ExpertAnswer> answers, Usage usage, double cost,
            boolean cached, @Nullable String rejectedBy, @Nullable String rationale) {
        this(answer, experts, strategy, agreement, confidence, clusters, answers, usage, cost, cached, rejectedBy,
                rationale, null);
    }

    /**
     * A result with no rationale; the parameters are those of the canonical constructor.
     *
     * @param answer the chosen answer, or {@code null}
     * @param experts the ids of the experts behind it
     * @param strategy the strategy's name
     * @param agreement the share of the answering weight behind it, 0 to 1
     * @param confidence the estimate that it is right, 0 to 1
     * @param clusters every answer given, the chosen one first
     * @param answers every expert's answer or failure
     * @param usage the tokens of all experts
     * @param cost the cost of all experts, in US dollars
     * @param cached whether it came from the cache
     * @param rejectedBy the first axiom broken, or {@code null}
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ConsensusResult(@Nullable String answer, List<String> experts, String strategy, double agreement,
            double confidence, List<Cluster> clusters, List<ExpertAnswer> answers, Usage usage, double cost,
            boolean cached, @Nullable String rejectedBy) {
        this(answer, experts, strategy, agreement, confidence, clusters, answers, usage, cost, cached, rejectedBy,
                null, null);
    }

    /** {@return the chosen answer, if any expert gave one} */
    public Optional<String> chosen() {
        return Optional.ofNullable(answer);
    }

    /** {@return whether every axiom of the panel held} */
    public boolean accepted() {
        return rejectedBy == null;
    }

    /** {@return the answers other than the chosen one, with their experts, largest first} */
    public List<Cluster> dissent() {
        return clusters.isEmpty() || answer == null ? clusters : clusters.subList(1, clusters.size());
    }

    /** {@return the experts that gave no reply, with the reason} */
    public List<ExpertAnswer> failures() {
        return answers.stream().filter(a -> a.failure() != null).toList();
    }

    /**
     * {@return this result, marked as cached or not}
     *
     * @param cachedNow whether this copy is served from the cache
     */
    public ConsensusResult withCached(boolean cachedNow) {
        return new ConsensusResult(answer, experts, strategy, agreement, confidence, clusters, answers, usage, cost,
                cachedNow, rejectedBy, rationale, question);
    }
}
