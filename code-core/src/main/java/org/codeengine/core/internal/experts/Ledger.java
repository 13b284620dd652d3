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
}
