package org.codeengine.core.internal.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Merkle tree of RFC 6962 / RFC 9162 over SHA-256: leaf hash {@code H(0x00 || entry)}, node hash
 * {@code H(0x01 || left || right)}, the split at the largest power of two below the size. Audit proofs show one entry
 * is in a tree of a given size; consistency proofs show a smaller tree is a prefix of a larger one. Verification needs
 * only the proof, the hashes and the sizes, never the log.
 */
public final class Merkle {
    private Merkle() {}

    public static byte[] leafHash(byte[] entry) {
        MessageDigest sha = sha256();
        sha.update((byte) 0);
        sha.update(entry);
        return sha.digest();
    }

    static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest sha = sha256();
        sha.update((byte) 1);
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }

    /** {@return the root of the tree over the first {@code size} leaf hashes; SHA-256 of nothing for none} */
    public static byte[] root(List<byte[]> leaves, int size) {
        return size == 0 ? sha256().digest() : subtree(leaves, 0, size);
    }

    private static byte[] subtree(List<byte[]> leaves, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return leaves.get(from);
        }
        int k = split(n);
        return nodeHash(subtree(leaves, from, from + k), subtree(leaves, from + k, to));
    }

    /**
     * The right edge of a growing tree: the roots of its perfect subtrees, largest first, one for each bit of its size.
     * Adding a leaf and computing the root each take O(log n), where {@link #root(List, int)} takes O(n), so that a log
     * signing a checkpoint every so many entries does work that does not grow with its history. Not thread-safe.
     */
    public static final class Frontier {
        private final List<byte[]> roots = new ArrayList<>();
        private long size;

        /** {@return how many leaves the tree has} */
        public long size() {
            return size;
        }

        /** Adds the next leaf hash. */
        public void add(byte[] leafHash) {
            roots.add(copy(leafHash));
            size++;
            for (long s = size; (s & 1) == 0; s >>= 1) { // two perfect subtrees of one size make the next one up
                byte[] right = roots.removeLast();
                byte[] left = roots.removeLast();
                roots.add(nodeHash(left, right));
            }
        }

        /** {@return the root of the tree, the same as {@link Merkle#root(List, int)} over the leaves added} */
        public byte[] root() {
            if (roots.isEmpty()) {
                return sha256().digest();
            }
            byte[] root = roots.getLast();
            for (int i = roots.size() - 2; i >= 0; i--) {
                root = nodeHash(roots.get(i), root);
            }
            return root;
        }
    }

    /** The largest power of two smaller than {@code n}, for {@code n > 1}. */
    private static int split(int n) {
        return Integer.highestOneBit(n - 1);
    }

    /** {@return the audit path of leaf {@code index} (from 0) in the tree of the first {@code size} leaves} */
    public static List<byte[]> inclusionProof(List<byte[]> leaves, int index, int size) {
        if (index < 0 || index >= size || size > leaves.size()) {
            throw new IllegalArgumentException("index must be in [0, size) and size at most " + leaves.size()
                    + " but were " + index + " and " + size);
        }
        List<byte[]> proof = new ArrayList<>();
        path(leaves, index, 0, size, proof);
        return proof;
    }

    private static void path(List<byte[]> leaves, int index, int from, int to, List<byte[]> proof) {
        int n = to - from;
        if (n == 1) {
            return;
        }
        int k = split(n);
        if (index - from < k) {
            path(leaves, index, from, from + k, proof);
            proof.add(subtree(leaves, from + k, to));
        } else {
            path(leaves, index, from + k, to, proof);
            proof.add(subtree(leaves, from, from + k));
        }
    }

    /** {@return the proof that the tree of the first {@code m} leaves is a prefix of the tree of the first {@code n}} */
    public static List<byte[]> consistencyProof(List<byte[]> leaves, int m, int n) {
        if (m < 1 || m > n || n > leaves.size()) {
            throw new IllegalArgumentException("sizes must satisfy 1 <= m <= n <= " + leaves.size() + " but were " + m
                    + " and " + n);
        }
        List<byte[]> proof = new ArrayList<>();
        subproof(leaves, m, 0, n, true, proof);
        return proof;
    }

    private static void subproof(List<byte[]> leaves, int m, int from, int to, boolean complete, List<byte[]> proof) {
        int n = to - from;
        if (m == n) {
            if (!complete) {
                proof.add(subtree(leaves, from, to));
            }
            return;
        }
        int k = split(n);
        if (m <= k) {
            subproof(leaves, m, from, from + k, complete, proof);
            proof.add(subtree(leaves, from + k, to));
        } else {
            subproof(leaves, m - k, from + k, to, false, proof);
            proof.add(subtree(leaves, from, from + k));
        }
    }

    /** RFC 9162 section 2.1.3.2. */
    public static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /** RFC 9162 section 2.1.4.2. */
    public static boolean verifyConsistency(long m, long n, byte[] firstRoot, byte[] secondRoot, List<byte[]> proof) {
        if (m < 1 || m > n) {
            return false;
        }
        if (m == n) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, secondRoot);
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (path.isEmpty()) {
            return false;
        }
        if (Long.bitCount(m) == 1) { // m is a power of two: the first root starts the path
            path.addFirst(firstRoot);
        }
        long fn = m - 1;
        long sn = n - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.getFirst();
        byte[] sr = path.getFirst();
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstRoot) && MessageDigest.isEqual(sr, secondRoot);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    static byte[] copy(byte[] bytes) {
        return Arrays.copyOf(bytes, bytes.length);
    }
}
