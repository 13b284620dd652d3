package org.codeengine.benchmarks.events;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The command line the outbox's round benchmarks share: {@code h2|postgres [writes per block] [rounds]} and then the
 * benchmark's own arguments, each optional.
 *
 * @param store the store to measure, {@code h2} or {@code postgres}
 * @param writes the writes per block
 * @param rounds the rounds counted (after one that warms up)
 * @param extras the benchmark's own arguments that were given, in order
 */
record RoundsArgs(String store, int writes, int rounds, List<String> extras) {
    RoundsArgs {
        extras = List.copyOf(extras);
    }

    /**
     * Reads the arguments, with the defaults for those left out.
     *
     * @param extraNames what the benchmark's own arguments are, in order, for the usage message
     * @throws IllegalArgumentException naming the argument and the rule it breaks
     */
    static RoundsArgs parse(String[] args, int defaultWrites, int defaultRounds, String... extraNames) {
        if (args.length < 1 || args.length > 3 + extraNames.length) {
            StringBuilder usage = new StringBuilder("arguments: h2|postgres [writes per block] [rounds]");
            for (String name : extraNames) {
                usage.append(" [").append(name).append(']');
            }
            throw new IllegalArgumentException(usage.toString());
        }
        if (!args[0].equals("h2") && !args[0].equals("postgres")) {
            throw new IllegalArgumentException("store must be h2 or postgres: " + args[0]);
        }
        int writes = args.length > 1 ? atLeast("writes per block", args[1], 1) : defaultWrites;
        int rounds = args.length > 2 ? atLeast("rounds", args[2], 1) : defaultRounds;
        return new RoundsArgs(args[0], writes, rounds, Arrays.asList(args).subList(Math.min(3, args.length),
                args.length));
    }

    /** {@return the benchmark's own argument at that index (0 for the first), or null when it was not given} */
    @Nullable
    String extra(int index) {
        return index < extras.size() ? extras.get(index) : null;
    }

    /** {@return the argument as a whole number of at least {@code min}} */
    static int atLeast(String name, String value, int min) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException notNumber) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number of at least " + min + ": " + value);
    }
}
