package org.codeengine.core.internal.executors;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.codeengine.api.InvalidRequestException;
import org.jspecify.annotations.Nullable;

/** Finds the program a command line runs, as {@link ProcessBuilder} would: a path as it is, a bare name on the PATH. */
final class Programs {
    private Programs() {}

    /**
     * {@return the executable file it names}
     *
     * @param program the command line's first word
     * @param dir the working directory a relative path is resolved against, or null for this process's
     * @throws InvalidRequestException naming the program if no executable file answers to it
     */
    static Path resolve(String program, @Nullable String dir) {
        try {
            if (program.indexOf('/') >= 0) {
                Path path = dir == null ? Path.of(program) : Path.of(dir).resolve(program);
                if (executable(path)) {
                    return path;
                }
                throw new InvalidRequestException("setting 'command' runs '" + program + "', which is not an "
                        + (Files.exists(path) ? "executable file" : "existing file"), null);
            }
            // ProcessBuilder searches the PATH of this process, not the one in the child's environment
            String searched = System.getenv("PATH");
            for (String folder : (searched == null ? "" : searched).split(File.pathSeparator, -1)) {
                Path candidate = Path.of(folder.isEmpty() ? "." : folder).resolve(program);
                if (executable(candidate)) {
                    return candidate;
                }
            }
        } catch (InvalidPathException e) {
            throw new InvalidRequestException("setting 'command' runs '" + program + "', which is not a valid file "
                    + "name: " + e.getReason(), null);
        }
        throw new InvalidRequestException("setting 'command' runs '" + program + "', which is not found on the PATH",
                null);
    }

    private static boolean executable(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }
}
