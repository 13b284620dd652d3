package org.codeengine.examples.cli;

import java.io.Serial;

/**
 * An error the app reports as one sentence and a hint, then exits with its code: {@link #usage} (2) when the command
 * line or a file it names is wrong, {@link #failure} (1) when the work failed.
 */
final class CliException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;
    private final int exitCode;
    private final String hint;

    private CliException(int exitCode, String message, String hint) {
        super(message);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    static CliException usage(String message, String hint) {
        return new CliException(CodeApp.USAGE, message, hint);
    }

    static CliException failure(String message, String hint) {
        return new CliException(CodeApp.FAILURE, message, hint);
    }

    int exitCode() {
        return exitCode;
    }

    String hint() {
        return hint;
    }
}
