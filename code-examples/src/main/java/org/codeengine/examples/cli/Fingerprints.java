package org.codeengine.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.codeengine.api.security.SecretFinding;
import org.jspecify.annotations.Nullable;

/**
 * Findings a team has looked at and let pass, as gitleaks records them in {@code .gitleaksignore}: one fingerprint a
 * line, {@code FILE:RULE:LINE} (or {@code COMMIT:FILE:RULE:LINE}, whose commit a scan of files does not have, so only
 * the rest is compared); {@code #} starts a comment. A file is named as the scan reached it or relative to the folder
 * scanned.
 */
record Fingerprints(Set<String> entries, List<Path> roots) {
    static final String FILE_NAME = ".gitleaksignore";

    /**
     * @param paths the paths scanned; a folder's own {@code .gitleaksignore} is read
     * @param file a fingerprint file named on the command line, or null
     * @return the fingerprints
     */
    static Fingerprints read(List<Path> paths, @Nullable Path file) {
        Set<String> entries = new HashSet<>();
        List<Path> roots = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw CliException.usage("--ignore-file: no such file: " + file, "check the path");
            }
            files.add(file);
        }
        for (Path p : paths) {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                roots.add(p);
                if (Files.isRegularFile(p.resolve(FILE_NAME))) {
                    files.add(p.resolve(FILE_NAME));
                }
            }
        }
        for (Path f : files) {
            try {
                for (String line : Files.readAllLines(f)) {
                    String t = line.strip();
                    if (!t.isEmpty() && !t.startsWith("#")) {
                        String[] parts = t.split(":");
                        entries.add(parts.length >= 4 && parts[0].matches("[0-9a-f]{7,40}")
                                ? t.substring(parts[0].length() + 1)
                                : t);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
        return new Fingerprints(Set.copyOf(entries), List.copyOf(roots));
    }

    /** {@return whether the finding's fingerprint, by its path as reached or relative to a folder scanned, is listed} */
    boolean matches(SecretFinding f) {
        if (entries.isEmpty()) {
            return false;
        }
        String tail = ":" + f.ruleId() + ":" + f.line();
        if (entries.contains(f.source() + tail)) {
            return true;
        }
        Path source = Path.of(f.source());
        for (Path root : roots) {
            if (source.startsWith(root) && entries.contains(root.relativize(source).toString().replace('\\', '/')
                    + tail)) {
                return true;
            }
        }
        return false;
    }
}
