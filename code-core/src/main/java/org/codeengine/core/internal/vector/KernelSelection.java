package org.codeengine.core.internal.vector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.spi.VectorKernels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the engine's vector kernels once, when it is built: the one configuration names (which must be available),
 * else the available one with the highest priority (native 20 &gt; Vector API 10 &gt; plain Java 0), plain Java when
 * none is found. Logs one line saying which and why, with what each other candidate said about itself.
 */
public final class KernelSelection {
    private static final Logger LOG = LoggerFactory.getLogger(KernelSelection.class);

    private KernelSelection() {}

    /**
     * {@return the chosen kernels}
     *
     * @param found the kernels plugins found
     * @param configured the name configuration chose, if any
     * @throws ConfigurationException if configuration names kernels that are missing or not available here
     */
    public static VectorKernels choose(List<VectorKernels> found, Optional<String> configured) {
        List<VectorKernels> candidates = new ArrayList<>(found);
        if (candidates.stream().noneMatch(k -> k.name().equals("java"))) {
            candidates.add(new JavaKernels());
        }
        VectorKernels chosen;
        String why;
        if (configured.isPresent()) {
            String name = configured.get();
            chosen = candidates.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow(
                    () -> new ConfigurationException("VectorKernels plugin '" + name
                            + "' was chosen but is not present; present: " + names(candidates), null));
            if (!chosen.available()) {
                throw new ConfigurationException("VectorKernels plugin '" + name
                        + "' was chosen but is not available: " + chosen.describe(), null);
            }
            why = "chosen by configuration";
        } else {
            chosen = candidates.stream().filter(VectorKernels::available).max(Comparator.comparingInt(
                    VectorKernels::priority)).orElseThrow();
            why = "the highest priority available (" + chosen.priority() + ")";
        }
        List<String> others = candidates.stream().filter(k -> k != chosen).map(k -> k.name() + (k.available()
                ? " (priority " + k.priority() + ")"
                : " (unavailable: " + k.describe() + ")")).toList();
        LOG.info("vector kernels: {}, {}: {}; others: {}", chosen.name(), why, chosen.describe(), others.isEmpty()
                ? "none"
                : String.join("; ", others));
        return chosen;
    }

    private static String names(List<VectorKernels> kernels) {
        return String.join(", ", kernels.stream().map(VectorKernels::name).sorted().toList());
    }
}
