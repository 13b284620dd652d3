package org.codeengine.api.spi;

import java.lang.foreign.MemorySegment;

/**
 * Numeric kernels over float32 vectors in memory segments: plain Java, Vector API and native SIMD implement it, and the
 * engine uses the available one with the highest priority unless configuration names another.
 *
 * <p>
 * Vectors are read as little-endian float32 from any memory segment (heap or native; any alignment, though the bulk
 * kernels run fastest on a {@link VectorStore}, whose rows are 64-byte aligned). Float sums may be taken in any order,
 * so two implementations agree to about {@code 1e-5} of {@code Σ|a[i]·b[i]|}, not bit for bit; integer kernels
 * ({@link #hamming}, {@link #minHash}) agree exactly. Implementations are stateless and thread-safe. Every method
 * checks its arguments first, as {@link VectorChecks} does, and throws {@link IllegalArgumentException} naming the
 * argument and the rule it broke.
 */
public interface VectorKernels extends Plugin {
    /** The multiplier of MinHash function {@code i} is {@code MINHASH_MULTIPLIER * (2i + 1)}, an odd number. */
    int MINHASH_MULTIPLIER = 0x9E37_79B9;
    /** The increment of MinHash function {@code i} is {@code MINHASH_INCREMENT * (i + 1)}. */
    int MINHASH_INCREMENT = 0x7F4A_7C15;

    /** {@return higher wins when several are available; plain Java is 0, the Vector API 10, native 20} */
    int priority();

    /** {@return whether this implementation can run in this JVM on this machine} */
    boolean available();

    /**
     * {@return one line for logs: what this implementation runs on (such as the SIMD tier), or why it is not available
     *         and how to enable it}
     */
    String describe();

    /**
     * {@return the dot product {@code Σ a[i]·b[i]}}
     *
     * @param a the first vector, at least {@code dims} floats
     * @param b the second vector, at least {@code dims} floats
     * @param dims the number of floats to use; at least 1
     * @throws IllegalArgumentException if {@code dims} is below 1 or a segment holds fewer than {@code dims} floats
     */
    float dot(MemorySegment a, MemorySegment b, int dims);

    /**
     * {@return the cosine similarity {@code a·b / sqrt(|a|²·|b|²)}, in -1 to 1; 0 when either vector is all zeros}
     *
     * @param a the first vector, at least {@code dims} floats
     * @param b the second vector, at least {@code dims} floats
     * @param dims the number of floats to use; at least 1
     * @throws IllegalArgumentException if {@code dims} is below 1 or a segment holds fewer than {@code dims} floats
     */
    float cosine(MemorySegment a, MemorySegment b, int dims);

    /**
     * {@return the squared Euclidean distance {@code Σ (a[i]-b[i])²}}
     *
     * @param a the first vector, at least {@code dims} floats
     * @param b the second vector, at least {@code dims} floats
     * @param dims the number of floats to use; at least 1
     * @throws IllegalArgumentException if {@code dims} is below 1 or a segment holds fewer than {@code dims} floats
     */
    float squaredDistance(MemorySegment a, MemorySegment b, int dims);

    /**
     * {@return the Hamming distance: the number of bits in which {@code a} and {@code b} differ}
     *
     * @param a the first bit string, at least {@code words} 64-bit words
     * @param b the second bit string, at least {@code words} 64-bit words
     * @param words the number of 64-bit words to compare; at least 1
     * @throws IllegalArgumentException if {@code words} is below 1 or a segment holds fewer than {@code words} words
     */
    long hamming(MemorySegment a, MemorySegment b, int words);

    /**
     * Scores one query against every row: {@code out[r] = dot(query, rows.row(r))}.
     *
     * @param query the query, at least {@code rows.dims()} floats
     * @param rows the rows to score
     * @param out receives {@code rows.rows()} floats, in row order
     * @throws IllegalArgumentException if {@code query} or {@code out} is too small
     */
    void scores(MemorySegment query, VectorStore rows, MemorySegment out);

    /**
     * The matrix of dot products between every row of {@code a} and every row of {@code b}, computed in cache-sized
     * blocks: {@code out[i * b.rows() + j] = dot(a.row(i), b.row(j))}. {@code matrix(s, s, out)} is the pairwise
     * similarity matrix of {@code s} (cosine similarities when the rows have unit length); pass
     * {@link VectorStore#slice slices} of {@code a} to compute it in bands, on several threads.
     *
     * @param a the rows of the matrix
     * @param b the columns of the matrix; the same {@code dims} as {@code a}
     * @param out receives {@code a.rows() * b.rows()} floats, row-major
     * @throws IllegalArgumentException if the stores differ in {@code dims} or {@code out} is too small
     */
    void matrix(VectorStore a, VectorStore b, MemorySegment out);

    /**
     * MinHash signatures of a batch of documents, each a set of 32-bit token hashes. Function {@code i} hashes a token
     * {@code x} to {@link #minHashOf minHashOf(x, i)}; the signature of a document is, for each function, the least
     * hash (as a signed int) over its tokens, or {@link Integer#MAX_VALUE} for a document without tokens. The same in
     * every implementation, bit for bit.
     *
     * @param tokens the token hashes of all documents, one after the other
     * @param ends where each document's tokens end: document {@code d} holds {@code tokens[ends[d-1]..ends[d])} (from
     *        0 for the first); non-decreasing, the last at most {@code tokens.length}
     * @param hashes the number of hash functions, the length of one signature; at least 1
     * @param signatures receives {@code ends.length * hashes} ints: document {@code d}'s signature starts at
     *        {@code d * hashes}
     * @throws IllegalArgumentException if {@code hashes} is below 1, {@code ends} decreases or runs past
     *         {@code tokens}, or {@code signatures} is too small
     */
    void minHash(int[] tokens, int[] ends, int hashes, int[] signatures);

    /**
     * The best {@code k} rows for a query by dot product: {@link #scores} in chunks, keeping the {@code k} highest.
     * Implementations may override it with a faster form that returns the same.
     *
     * @param query the query, at least {@code rows.dims()} floats
     * @param rows the rows to score
     * @param k how many rows to return; at least 1
     * @param outRows receives the indices of the best rows, best first (ties: the lower index first); at least
     *        {@code min(k, rows.rows())} long
     * @param outScores receives their scores, in the same order; as long as needed for {@code outRows}
     * @return the number of rows returned, {@code min(k, rows.rows())}
     * @throws IllegalArgumentException if {@code k} is below 1, an output array is too small or {@code query} is too
     *         small
     */
    default int topK(MemorySegment query, VectorStore rows, int k, int[] outRows, float[] outScores) {
        int n = VectorChecks.topK(query, rows, k, outRows, outScores);
        TopK best = new TopK(n);
        int chunk = Math.min(rows.rows(), 4096);
        float[] scratch = new float[Math.max(1, chunk)];
        MemorySegment out = MemorySegment.ofArray(scratch);
        for (int from = 0; from < rows.rows(); from += chunk) {
            int to = Math.min(rows.rows(), from + chunk);
            scores(query, rows.slice(from, to), out);
            best.offer(scratch, from, to - from);
        }
        return best.drainInto(outRows, outScores);
    }

    /**
     * The cosine from its three sums, as every implementation finishes {@link #cosine}.
     *
     * @param ab {@code Σ a[i]·b[i]}
     * @param aa {@code Σ a[i]²}
     * @param bb {@code Σ b[i]²}
     * @return {@code ab / sqrt(aa·bb)} (the root taken in double precision), or 0 when {@code aa·bb} is 0
     */
    static float cosineOf(double ab, double aa, double bb) {
        double norms = aa * bb;
        return norms == 0 ? 0 : (float) (ab / Math.sqrt(norms));
    }

    /**
     * MinHash function {@code function}: {@code fmix32(token * (MINHASH_MULTIPLIER * (2·function + 1)) +
     * MINHASH_INCREMENT * (function + 1))} in 32-bit arithmetic, where {@code fmix32} is MurmurHash3's finaliser.
     *
     * @param token a token hash
     * @param function which function, from 0
     * @return the hash
     */
    static int minHashOf(int token, int function) {
        int h = token * (MINHASH_MULTIPLIER * (2 * function + 1)) + MINHASH_INCREMENT * (function + 1);
        h ^= h >>> 16;
        h *= 0x85EB_CA6B;
        h ^= h >>> 13;
        h *= 0xC2B2_AE35;
        return h ^ h >>> 16;
    }
}
