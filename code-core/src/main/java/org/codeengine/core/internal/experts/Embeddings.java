package org.codeengine.core.internal.experts;

/**
 * Local text embeddings by feature hashing: the lower-cased words, word pairs and character trigrams of a text are
 * hashed into a fixed number of signed buckets, and the vector is scaled to unit length, so a dot product is the cosine
 * similarity. No model, no network; about a microsecond per hundred words.
 */
public final class Embeddings {
    /** Buckets per vector. */
    public static final int DIMS = 256;
    private static final int MASK = DIMS - 1;

    private Embeddings() {}

    /**
     * @param text the text
     * @param into a vector of at least {@link #DIMS} floats, overwritten
     */
    public static void embed(CharSequence text, float[] into) {
        java.util.Arrays.fill(into, 0, DIMS, 0f);
        int word = 0; // hash of the current word
        int previousWord = 0;
        int wordLength = 0;
        char c1 = ' ';
        char c2 = ' ';
        for (int i = 0, n = text.length(); i <= n; i++) {
            char c = i < n ? Character.toLowerCase(text.charAt(i)) : ' ';
            boolean letter = Character.isLetterOrDigit(c);
            char shown = letter ? c : ' ';
            if (!(shown == ' ' && c2 == ' ')) {
                add(into, mix(0x9E3779B9 ^ (c1 << 16 | c2) * 31 + shown), 0.5f); // character trigram
            }
            c1 = c2;
            c2 = shown;
            if (letter) {
                word = word * 31 + c;
                wordLength++;
            } else if (wordLength > 0) {
                int w = mix(word);
                add(into, w, 1f);
                if (previousWord != 0) {
                    add(into, mix(previousWord * 0x85EBCA6B + w), 0.7f); // word pair
                }
                previousWord = w;
                word = 0;
                wordLength = 0;
            }
        }
        float norm = 0;
        for (int i = 0; i < DIMS; i++) {
            norm += into[i] * into[i];
        }
        if (norm > 0) {
            float scale = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < DIMS; i++) {
                into[i] *= scale;
            }
        }
    }

    private static void add(float[] v, int hash, float amount) {
        v[hash & MASK] += (hash & 0x8000_0000) == 0 ? amount : -amount;
    }

    private static int mix(int h) { // murmur3 finaliser
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ h >>> 16;
    }
}
