package org.codeengine.core.internal.experts;

import java.time.Clock;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.experts.Reliability;
import org.codeengine.core.internal.store.ExpertStats;
import org.codeengine.core.internal.store.ExpertStatsRepository;

/**
 * The experts' records against reported truth: read from the store once, kept in memory for the strategies, and
 * written through to the store on every report, so that they survive a restart.
 */
public final class ReliabilityBook implements Reliability {
    private final ExpertStatsRepository store;
    private final Clock clock;
    private final ConcurrentHashMap<String, Record> records = new ConcurrentHashMap<>();

    /**
     * @param store where records are kept
     * @param clock stamps reports
     */
    public ReliabilityBook(ExpertStatsRepository store, Clock clock) {
        this.store = store;
        this.clock = clock;
        for (ExpertStats s : store.all()) {
            records.put(key(s.expertId(), s.signal()), new Record(s.answered(), s.correct()));
        }
    }

    @Override
    public Record of(String expert, String signal) {
        return records.getOrDefault(key(expert, signal), Record.NONE);
    }

    /** Counts one judged answer, in the store first and then here. */
    public void record(String expert, Collection<String> signals, boolean correct) {
        store.record(expert, signals, correct, clock.instant());
        for (String signal : signals) {
            records.merge(key(expert, signal), new Record(1, correct ? 1 : 0), (a, b) -> new Record(a.answered() + b
                    .answered(), a.correct() + b.correct()));
        }
    }

    private static String key(String expert, String signal) {
        return expert + '\u0000' + signal;
    }
}
