package org.codeengine.api.security;

import java.util.List;
import org.codeengine.api.internal.Checks;

/**
 * What a scan of files and folders found.
 *
 * @param files the files read and scanned
 * @param bytes the bytes read, over all files
 * @param findings the secrets found, by file, then in order of position
 * @param notices the files and folders not read, or read only after decoding them another way, by path
 */
public record ScanReport(int files, long bytes, List<SecretFinding> findings, List<ScanNotice> notices) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a count is negative
     */
    public ScanReport {
        Checks.atLeast(files, 0, "files");
        Checks.notNegative(bytes, "bytes");
        findings = List.copyOf(findings);
        notices = List.copyOf(notices);
    }

    /** {@return the notices of what was not read at all} */
    public List<ScanNotice> skipped() {
        return notices.stream().filter(n -> n.kind().skipped()).toList();
    }
}
