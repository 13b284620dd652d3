package org.codeengine.api.security;

import java.util.Set;
import org.codeengine.api.internal.Checks;

/**
 * How a scan of files and folders goes.
 *
 * @param maxFileBytes files larger than this, in bytes, are not read and are reported as
 *     {@link ScanNotice.Kind#OVER_SIZE}; {@link Long#MAX_VALUE} for no limit (files are streamed, so none is needed)
 * @param excludedFolders names of folders not entered (such as {@code .git}); these are chosen, so not reported
 * @param threads how many files are scanned at once, from 1
 */
public record ScanOptions(long maxFileBytes, Set<String> excludedFolders, int threads) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ScanOptions {
        Checks.atLeast(maxFileBytes, 0, "maxFileBytes");
        excludedFolders = Set.copyOf(excludedFolders);
        Checks.atLeast(threads, 1, "threads");
    }

    /** {@return no size limit, no excluded folder, one thread per processor} */
    public static ScanOptions defaults() {
        return new ScanOptions(Long.MAX_VALUE, Set.of(), Runtime.getRuntime().availableProcessors());
    }
}
