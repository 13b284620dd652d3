package org.codeengine.core.internal.experts;

import java.util.Map;
import org.codeengine.api.experts.Reliability;

/** Records that can be added to: what reported truth teaches. */
public interface Ledger extends Reliability {
    /**
     * Adds counts to an expert's signals.
     *
     * @param expert the expert (or a panel's pseudo-expert)
     * @param counts per signal, answers to add ({@code [0]}) and the right ones among them ({@code [1]})
     */
    void add(String expert, Map<String, long[]> counts);

    /**
     * Replaces a set of values an expert's record holds (fitted weights, not counts) as one, if no other writer has
     * replaced the set since this ledger last read it. The set is every signal that starts with {@code prefix}; its
     * version is kept under {@code prefix + "version"}.
     *
     * @param expert the expert (or a panel's pseudo-expert)
     * @param prefix what the set's signals start with
     * @param values per signal of the set, the value to keep in its {@code answered}
     * @return whether the set was written; if not, another writer replaced it first, nothing was written, and this
     *         ledger now holds the set (and version) that writer left
     */
    boolean replace(String expert, String prefix, Map<String, Long> values);
}
