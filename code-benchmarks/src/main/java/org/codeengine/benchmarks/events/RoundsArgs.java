package org.codeengine.benchmarks.events;

import org.jspecify.annotations.Nullable;

/**
 * The command line the outbox's round benchmarks share: {@code h2|postgres [writes per block] [rounds] [one more]}.
 *
 * @param store the store to measure, {@code h2} or {@code postgres}
 * @param writes the writes per block
 * @param rounds the rounds counted (after one that warms up)
 * @param extra the benchmark's own last argument, or null when not given
 */
record RoundsArgs(String store, int writes, int rounds, @Nullable String extra) {
    /**
     * Reads the arguments, with the defaults for those left out.
     *
     * @param extraName what the last argument is, for the usage message
     * @throws IllegalArgumentException naming the argument and the rule it breaks
     */
    static RoundsArgs parse(String[] args, String extraName, int defaultWrites, int defaultRounds) {
        if (args.length < 1 || args.length > 4) {
            throw new IllegalArgumentException("arguments: h2|postgres [writes per block] [rounds] [" + extraName
                    + "]");
        }
        if (!args[0].equals("h2") && !args[0].equals("postgres")) {
            throw new IllegalArgumentException("store must be h2 or postgres: " + args[0]);
        }
        int writes = args.length > 1 ? atLeast("writes per block", args[1], 1) : defaultWrites;
        int rounds = args.length > 2 ? atLeast("rounds", args[2], 1) : defaultRounds;
        return new RoundsArgs(args[0], writes, rounds, args.length > 3 ? args[3] : null);
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
