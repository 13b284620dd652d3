package org.codeengine.plugin.nativekernels;

import java.util.Arrays;
import java.util.Locale;

/** The SIMD code paths compiled into the library, lowest first; each exported name ends with its suffix. */
enum Tier {
    /** The baseline of the architecture: SSE2 on x86-64, NEON on arm64; 4 floats per vector. */
    PORTABLE,
    /** AVX2 and FMA (x86-64-v3): 8 floats per vector. */
    AVX2,
    /** AVX-512 F, BW, DQ and VL (x86-64-v4): 16 floats per vector. */
    AVX512;

    /** {@return the suffix of the tier's symbols} */
    String suffix() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@return the tier}
     *
     * @param value a tier's suffix, as the system property gives it
     * @throws IllegalArgumentException naming the property and the allowed values if there is no such tier
     */
    static Tier parse(String value) {
        for (Tier tier : values()) {
            if (tier.suffix().equals(value.strip().toLowerCase(Locale.ROOT))) {
                return tier;
            }
        }
        throw new IllegalArgumentException(NativeKernels.TIER_PROPERTY + " must be one of " + Arrays.stream(values())
                .map(Tier::suffix).toList() + " but was '" + value + "'");
    }
}
