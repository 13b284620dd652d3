package org.codeengine.core.internal.experts;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.experts.Cluster;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;
import org.codeengine.api.spi.VectorKernels;

/**
 * Consensus for free text: the answers are embedded ({@link Embeddings}), answers whose cosine similarity reaches the
 * threshold are linked into clusters, the heaviest cluster wins, and its medoid (the answer most similar to the rest
 * of its cluster) is the answer. The similarities are computed by the best {@link VectorKernels} available.
 */
public final class MedoidStrategy implements ConsensusStrategy {
    private final VectorKernels kernels;
    private final float threshold;

    /**
     * @param kernels computes the dot products
     * @param threshold the cosine similarity at which two answers count as the same, 0 to 1
     */
    public MedoidStrategy(VectorKernels kernels, float threshold) {
        this.kernels = kernels;
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "medoid";
    }

    @Override
    public Verdict decide(List<Vote> votes, Reliability reliability) {
        List<Integer> answering = new ArrayList<>(votes.size());
        for (int i = 0; i < votes.size(); i++) {
            if (votes.get(i).answer() != null) {
                answering.add(i);
            }
        }
        int n = answering.size();
        if (n == 0) {
            return new Verdict(null, 0, List.of());
        }
        float[] flat = new float[n * Embeddings.DIMS];
        for (int a = 0; a < n; a++) {
            Embeddings.embed(votes.get(answering.get(a)).answer(), flat, a * Embeddings.DIMS);
        }
        MemorySegment all = MemorySegment.ofArray(flat);
        long bytes = (long) Embeddings.DIMS * Float.BYTES;
        float[][] sim = new float[n][n];
        int[] root = new int[n];
        for (int a = 0; a < n; a++) {
            root[a] = a;
            sim[a][a] = 1;
            MemorySegment va = all.asSlice(a * bytes, bytes);
            for (int b = 0; b < a; b++) {
                float s = kernels.dot(va, all.asSlice(b * bytes, bytes), Embeddings.DIMS);
                sim[a][b] = s;
                sim[b][a] = s;
                if (s >= threshold) {
                    root[find(root, a)] = find(root, b);
                }
            }
        }
        double total = 0;
        double[] weightOf = new double[n];
        for (int a = 0; a < n; a++) {
            double w = votes.get(answering.get(a)).weight();
            weightOf[find(root, a)] += w;
            total += w;
        }
        List<Cluster> clusters = new ArrayList<>();
        int bestRoot = -1;
        for (int r = 0; r < n; r++) {
            if (find(root, r) != r) {
                continue;
            }
            if (bestRoot < 0 || weightOf[r] > weightOf[bestRoot] + 1e-12) {
                bestRoot = r;
            }
        }
        double cohesion = 0;
        for (int r = 0; r < n; r++) {
            if (find(root, r) != r) {
                continue;
            }
            int medoid = -1;
            double bestSum = Double.NEGATIVE_INFINITY;
            List<String> experts = new ArrayList<>();
            int members = 0;
            double sumAll = 0;
            for (int a = 0; a < n; a++) {
                if (find(root, a) != r) {
                    continue;
                }
                experts.add(votes.get(answering.get(a)).expert());
                members++;
                double sum = 0;
                for (int b = 0; b < n; b++) {
                    if (find(root, b) == r) {
                        sum += sim[a][b];
                    }
                }
                sumAll += sum;
                if (sum > bestSum) {
                    bestSum = sum;
                    medoid = a;
                }
            }
            Cluster cluster = new Cluster(votes.get(answering.get(medoid)).answer(), experts, Math.min(1, weightOf[r]
                    / total));
            if (r == bestRoot) {
                clusters.addFirst(cluster);
                cohesion = sumAll / ((double) members * members);
            } else {
                clusters.add(cluster);
            }
        }
        if (clusters.size() > 2) {
            clusters.subList(1, clusters.size()).sort((x, y) -> Double.compare(y.weight(), x.weight()));
        }
        double confidence = clusters.getFirst().weight() * Math.clamp(cohesion, 0, 1);
        return new Verdict(clusters.getFirst().answer(), Math.clamp(confidence, 0, 1), clusters);
    }

    private static int find(int[] root, int a) {
        while (root[a] != a) {
            root[a] = root[root[a]];
            a = root[a];
        }
        return a;
    }
}
