package org.codeengine.core.internal.security.secrets;

/** Shannon entropy of a string. */
final class Entropy {
    private static final double LN2 = Math.log(2);

    private Entropy() {}

    /** {@return the Shannon entropy of {@code s} in bits per character, over its characters' frequencies} */
    static double of(CharSequence s) {
        int n = s.length();
        if (n == 0) {
            return 0;
        }
        int[] counts = new int[128];
        java.util.Map<Character, Integer> other = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                if (other == null) {
                    other = new java.util.HashMap<>();
                }
                other.merge(c, 1, Integer::sum);
            }
        }
        double h = 0;
        for (int count : counts) {
            h += term(count, n);
        }
        if (other != null) {
            for (int count : other.values()) {
                h += term(count, n);
            }
        }
        return h;
    }

    private static double term(int count, int n) {
        if (count == 0) {
            return 0;
        }
        double p = (double) count / n;
        return -p * Math.log(p) / LN2;
    }
}
