package org.codeengine.core.internal.experts;

import java.util.Arrays;

/**
 * A fixed set of phrases looked for in replies, fast, with the Wu–Manber search: most replies hold none of the phrases,
 * so the search reads the text in steps of up to the shortest phrase's length less one. At each step it reads the two
 * characters that end a window as long as the shortest phrase; a table says how far the nearest phrase that could hold
 * that pair there is, and the search moves on by that much, or, where a phrase's first characters could end there,
 * compares those phrases in full. Each character pair is hashed into a small table; pairs that share a slot take the
 * smaller step, so the search never steps over a phrase.
 */
final class Phrases {
    /** Slots of the pair table: a power of two. */
    private static final int SLOTS = 1 << 12;
    private final String[] phrases;
    /** The shortest phrase's length: the window. */
    private final int window;
    /** Per slot, how far the window may move on: the least distance from a pair in a phrase's window to its end. */
    private final byte[] shift;
    /** Per slot with no step, the phrases whose window ends with a pair of that slot. */
    private final int[][] ending;

    /** @param phrases the phrases, case-sensitive, each at least two characters long */
    Phrases(String... phrases) {
        this.phrases = phrases.clone();
        int shortest = Integer.MAX_VALUE;
        for (String phrase : phrases) {
            if (phrase.length() < 2) {
                throw new IllegalArgumentException("phrases must be at least 2 characters long: '" + phrase + "'");
            }
            shortest = Math.min(shortest, phrase.length());
        }
        window = Math.min(shortest, Byte.MAX_VALUE);
        shift = new byte[SLOTS];
        Arrays.fill(shift, (byte) (window - 1));
        int[] counts = new int[SLOTS];
        for (String phrase : phrases) {
            for (int j = 1; j < window; j++) {
                int slot = slot(phrase.charAt(j - 1), phrase.charAt(j));
                shift[slot] = (byte) Math.min(shift[slot], window - 1 - j);
            }
            counts[slot(phrase.charAt(window - 2), phrase.charAt(window - 1))]++;
        }
        ending = new int[SLOTS][];
        for (int p = 0; p < phrases.length; p++) {
            int slot = slot(phrases[p].charAt(window - 2), phrases[p].charAt(window - 1));
            if (ending[slot] == null) {
                ending[slot] = new int[counts[slot]];
                counts[slot] = 0;
            }
            ending[slot][counts[slot]++] = p;
        }
    }

    private static int slot(char first, char second) {
        return (first * 31 + second) & (SLOTS - 1);
    }

    /** {@return whether the text holds one of the phrases} */
    boolean in(String text) {
        int length = text.length();
        for (int end = window - 1; end < length;) {
            int slot = slot(text.charAt(end - 1), text.charAt(end));
            int step = shift[slot];
            if (step > 0) {
                end += step;
                continue;
            }
            int start = end - window + 1;
            for (int p : ending[slot]) {
                if (text.startsWith(phrases[p], start)) {
                    return true;
                }
            }
            end++;
        }
        return false;
    }
}
