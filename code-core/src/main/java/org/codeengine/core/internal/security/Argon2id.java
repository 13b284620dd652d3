package org.codeengine.core.internal.security;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Argon2id, version 1.3 (RFC 9106), on the JDK alone: the JDK has no memory-hard password hash. Lanes are filled one
 * after another, as the RFC allows; the result does not depend on it. Instances are not shared: one fills one hash.
 */
final class Argon2id {
    private static final int VERSION = 0x13;
    private static final int TYPE = 2; // Argon2id
    private static final int WORDS = 128; // 64-bit words in a 1 KiB block
    private static final int SLICES = 4;
    /** Where P finds its 16 words in a block: a row of eight 16-byte registers, or a column of them. */
    private static final int[] ROW = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final int[] COLUMN = {0, 1, 16, 17, 32, 33, 48, 49, 64, 65, 80, 81, 96, 97, 112, 113};

    private final int lanes;
    private final int passes;
    private final int blocks;
    private final int laneLength;
    private final int segmentLength;
    private final long[] memory;
    private final long[] r = new long[WORDS];
    private final long[] t = new long[WORDS];
    private final long[] zero = new long[WORDS];
    private final long[] input = new long[WORDS];
    private final long[] addresses = new long[WORDS];

    private Argon2id(Passwords.Cost cost) {
        this.lanes = cost.parallelism();
        this.passes = cost.iterations();
        this.blocks = 4 * lanes * (Math.max(cost.memoryKiB(), 8 * lanes) / (4 * lanes));
        this.laneLength = blocks / lanes;
        this.segmentLength = laneLength / SLICES;
        this.memory = new long[Math.multiplyExact(blocks, WORDS)];
    }

    /**
     * @param password the password's bytes
     * @param salt the salt
     * @param secret an optional secret key (the RFC's K), or {@code null}
     * @param associated optional associated data (the RFC's X), or {@code null}
     * @param cost memory in KiB, passes and lanes
     * @param length the tag's length in bytes, at least 4
     * @return the tag
     */
    static byte[] hash(byte[] password, byte[] salt, byte @Nullable [] secret, byte @Nullable [] associated,
            Passwords.Cost cost, int length) {
        if (length < 4) {
            throw new IllegalArgumentException("length must be at least 4 bytes but was " + length);
        }
        Argon2id a = new Argon2id(cost);
        byte[] k = secret == null ? new byte[0] : secret;
        byte[] x = associated == null ? new byte[0] : associated;
        byte[] h0 = new Blake2b(64).update(a.lanes).update(length).update(cost.memoryKiB()).update(a.passes)
                .update(VERSION).update(TYPE).update(password.length).update(password).update(salt.length)
                .update(salt).update(k.length).update(k).update(x.length).update(x).digest();
        try {
            a.fill(h0);
            return a.tag(length);
        } finally {
            Arrays.fill(h0, (byte) 0);
            Arrays.fill(a.memory, 0);
        }
    }

    private void fill(byte[] h0) {
        byte[] seed = Arrays.copyOf(h0, 72);
        byte[] block = new byte[8 * WORDS];
        for (int lane = 0; lane < lanes; lane++) {
            for (int i = 0; i < 2; i++) {
                putInt(seed, 64, i);
                putInt(seed, 68, lane);
                longHash(seed, block);
                int at = (lane * laneLength + i) * WORDS;
                for (int w = 0; w < WORDS; w++) {
                    memory[at + w] = longAt(block, 8 * w);
                }
            }
        }
        Arrays.fill(seed, (byte) 0);
        Arrays.fill(block, (byte) 0);
        for (int pass = 0; pass < passes; pass++) {
            for (int slice = 0; slice < SLICES; slice++) {
                for (int lane = 0; lane < lanes; lane++) {
                    segment(pass, slice, lane);
                }
            }
        }
    }

    private void segment(int pass, int slice, int lane) {
        boolean independent = pass == 0 && slice < SLICES / 2;
        if (independent) {
            Arrays.fill(input, 0);
            input[0] = pass;
            input[1] = lane;
            input[2] = slice;
            input[3] = blocks;
            input[4] = passes;
            input[5] = TYPE;
        }
        int start = 0;
        if (pass == 0 && slice == 0) {
            start = 2; // the first two blocks of each lane come from H0
            if (independent) {
                nextAddresses();
            }
        }
        int current = lane * laneLength + slice * segmentLength + start;
        int previous = current % laneLength == 0 ? current + laneLength - 1 : current - 1;
        for (int i = start; i < segmentLength; i++, current++, previous++) {
            if (current % laneLength == 1) {
                previous = current - 1;
            }
            long random;
            if (independent) {
                if (i % WORDS == 0) {
                    nextAddresses();
                }
                random = addresses[i % WORDS];
            } else {
                random = memory[previous * WORDS];
            }
            int refLane = pass == 0 && slice == 0 ? lane : (int) ((random >>> 32) % lanes);
            int refIndex = referenceIndex(pass, slice, i, random & 0xFFFFFFFFL, refLane == lane);
            compress(memory, previous * WORDS, memory, (refLane * laneLength + refIndex) * WORDS, memory, current
                    * WORDS, pass > 0);
        }
    }

    /** Maps a pseudo-random 32-bit value onto the blocks this one may reference (RFC 9106, section 3.4.1.2). */
    private int referenceIndex(int pass, int slice, int index, long random, boolean sameLane) {
        // Pass 0 may reference the finished slices, later passes the whole lane but this segment; in its own lane also
        // the blocks made so far in this segment but the previous one (an input anyway), and in another lane the first
        // block of a segment may not reference that lane's last finished block.
        long finished = pass == 0 ? (long) slice * segmentLength : laneLength - segmentLength;
        long area = sameLane ? finished + index - 1 : finished + (index == 0 ? -1 : 0);
        long x = (random * random) >>> 32;
        long relative = area - 1 - ((area * x) >>> 32);
        long startAt = pass == 0 || slice == SLICES - 1 ? 0 : (long) (slice + 1) * segmentLength;
        return (int) ((startAt + relative) % laneLength);
    }

    private void nextAddresses() {
        input[6]++;
        compress(zero, 0, input, 0, addresses, 0, false);
        compress(zero, 0, addresses, 0, addresses, 0, false);
    }

    /**
     * The compression function G: {@code out = P(x ^ y) ^ (x ^ y)}, XORed into what {@code out} held when
     * {@code xor} (passes after the first, version 1.3).
     */
    private void compress(long[] x, int xAt, long[] y, int yAt, long[] out, int outAt, boolean xor) {
        for (int i = 0; i < WORDS; i++) {
            r[i] = x[xAt + i] ^ y[yAt + i];
        }
        if (xor) {
            for (int i = 0; i < WORDS; i++) {
                t[i] = r[i] ^ out[outAt + i];
            }
        } else {
            System.arraycopy(r, 0, t, 0, WORDS);
        }
        for (int i = 0; i < 8; i++) {
            permute(r, 16 * i, ROW);
        }
        for (int i = 0; i < 8; i++) {
            permute(r, 2 * i, COLUMN);
        }
        for (int i = 0; i < WORDS; i++) {
            out[outAt + i] = t[i] ^ r[i];
        }
    }

    /**
     * The permutation P on the 16 words of {@code v} at {@code base + at[0..15]}: BLAKE2b's round with the products of
     * the low halves added (which makes Argon2 costly in hardware), on locals so that the words stay in registers.
     */
    private static void permute(long[] v, int base, int[] at) {
        long v0 = v[base + at[0]];
        long v1 = v[base + at[1]];
        long v2 = v[base + at[2]];
        long v3 = v[base + at[3]];
        long v4 = v[base + at[4]];
        long v5 = v[base + at[5]];
        long v6 = v[base + at[6]];
        long v7 = v[base + at[7]];
        long v8 = v[base + at[8]];
        long v9 = v[base + at[9]];
        long v10 = v[base + at[10]];
        long v11 = v[base + at[11]];
        long v12 = v[base + at[12]];
        long v13 = v[base + at[13]];
        long v14 = v[base + at[14]];
        long v15 = v[base + at[15]];
        v0 = fBlaMka(v0, v4);
        v12 = Long.rotateRight(v12 ^ v0, 32);
        v8 = fBlaMka(v8, v12);
        v4 = Long.rotateRight(v4 ^ v8, 24);
        v0 = fBlaMka(v0, v4);
        v12 = Long.rotateRight(v12 ^ v0, 16);
        v8 = fBlaMka(v8, v12);
        v4 = Long.rotateRight(v4 ^ v8, 63);
        v1 = fBlaMka(v1, v5);
        v13 = Long.rotateRight(v13 ^ v1, 32);
        v9 = fBlaMka(v9, v13);
        v5 = Long.rotateRight(v5 ^ v9, 24);
        v1 = fBlaMka(v1, v5);
        v13 = Long.rotateRight(v13 ^ v1, 16);
        v9 = fBlaMka(v9, v13);
        v5 = Long.rotateRight(v5 ^ v9, 63);
        v2 = fBlaMka(v2, v6);
        v14 = Long.rotateRight(v14 ^ v2, 32);
        v10 = fBlaMka(v10, v14);
        v6 = Long.rotateRight(v6 ^ v10, 24);
        v2 = fBlaMka(v2, v6);
        v14 = Long.rotateRight(v14 ^ v2, 16);
        v10 = fBlaMka(v10, v14);
        v6 = Long.rotateRight(v6 ^ v10, 63);
        v3 = fBlaMka(v3, v7);
        v15 = Long.rotateRight(v15 ^ v3, 32);
        v11 = fBlaMka(v11, v15);
        v7 = Long.rotateRight(v7 ^ v11, 24);
        v3 = fBlaMka(v3, v7);
        v15 = Long.rotateRight(v15 ^ v3, 16);
        v11 = fBlaMka(v11, v15);
        v7 = Long.rotateRight(v7 ^ v11, 63);
        v0 = fBlaMka(v0, v5);
        v15 = Long.rotateRight(v15 ^ v0, 32);
        v10 = fBlaMka(v10, v15);
        v5 = Long.rotateRight(v5 ^ v10, 24);
        v0 = fBlaMka(v0, v5);
        v15 = Long.rotateRight(v15 ^ v0, 16);
        v10 = fBlaMka(v10, v15);
        v5 = Long.rotateRight(v5 ^ v10, 63);
        v1 = fBlaMka(v1, v6);
        v12 = Long.rotateRight(v12 ^ v1, 32);
        v11 = fBlaMka(v11, v12);
        v6 = Long.rotateRight(v6 ^ v11, 24);
        v1 = fBlaMka(v1, v6);
        v12 = Long.rotateRight(v12 ^ v1, 16);
        v11 = fBlaMka(v11, v12);
        v6 = Long.rotateRight(v6 ^ v11, 63);
        v2 = fBlaMka(v2, v7);
        v13 = Long.rotateRight(v13 ^ v2, 32);
        v8 = fBlaMka(v8, v13);
        v7 = Long.rotateRight(v7 ^ v8, 24);
        v2 = fBlaMka(v2, v7);
        v13 = Long.rotateRight(v13 ^ v2, 16);
        v8 = fBlaMka(v8, v13);
        v7 = Long.rotateRight(v7 ^ v8, 63);
        v3 = fBlaMka(v3, v4);
        v14 = Long.rotateRight(v14 ^ v3, 32);
        v9 = fBlaMka(v9, v14);
        v4 = Long.rotateRight(v4 ^ v9, 24);
        v3 = fBlaMka(v3, v4);
        v14 = Long.rotateRight(v14 ^ v3, 16);
        v9 = fBlaMka(v9, v14);
        v4 = Long.rotateRight(v4 ^ v9, 63);
        v[base + at[0]] = v0;
        v[base + at[1]] = v1;
        v[base + at[2]] = v2;
        v[base + at[3]] = v3;
        v[base + at[4]] = v4;
        v[base + at[5]] = v5;
        v[base + at[6]] = v6;
        v[base + at[7]] = v7;
        v[base + at[8]] = v8;
        v[base + at[9]] = v9;
        v[base + at[10]] = v10;
        v[base + at[11]] = v11;
        v[base + at[12]] = v12;
        v[base + at[13]] = v13;
        v[base + at[14]] = v14;
        v[base + at[15]] = v15;
    }

    private static long fBlaMka(long x, long y) {
        return x + y + 2 * (x & 0xFFFFFFFFL) * (y & 0xFFFFFFFFL);
    }

    private byte[] tag(int length) {
        long[] last = new long[WORDS];
        for (int lane = 0; lane < lanes; lane++) {
            int at = (lane * laneLength + laneLength - 1) * WORDS;
            for (int w = 0; w < WORDS; w++) {
                last[w] ^= memory[at + w];
            }
        }
        byte[] block = new byte[8 * WORDS];
        for (int w = 0; w < WORDS; w++) {
            putLong(block, 8 * w, last[w]);
        }
        byte[] out = new byte[length];
        longHash(block, out);
        Arrays.fill(block, (byte) 0);
        return out;
    }

    /** H', the variable-length hash (RFC 9106, section 3.3): fills {@code out} from {@code in}. */
    private static void longHash(byte[] in, byte[] out) {
        if (out.length <= Blake2b.MAX_LENGTH) {
            new Blake2b(out.length).update(out.length).update(in).digest(out, 0);
            return;
        }
        byte[] v = new Blake2b(64).update(out.length).update(in).digest();
        int at = 0;
        while (out.length - at > 64) {
            System.arraycopy(v, 0, out, at, 32);
            at += 32;
            if (out.length - at > 64) {
                v = new Blake2b(64).update(v).digest();
            }
        }
        new Blake2b(out.length - at).update(v).digest(out, at);
    }

    static long longAt(byte[] b, int at) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = (value << 8) | (b[at + i] & 0xFF);
        }
        return value;
    }

    private static void putLong(byte[] b, int at, long value) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
    }

    private static void putInt(byte[] b, int at, int value) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
    }
}
