package org.codeengine.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.security.SecretFinding;
import org.codeengine.api.security.SecretScanner;
import org.jspecify.annotations.Nullable;

/**
 * The lines commits added, scanned: {@code git log -p -U0} over a range (all of HEAD's history by default), each
 * commit's added lines of each file scanned together, every finding carrying the commit and its author and the line in
 * the file as that commit left it.
 */
final class GitScan {
    /**
     * A secret a commit added.
     *
     * @param finding the finding, its line that of the file in the commit
     * @param commit the commit's hash
     * @param author the commit's author, {@code Name <email>}
     */
    record Found(SecretFinding finding, String commit, String author) {}

    private static final String MARK = "\u0001commit ";

    private final SecretScanner scanner;
    private final List<Found> found = new ArrayList<>();
    private String commit = "";
    private String author = "";
    private @Nullable String file;
    private final StringBuilder added = new StringBuilder();
    private final List<Integer> lines = new ArrayList<>();
    private int commits;

    private GitScan(SecretScanner scanner) {
        this.scanner = scanner;
    }

    /**
     * @param scanner the rules
     * @param repo the repository's folder
     * @param range a revision range ({@code main..HEAD}, {@code -5}), or empty for HEAD's whole history
     * @return what the commits added, and how many commits were read
     * @throws CliException if git fails
     */
    static GitScan run(SecretScanner scanner, Path repo, String range) {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString(), "log", "-p", "-U0",
                "--no-color", "--no-ext-diff", "--no-renames", "--format=" + MARK.replace("\u0001", "%x01")
                        + "%H%x01%an <%ae>"));
        if (!range.isEmpty()) {
            command.add(range);
        }
        command.add("--");
        GitScan scan = new GitScan(scanner);
        try {
            Process git = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(git.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    scan.read(line);
                }
            }
            scan.flush();
            if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
                throw CliException.usage("git log failed in " + repo + (range.isEmpty() ? "" : " for " + range),
                        "check that it is a git repository and the range exists");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run git", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading git's history", e);
        }
        return scan;
    }

    List<Found> found() {
        return found;
    }

    int commits() {
        return commits;
    }

    private int next; // the line in the new file the next added line has

    private void read(String line) {
        if (line.startsWith(MARK)) {
            flush();
            String[] parts = line.substring(MARK.length()).split("\u0001", 2);
            commit = parts[0];
            author = parts.length > 1 ? parts[1] : "";
            commits++;
        } else if (line.startsWith("+++ ")) {
            flush();
            file = line.equals("+++ /dev/null") ? null : line.substring(line.startsWith("+++ b/") ? 6 : 4);
        } else if (line.startsWith("@@ ")) {
            int plus = line.indexOf(" +");
            int end = line.indexOf(' ', plus + 2);
            String start = line.substring(plus + 2, end < 0 ? line.length() : end);
            next = Integer.parseInt(start.contains(",") ? start.substring(0, start.indexOf(',')) : start);
        } else if (line.startsWith("+") && file != null) {
            added.append(line, 1, line.length()).append('\n');
            lines.add(next++);
        }
    }

    /** Scans the added lines of the current commit and file together, the finding's line mapped back. */
    private void flush() {
        if (file != null && !lines.isEmpty()) {
            for (SecretFinding f : scanner.scan(added.toString(), file)) {
                found.add(new Found(new SecretFinding(f.ruleId(), f.source(), lines.get(f.line() - 1), f.column(), f
                        .redacted()), commit, author));
            }
        }
        added.setLength(0);
        lines.clear();
    }
}
