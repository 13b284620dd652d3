package org.codeengine.core.internal.experts;

import java.util.Arrays;

/**
 * Local text embeddings by feature hashing: the lower-cased words, word pairs and character trigrams of a text are
 * hashed into a fixed number of signed buckets (weights 1, 0.7 and 0.5), and the vector is scaled to unit length, so
 * a dot product is the cosine similarity. Letters and digits make words; everything else separates them and shows as
 * one space in the trigrams, so whitespace, punctuation and case do not change an embedding. No model, no network: a
 * single pass of integer arithmetic, about a nanosecond per character.
 */
public final class Embeddings {
    /** Buckets per vector: the 8 top bits of a hash. */
    public static final int DIMS = 256;
    private static final long TRIGRAM_BITS = 0xFFFF_FFFF_FFFFL;
    private static final long WORD_SALT = 0x5851_F42D_4C95_7F2DL;
    // weights in tenths, summed as integers (exact, and no floating-point latency per character)
    private static final int WORD = 10;
    private static final int PAIR = 7;
    private static final int TRIGRAM = 5;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;
    private static final char SPACE = ' ';
    /** ASCII character to its lower case if it is a letter or digit, else 0. */
    private static final char[] ASCII = new char[128];

    static {
        for (char c = 0; c < 128; c++) {
            ASCII[c] = Character.isLetterOrDigit(c) ? Character.toLowerCase(c) : 0;
        }
    }

    private Embeddings() {}

    /**
     * @param text the text
     * @param into a vector of at least {@link #DIMS} floats, overwritten
     */
    public static void embed(String text, float[] into) {
        embed(text, into, 0);
    }

    /**
     * @param text the text
     * @param into where the vector goes, overwritten
     * @param offset the index of its first float in {@code into}
     */
    public static void embed(String text, float[] into, int offset) {
        int[] sums = new int[DIMS];
        long trigram = 0; // the last three characters as shown, 16 bits each
        long word = 0; // hash of the current word
        long previousWord = 0;
        boolean inWord = false;
        boolean afterWord = false;
        boolean lastShownSpace = true;
        char[] chars = text.toCharArray(); // a copy, but then no bounds or coder checks per character
        for (int i = 0, n = chars.length; i <= n; i++) {
            char c = i < n ? chars[i] : SPACE;
            char shown = c < 128 ? ASCII[c] : Character.isLetterOrDigit(c) ? Character.toLowerCase(c) : 0;
            if (shown != 0) {
                trigram = (trigram << 16 | shown) & TRIGRAM_BITS;
                add(sums, mix(trigram), TRIGRAM);
                lastShownSpace = false;
                word = word * 31 + shown;
                inWord = true;
            } else {
                if (!lastShownSpace) { // one space however many separators
                    trigram = (trigram << 16 | SPACE) & TRIGRAM_BITS;
                    add(sums, mix(trigram), TRIGRAM);
                    lastShownSpace = true;
                }
                if (inWord) {
                    long w = mix(word ^ WORD_SALT);
                    add(sums, w, WORD);
                    if (afterWord) {
                        add(sums, mix(previousWord * 31 + w), PAIR);
                    }
                    previousWord = w;
                    afterWord = true;
                    word = 0;
                    inWord = false;
                }
            }
        }
        long norm = 0;
        for (int s : sums) {
            norm += (long) s * s;
        }
        float scale = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
        Arrays.fill(into, offset, offset + DIMS, 0f);
        for (int b = 0; b < DIMS; b++) {
            into[offset + b] = sums[b] * scale;
        }
    }

    /** Adds {@code amount} to the bucket the hash's top 8 bits name, negated when its next bit is set. */
    private static void add(int[] sums, long hash, int amount) {
        int sign = (int) (hash << 8 >> 63); // 0 or -1
        sums[(int) (hash >>> 56)] += (amount ^ sign) - sign;
    }

    /** Fibonacci hashing: one multiply, whose top bits depend on every bit of the key. */
    private static long mix(long key) {
        return key * GOLDEN;
    }
}
