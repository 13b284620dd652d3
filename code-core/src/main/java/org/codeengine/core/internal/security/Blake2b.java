package org.codeengine.core.internal.security;

import java.util.Arrays;

/**
 * BLAKE2b without a key (RFC 7693), the hash Argon2 is built on; the JDK has none. One instance hashes one message,
 * given in any number of {@link #update} calls, into 1 to 64 bytes.
 */
final class Blake2b {
    static final int MAX_LENGTH = 64;
    private static final int BLOCK = 128;
    private static final long[] IV = {0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL, 0x3c6ef372fe94f82bL,
            0xa54ff53a5f1d36f1L, 0x510e527fade682d1L, 0x9b05688c2b3e6c1fL, 0x1f83d9abfb41bd6bL, 0x5be0cd19137e2179L};
    /** The message schedule of the ten distinct rounds; rounds 11 and 12 repeat the first two. */
    private static final byte[][] SIGMA = {
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
            {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
            {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
            {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
            {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
            {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
            {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
            {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
            {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
            {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0}};

    private final long[] h = new long[8];
    private final long[] v = new long[16];
    private final long[] m = new long[16];
    private final byte[] buffer = new byte[BLOCK];
    private final int length;
    private int buffered;
    private long counter;

    /** @param length the digest's length in bytes, 1 to 64 */
    Blake2b(int length) {
        if (length < 1 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("length must be 1 to 64 bytes but was " + length);
        }
        this.length = length;
        System.arraycopy(IV, 0, h, 0, 8);
        h[0] ^= 0x01010000L ^ length;
    }

    Blake2b update(byte[] data) {
        return update(data, 0, data.length);
    }

    Blake2b update(byte[] data, int offset, int count) {
        int from = offset;
        int left = count;
        while (left > 0) {
            if (buffered == BLOCK) { // the last block is kept back: it is compressed differently
                counter += BLOCK;
                compress(buffer, 0, false);
                buffered = 0;
            }
            int n = Math.min(left, BLOCK - buffered);
            System.arraycopy(data, from, buffer, buffered, n);
            buffered += n;
            from += n;
            left -= n;
        }
        return this;
    }

    /** Appends a 32-bit integer, little-endian, as Argon2 writes its lengths and parameters. */
    Blake2b update(int value) {
        return update(new byte[]{(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
    }

    /** Writes the digest into {@code out} at {@code offset}; the instance is spent after. */
    void digest(byte[] out, int offset) {
        counter += buffered;
        Arrays.fill(buffer, buffered, BLOCK, (byte) 0);
        compress(buffer, 0, true);
        for (int i = 0; i < length; i++) {
            out[offset + i] = (byte) (h[i >>> 3] >>> (8 * (i & 7)));
        }
        Arrays.fill(buffer, (byte) 0);
    }

    byte[] digest() {
        byte[] out = new byte[length];
        digest(out, 0);
        return out;
    }

    private void compress(byte[] block, int offset, boolean last) {
        for (int i = 0; i < 16; i++) {
            m[i] = Argon2id.longAt(block, offset + 8 * i);
        }
        System.arraycopy(h, 0, v, 0, 8);
        System.arraycopy(IV, 0, v, 8, 8);
        v[12] ^= counter; // the counter's high word stays 0: messages here are far below 2^64 bytes
        if (last) {
            v[14] = ~v[14];
        }
        for (byte[] s : SIGMA) {
            round(s);
        }
        round(SIGMA[0]);
        round(SIGMA[1]);
        for (int i = 0; i < 8; i++) {
            h[i] ^= v[i] ^ v[i + 8];
        }
    }

    private void round(byte[] s) {
        g(0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }

    private void g(int a, int b, int c, int d, long x, long y) {
        v[a] += v[b] + x;
        v[d] = Long.rotateRight(v[d] ^ v[a], 32);
        v[c] += v[d];
        v[b] = Long.rotateRight(v[b] ^ v[c], 24);
        v[a] += v[b] + y;
        v[d] = Long.rotateRight(v[d] ^ v[a], 16);
        v[c] += v[d];
        v[b] = Long.rotateRight(v[b] ^ v[c], 63);
    }
}
