package org.codeengine.core.internal.experts;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.core.internal.store.ExpertStats;
import org.codeengine.core.internal.store.ExpertStatsRepository;

/**
 * The experts' records against reported truth: read from the store once, kept in memory for the strategies, and
 * written through to the store on every report, so that they survive a restart. Counts are added, so that what two
 * hosts on one store count adds up; a set of fitted values is replaced whole, only if no other host replaced it since
 * this book read it (and is read again from the store when one did), so that two hosts' fits never add up.
 */
public final class ReliabilityBook implements Ledger {
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

    /**
     * Adds counts to an expert's signals, in the store first and then here.
     *
     * @param expert the expert (or a panel's pseudo-expert)
     * @param counts per signal, answers to add ({@code [0]}) and the right ones among them ({@code [1]})
     */
    @Override
    public void add(String expert, Map<String, long[]> counts) {
        store.add(expert, counts, clock.instant());
        counts.forEach((signal, c) -> records.merge(key(expert, signal), new Record(c[0], c[1]), (a, b) -> new Record(a
                .answered() + b.answered(), a.correct() + b.correct())));
    }

    @Override
    public boolean replace(String expert, String prefix, Map<String, Long> values) {
        String version = prefix + "version";
        values.keySet().forEach(signal -> {
            if (!signal.startsWith(prefix) || signal.equals(version)) {
                throw new IllegalArgumentException("signal '" + signal + "' is not a value of the set " + prefix + "*");
            }
        });
        long read = of(expert, version).answered();
        if (store.replace(expert, version, read, values, clock.instant())) {
            values.forEach((signal, value) -> records.put(key(expert, signal), new Record(value, 0)));
            records.put(key(expert, version), new Record(read + 1, 0));
            return true;
        }
        for (ExpertStats s : store.of(expert)) {
            if (s.signal().startsWith(prefix)) {
                records.put(key(expert, s.signal()), new Record(s.answered(), s.correct()));
            }
        }
        return false;
    }

    private static String key(String expert, String signal) {
        return expert + '\u0000' + signal;
    }
}
