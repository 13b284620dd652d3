package org.codeengine.api.security;

import org.codeengine.api.internal.Checks;

/**
 * A file or folder the scanner could not read as it is: not read at all ({@link Kind#skipped()}), or read only after
 * decoding it another way. Reported so that a scan never passes silently over what it did not see.
 *
 * @param path the file or folder, as the scan reached it
 * @param kind what happened
 * @param detail why, in words (never the file's content)
 */
public record ScanNotice(String path, Kind kind, String detail) {
    /** What happened to a file or folder. */
    public enum Kind {
        /** opening or reading it failed (permissions, an I/O error, a symlink loop given as the path): not read */
        UNREADABLE(true),
        /** a FIFO, socket or device: not read */
        NOT_A_FILE(true),
        /** a symbolic link met inside a folder: not followed */
        SYMLINK(true),
        /** larger than the scan's size limit: not read */
        OVER_SIZE(true),
        /** not UTF-8: read as UTF-16 (it had a byte order mark) or as Latin-1, and scanned */
        DECODED(false),
        /** holds NUL bytes: read as Latin-1, so the ASCII of any key still shows, and scanned */
        BINARY(false);

        private final boolean skipped;

        Kind(boolean skipped) {
            this.skipped = skipped;
        }

        /** {@return whether the scan did not read it, so a secret in it would have gone unseen} */
        public boolean skipped() {
            return skipped;
        }
    }

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ScanNotice {
        Checks.notBlank(path, "path");
        Checks.notNull(kind, "kind");
        Checks.notBlank(detail, "detail");
    }
}
