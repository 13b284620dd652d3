package org.codeengine.plugin.nativekernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The downcall handles, made once when this class is first used: the library is loaded, the CPU's best tier read
 * from CPUID, lowered by {@value NativeKernels#TIER_PROPERTY} if set, and every kernel of that tier bound. Static
 * final handles are constants to the JIT, which then inlines the call. Critical handles accept heap segments and skip
 * the thread's state change; {@link NativeKernels} keeps each of their calls short.
 */
final class Downcalls {
    /** The best tier the CPU runs. */
    static final Tier CPU;
    /** The tier bound. */
    static final Tier TIER;
    /** Why that tier, for {@link NativeKernels#describe()}. */
    static final String WHY;

    static final MethodHandle NOP;
    static final MethodHandle DOT;
    static final MethodHandle COSINE;
    static final MethodHandle DISTANCE;
    static final MethodHandle HAMMING;
    static final MethodHandle SCORES;
    static final MethodHandle SCORES_LONG;
    static final MethodHandle MATRIX;
    static final MethodHandle MINHASH;

    private static final ValueLayout A = ValueLayout.ADDRESS;
    private static final ValueLayout I = ValueLayout.JAVA_INT;
    private static final ValueLayout J = ValueLayout.JAVA_LONG;
    private static final ValueLayout F = ValueLayout.JAVA_FLOAT;

    static {
        SymbolLookup library;
        try {
            library = NativeLibrary.load();
        } catch (IOException e) {
            throw new UncheckedIOException("the native library cannot be loaded: " + e.getMessage(), e);
        }
        try {
            CPU = Tier.values()[(int) plain(library, "ce_cpu_tier", FunctionDescriptor.of(I)).invokeExact()];
        } catch (Throwable e) {
            throw new IllegalStateException("ce_cpu_tier failed", e);
        }
        String forced = System.getProperty(NativeKernels.TIER_PROPERTY);
        if (forced == null || forced.isBlank()) {
            TIER = CPU;
            WHY = "the best this CPU runs (CPUID)";
        } else if (Tier.parse(forced).compareTo(CPU) <= 0) {
            TIER = Tier.parse(forced);
            WHY = "forced by " + NativeKernels.TIER_PROPERTY + "=" + forced + "; the CPU runs up to " + CPU.suffix();
        } else {
            TIER = CPU;
            WHY = NativeKernels.TIER_PROPERTY + "=" + forced + " asks more than this CPU runs; using " + CPU
                    .suffix();
        }
        NOP = critical(library, "ce_nop", FunctionDescriptor.ofVoid());
        FunctionDescriptor pair = FunctionDescriptor.of(F, A, A, I);
        DOT = critical(library, "ce_dot_" + TIER.suffix(), pair);
        COSINE = critical(library, "ce_cosine_" + TIER.suffix(), pair);
        DISTANCE = critical(library, "ce_distance_" + TIER.suffix(), pair);
        HAMMING = critical(library, "ce_hamming_" + TIER.suffix(), FunctionDescriptor.of(J, A, A, I));
        FunctionDescriptor scores = FunctionDescriptor.ofVoid(A, A, J, I, I, A);
        SCORES = critical(library, "ce_scores_" + TIER.suffix(), scores);
        SCORES_LONG = plain(library, "ce_scores_" + TIER.suffix(), scores);
        MATRIX = plain(library, "ce_matrix_" + TIER.suffix(), FunctionDescriptor.ofVoid(A, A, J, I, I, I, A));
        MINHASH = critical(library, "ce_minhash_" + TIER.suffix(), FunctionDescriptor.ofVoid(A, A, I, I, I, I, I,
                A));
    }

    private Downcalls() {}

    @SuppressWarnings("restricted") // native access is checked by NativeKernels before this class loads
    private static MethodHandle critical(SymbolLookup library, String name, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(library.findOrThrow(name), descriptor, Linker.Option.critical(
                true));
    }

    @SuppressWarnings("restricted")
    private static MethodHandle plain(SymbolLookup library, String name, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(library.findOrThrow(name), descriptor);
    }
}
