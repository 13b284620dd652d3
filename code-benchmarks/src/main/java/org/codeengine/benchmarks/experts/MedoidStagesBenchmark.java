package org.codeengine.benchmarks.experts;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.benchmarks.kernels.Kernels;
import org.codeengine.core.internal.experts.Answers;
import org.codeengine.core.internal.experts.Embeddings;
import org.codeengine.core.internal.experts.MedoidStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the time of {@link ConsensusBenchmark}'s {@code medoid} case goes, stage by stage, on the same replies (8
 * questions, taken in turn):
 *
 * <ul>
 * <li>{@code extract}: text extraction ({@link Answers#text}) of every reply;
 * <li>{@code embed}: {@link Embeddings#embed} of every extracted answer;
 * <li>{@code similarity}: every pairwise dot product of the embedded answers, as {@link MedoidStrategy} computes
 * them, with the kernels {@code impl} names: plain Java, Vector API or native (the engine picks the best available);
 * <li>{@code decide}: {@link MedoidStrategy#decide} on votes already extracted: embed, similarity, link, medoid.
 * </ul>
 *
 * Average time per stage over all replies of one question, one thread. No target of its own: it serves the 20 µs
 * target of {@link ConsensusBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Threads(1)
public class MedoidStagesBenchmark {
    @Param({"5", "64"})
    int replies;

    @Param({"java", "vector", "native"})
    String impl;

    List<List<String>> texts;
    List<List<String>> answers;
    List<List<Vote>> votes;
    List<MemorySegment> vectors;
    float[] scratch;
    MedoidStrategy medoid;
    VectorKernels kernels;
    int next;

    @Setup
    public void setUp() {
        Random random = new Random(20_25);
        kernels = Kernels.byName(impl);
        medoid = new MedoidStrategy(kernels, 0.8f);
        scratch = new float[Embeddings.DIMS];
        texts = new ArrayList<>();
        answers = new ArrayList<>();
        votes = new ArrayList<>();
        vectors = new ArrayList<>();
        for (int q = 0; q < ConsensusBenchmark.QUESTIONS; q++) {
            List<String> batch = Replies.freeText(random, replies, replies <= 8 ? 2 : 5).texts();
            List<String> extracted = batch.stream().map(Answers::text).toList();
            List<Vote> ballot = new ArrayList<>();
            float[] flat = new float[replies * Embeddings.DIMS];
            for (int i = 0; i < replies; i++) {
                ballot.add(new Vote("bench/model-" + i, "bench", extracted.get(i), batch.get(i), 1));
                Embeddings.embed(extracted.get(i), scratch);
                System.arraycopy(scratch, 0, flat, i * Embeddings.DIMS, Embeddings.DIMS);
            }
            texts.add(batch);
            answers.add(extracted);
            votes.add(ballot);
            vectors.add(MemorySegment.ofArray(flat));
        }
    }

    private int question() {
        int q = next;
        next = (next + 1) % ConsensusBenchmark.QUESTIONS;
        return q;
    }

    @Benchmark
    public int extract() {
        int length = 0;
        for (String text : texts.get(question())) {
            length += Answers.text(text).length();
        }
        return length;
    }

    @Benchmark
    public float embed() {
        float sum = 0;
        for (String answer : answers.get(question())) {
            Embeddings.embed(answer, scratch);
            sum += scratch[0];
        }
        return sum;
    }

    @Benchmark
    public float similarity() {
        MemorySegment all = vectors.get(question());
        long bytes = (long) Embeddings.DIMS * Float.BYTES;
        MemorySegment[] v = new MemorySegment[replies];
        for (int a = 0; a < replies; a++) {
            v[a] = all.asSlice(a * bytes, bytes);
        }
        float sum = 0;
        for (int a = 0; a < replies; a++) {
            for (int b = 0; b < a; b++) {
                sum += kernels.dot(v[a], v[b], Embeddings.DIMS);
            }
        }
        return sum;
    }

    @Benchmark
    public Verdict decide() {
        return medoid.decide(votes.get(question()), Reliability.none());
    }
}
