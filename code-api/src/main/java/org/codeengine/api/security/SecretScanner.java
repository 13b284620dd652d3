package org.codeengine.api.security;

import java.nio.file.Path;
import java.util.List;

/**
 * Finds secrets (provider API keys, cloud keys, tokens, private keys) in text with linear-time regular expressions,
 * so hostile input cannot make it backtrack. Thread-safe.
 */
public interface SecretScanner {
    /**
     * {@return what was found, in order of position}
     *
     * @param text the text to scan
     * @param source where it came from, for the findings; may be empty
     */
    List<SecretFinding> scan(String text, String source);

    /**
     * {@return the text with each secret replaced by {@code [REDACTED:<rule id>]}}
     *
     * @param text text that may hold secrets
     */
    String redact(String text);

    /**
     * Scans files and folders: each file streamed in chunks (no size is too large unless {@code options} sets a
     * limit), several files at once, symbolic links inside folders not followed. UTF-8 is read as such; a file with a
     * UTF-16 byte order mark is read as UTF-16, any other that is not UTF-8 as Latin-1. Whatever is not read, or read
     * only after decoding it another way, is reported in {@link ScanReport#notices()}.
     *
     * @param paths files and folders; a symbolic link named here is followed
     * @param options the size limit, excluded folders and threads
     * @return the findings and notices
     */
    ScanReport scan(List<Path> paths, ScanOptions options);
}
