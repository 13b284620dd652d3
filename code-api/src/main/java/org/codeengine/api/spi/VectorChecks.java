package org.codeengine.api.spi;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The argument checks of {@link VectorKernels}, for its implementations to call first, so every implementation
 * rejects the same input with the same message naming the argument and the rule.
 */
public final class VectorChecks {
    private VectorChecks() {}

    /**
     * Checks the arguments of a kernel over two vectors of {@code dims} floats.
     *
     * @param a the first vector
     * @param b the second vector
     * @param dims the floats to use
     * @throws IllegalArgumentException if {@code dims} is below 1 or a segment holds fewer than {@code dims} floats
     */
    public static void pair(MemorySegment a, MemorySegment b, int dims) {
        positive(dims, "dims");
        holds(a, "a", dims, Float.BYTES, "floats");
        holds(b, "b", dims, Float.BYTES, "floats");
    }

    /**
     * Checks the arguments of a kernel over two bit strings of {@code words} 64-bit words.
     *
     * @param a the first bit string
     * @param b the second bit string
     * @param words the 64-bit words to use
     * @throws IllegalArgumentException if {@code words} is below 1 or a segment holds fewer than {@code words} words
     */
    public static void words(MemorySegment a, MemorySegment b, int words) {
        positive(words, "words");
        holds(a, "a", words, Long.BYTES, "64-bit words");
        holds(b, "b", words, Long.BYTES, "64-bit words");
    }

    /**
     * Checks the arguments of a kernel that scores every row against the query.
     *
     * @param query the query
     * @param rows the rows
     * @param out the scores
     * @throws IllegalArgumentException if {@code query} holds fewer than {@code rows.dims()} floats or {@code out}
     *         fewer than {@code rows.rows()}
     */
    public static void scores(MemorySegment query, VectorStore rows, MemorySegment out) {
        Objects.requireNonNull(rows, "rows must not be null");
        holds(query, "query", rows.dims(), Float.BYTES, "floats (rows.dims())");
        holds(out, "out", rows.rows(), Float.BYTES, "floats (rows.rows())");
    }

    /**
     * Checks the arguments of a kernel that scores every row of {@code a} against every row of {@code b}.
     *
     * @param a the rows of the matrix
     * @param b its columns
     * @param out the matrix
     * @throws IllegalArgumentException if the stores differ in {@code dims} or {@code out} holds fewer than
     *         {@code a.rows() * b.rows()} floats
     */
    public static void matrix(VectorStore a, VectorStore b, MemorySegment out) {
        Objects.requireNonNull(a, "a must not be null");
        Objects.requireNonNull(b, "b must not be null");
        if (a.dims() != b.dims()) {
            throw new IllegalArgumentException("b.dims() must equal a.dims() = " + a.dims() + " but is " + b.dims());
        }
        holds(out, "out", (long) a.rows() * b.rows(), Float.BYTES, "floats (a.rows() * b.rows())");
    }

    /**
     * {@return {@code min(k, rows.rows())}}
     *
     * @param query the query
     * @param rows the rows
     * @param k how many to return
     * @param outRows receives the rows
     * @param outScores receives the scores
     * @throws IllegalArgumentException if {@code k} is below 1, an output array is shorter than the result or
     *         {@code query} holds fewer than {@code rows.dims()} floats
     */
    public static int topK(MemorySegment query, VectorStore rows, int k, int[] outRows, float[] outScores) {
        Objects.requireNonNull(rows, "rows must not be null");
        positive(k, "k");
        holds(query, "query", rows.dims(), Float.BYTES, "floats (rows.dims())");
        int n = Math.min(k, rows.rows());
        if (outRows.length < n || outScores.length < n) {
            throw new IllegalArgumentException("outRows and outScores must hold min(k, rows.rows()) = " + n
                    + " values but hold " + outRows.length + " and " + outScores.length);
        }
        return n;
    }

    /**
     * Checks the arguments of the MinHash signature kernel.
     *
     * @param tokens the token hashes
     * @param ends where each document ends
     * @param hashes the signature length
     * @param signatures the signatures
     * @throws IllegalArgumentException if {@code hashes} is below 1, {@code ends} decreases, is negative or runs past
     *         {@code tokens}, or {@code signatures} holds fewer than {@code ends.length * hashes} ints
     */
    public static void minHash(int[] tokens, int[] ends, int hashes, int[] signatures) {
        Objects.requireNonNull(tokens, "tokens must not be null");
        positive(hashes, "hashes");
        int previous = 0;
        for (int d = 0; d < ends.length; d++) {
            if (ends[d] < previous || ends[d] > tokens.length) {
                throw new IllegalArgumentException("ends must be non-decreasing from 0 and at most tokens.length = "
                        + tokens.length + " but ends[" + d + "] = " + ends[d] + " follows " + previous);
            }
            previous = ends[d];
        }
        long needed = (long) ends.length * hashes;
        if (signatures.length < needed) {
            throw new IllegalArgumentException("signatures must hold ends.length * hashes = " + needed
                    + " ints but holds " + signatures.length);
        }
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1 but was " + value);
        }
    }

    private static void holds(MemorySegment segment, String name, long count, int size, String unit) {
        Objects.requireNonNull(segment, () -> name + " must not be null");
        if (segment.byteSize() < count * size) {
            throw new IllegalArgumentException(name + " must hold at least " + count + " " + unit + " (" + count
                    * size + " bytes) but holds " + segment.byteSize() + " bytes");
        }
    }
}
