package org.codeengine.plugin.tools.files;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.tools.files.Posix.Errno;
import org.codeengine.plugin.tools.files.Roots.Parent;
import org.codeengine.plugin.tools.files.Roots.Target;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What each file tool does, on descriptors the {@link Roots} opened: a file is read from the descriptor that was
 * checked, and written as a temporary file in the same folder that is then renamed into place.
 */
final class FileOps {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int SEARCH_DEPTH = 64;

    /**
     * @param readBytes the most bytes read from one file
     * @param maxLines the most lines {@code files_read} returns
     * @param maxResults the most matches or entries a search or listing returns
     * @param searchFiles the most files one search visits
     */
    record Limits(int readBytes, int maxLines, int maxResults, int searchFiles) {}

    private final Posix posix;
    private final Roots roots;
    private final Limits limits;

    FileOps(Posix posix, Roots roots, Limits limits) {
        this.posix = posix;
        this.roots = roots;
        this.limits = limits;
    }

    Roots roots() {
        return roots;
    }

    // ------------------------------------------------------------------ reading

    /** A regular file's text, read from the descriptor that passed the checks. */
    private record Text(String text, boolean truncated, long size) {}

    private Text readText(Target target, int fd, int cap) throws Errno {
        Posix.Stat stat = posix.stat(fd);
        requireRegular(target, stat);
        byte[] bytes = posix.readAll(fd, cap, stat.size());
        boolean truncated = stat.size() > bytes.length;
        return new Text(decode(target, bytes, truncated), truncated, stat.size());
    }

    private static void requireRegular(Target target, Posix.Stat stat) {
        if (stat.directory()) {
            throw new Refused(target.argument() + " '" + target.relative() + "' is a folder, not a file");
        }
        if (!stat.regular()) {
            throw new Refused(target.argument() + " '" + target.relative() + "' is not a regular file");
        }
        if (stat.links() > 1) {
            throw new Refused(target.argument() + " '" + target.relative() + "' has " + stat.links()
                    + " hard links; hard-linked files are refused, as another of their names may lie outside the "
                    + "roots");
        }
    }

    private static String decode(Target target, byte[] bytes, boolean truncated) {
        boolean ascii = true;
        for (int i = 0, n = bytes.length; i < n; i++) {
            if (bytes[i] == 0 && i < 8192) {
                throw new Refused(target.argument() + " '" + target.relative() + "' is a binary file (it holds NUL "
                        + "bytes); only text files are read");
            }
            ascii &= bytes[i] >= 0;
        }
        if (ascii) {
            return new String(bytes, StandardCharsets.US_ASCII);
        }
        int length = bytes.length;
        if (truncated) {
            // a cut may split a character: drop an incomplete UTF-8 sequence at the end
            int i = length - 1;
            while (i >= 0 && i > length - 4 && (bytes[i] & 0xC0) == 0x80) {
                i--;
            }
            if (i >= 0 && (bytes[i] & 0x80) != 0) {
                int need = (bytes[i] & 0xE0) == 0xC0 ? 2 : (bytes[i] & 0xF0) == 0xE0 ? 3 : 4;
                if (length - i < need) {
                    length = i;
                }
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refused(target.argument() + " '" + target.relative() + "' is a binary file (not UTF-8 text); "
                    + "only text files are read");
        }
    }

    /**
     * {@code files_read}: the file's lines {@code startLine..endLine} (1-based, inclusive), or its first {@code head}
     * or last {@code tail} lines, at most {@link Limits#maxLines()} of them.
     */
    ToolResult read(JsonNode args) throws Errno {
        Target target = roots.target("path", args.path("path").asString());
        int fd = roots.open(target, Posix.O_RDONLY);
        Text text;
        try {
            text = readText(target, fd, limits.readBytes());
        } finally {
            posix.close(fd);
        }
        boolean whole = !args.has("head") && !args.has("tail") && !args.has("startLine") && !args.has("endLine");
        if (whole && !text.truncated()) {
            long count = text.text().chars().filter(c -> c == '\n').count() + (text.text().isEmpty() || text.text()
                    .endsWith("\n") ? 0 : 1);
            if (count <= limits.maxLines()) {
                // all of a short file: its text as it is, a last line without a line break given one
                String content = text.text().isEmpty() || text.text().endsWith("\n") ? text.text() : text.text() + "\n";
                return result(target, content, 1, (int) count, (int) count, false);
            }
        }
        List<String> lines = text.text().lines().toList();
        int from = 1;
        int to = lines.size();
        if (args.has("head")) {
            to = Math.min(to, positive(args, "head"));
        } else if (args.has("tail")) {
            from = Math.max(1, lines.size() - positive(args, "tail") + 1);
        } else {
            from = args.has("startLine") ? positive(args, "startLine") : 1;
            to = args.has("endLine") ? Math.min(to, positive(args, "endLine")) : to;
            if (args.has("endLine") && positive(args, "endLine") < from) {
                throw new Refused("endLine must not be less than startLine");
            }
        }
        boolean truncated = text.truncated();
        if (to - from + 1 > limits.maxLines()) {
            to = from + limits.maxLines() - 1;
            truncated = true;
        }
        StringBuilder out = new StringBuilder();
        for (int i = from; i <= to && i <= lines.size(); i++) {
            out.append(lines.get(i - 1)).append('\n');
        }
        if (truncated) {
            out.append("[truncated: ").append(text.truncated()
                    ? "the file has " + text.size() + " bytes, " + limits.readBytes() + " were read"
                    : "at most " + limits.maxLines() + " lines are returned; ask for a line range").append("]\n");
        }
        return result(target, out.toString(), from, Math.min(to, lines.size()), text.truncated() ? -1 : lines.size(),
                truncated);
    }

    private static ToolResult result(Target target, String content, int from, int to, int total, boolean truncated) {
        ObjectNode structured = JSON.createObjectNode().put("path", target.shown()).put("content", content).put(
                "startLine", from).put("endLine", to).put("totalLines", total).put("truncated", truncated);
        return new ToolResult(content, structured, false);
    }

    private static int positive(JsonNode args, String name) {
        JsonNode node = args.get(name);
        if (node == null || !node.canConvertToInt() || node.asInt() < 1) {
            throw new Refused(name + " must be a whole number of at least 1");
        }
        return node.asInt();
    }

    /** {@code files_info}: what the path is, without following a symbolic link at its end. */
    ToolResult info(JsonNode args) throws Errno {
        Target target = roots.target("path", args.path("path").asString());
        int fd = roots.open(target, Posix.O_PATH | Posix.O_NOFOLLOW);
        Posix.Stat stat;
        try {
            stat = posix.stat(fd);
        } finally {
            posix.close(fd);
        }
        ObjectNode info = JSON.createObjectNode().put("path", target.shown()).put("type", type(stat)).put("size",
                stat.size()).put("modified", Instant.ofEpochSecond(stat.modifiedSeconds()).toString()).put(
                        "permissions", String.format("%04o", stat.mode() & 07777))
                .put("links", stat.links());
        return new ToolResult(info.toString(), info, false);
    }

    private static String type(Posix.Stat stat) {
        return stat.regular() ? "file" : stat.directory() ? "directory" : stat.symlink() ? "symlink" : "other";
    }

    /** {@code files_list}: a folder's entries, folders marked, symbolic links shown as such and not followed. */
    ToolResult list(JsonNode args) throws Errno {
        Target target = roots.target("path", args.path("path").asString("."));
        int fd = roots.open(target, Posix.O_RDONLY | Posix.O_DIRECTORY);
        ArrayNode entries = JSON.createArrayNode();
        boolean truncated = false;
        try {
            List<Posix.Entry> found = new ArrayList<>(posix.list(fd));
            found.sort((a, b) -> a.name().compareTo(b.name()));
            for (Posix.Entry e : found) {
                if (entries.size() >= limits.maxResults()) {
                    truncated = true;
                    break;
                }
                Posix.Stat stat = posix.statAt(fd, e.name(), 0);
                ObjectNode entry = entries.addObject().put("name", e.name()).put("type", type(stat));
                if (stat.regular()) {
                    entry.put("size", stat.size());
                }
            }
        } finally {
            posix.close(fd);
        }
        StringBuilder text = new StringBuilder();
        entries.forEach(e -> text.append(e.path("type").asString().equals("directory")
                ? "[DIR] "
                : e.path("type")
                        .asString().equals("symlink") ? "[LINK] " : "[FILE] ")
                .append(e.path("name").asString()).append(
                        '\n'));
        if (truncated) {
            text.append("[truncated: at most ").append(limits.maxResults()).append(" entries]\n");
        }
        ObjectNode structured = JSON.createObjectNode().put("path", target.shown()).put("truncated", truncated);
        structured.set("entries", entries);
        return new ToolResult(text.toString(), structured, false);
    }

    // ------------------------------------------------------------------ search

    /**
     * {@code files_search}: files beneath {@code path} whose path relative to it matches the glob {@code pattern},
     * and, with {@code contentPattern} (RE2 syntax), the lines of those files that match it. Symbolic links are
     * never followed; hard-linked, binary and over-large files are skipped.
     */
    ToolResult search(JsonNode args) throws Errno {
        Target target = roots.target("path", args.path("path").asString("."));
        String glob = args.path("pattern").asString("**");
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            throw new Refused("pattern is not a valid glob: " + e.getMessage());
        }
        Pattern content = null;
        if (args.hasNonNull("contentPattern")) {
            try {
                content = Pattern.compile(args.get("contentPattern").asString());
            } catch (PatternSyntaxException e) {
                throw new Refused("contentPattern is not a valid RE2 regular expression: " + e.getDescription());
            }
        }
        int max = args.has("maxResults")
                ? Math.min(positive(args, "maxResults"), limits.maxResults())
                : limits
                        .maxResults();
        Search search = new Search(matcher, glob.contains("/"), content, max);
        int fd = roots.open(target, Posix.O_RDONLY | Posix.O_DIRECTORY);
        try {
            search.walk(fd, "", 0);
        } finally {
            posix.close(fd);
        }
        StringBuilder text = new StringBuilder();
        search.matches.forEach(m -> {
            text.append(m.path("path").asString());
            if (m.has("line")) {
                text.append(':').append(m.path("line").asInt()).append(": ").append(m.path("text").asString());
            }
            text.append('\n');
        });
        if (search.truncated) {
            text.append("[truncated: ").append(search.why).append("]\n");
        }
        if (search.matches.isEmpty()) {
            text.append("no matches\n");
        }
        ObjectNode structured = JSON.createObjectNode().put("path", target.shown()).put("truncated",
                search.truncated);
        structured.set("matches", search.matches);
        return new ToolResult(text.toString(), structured, false);
    }

    private final class Search {
        final PathMatcher matcher;
        final boolean wholePath;
        final @Nullable Pattern content;
        final int max;
        final ArrayNode matches = JSON.createArrayNode();
        int visited;
        boolean truncated;
        String why = "";

        Search(PathMatcher matcher, boolean wholePath, @Nullable Pattern content, int max) {
            this.matcher = matcher;
            this.wholePath = wholePath;
            this.content = content;
            this.max = max;
        }

        void walk(int dirFd, String prefix, int depth) throws Errno {
            List<Posix.Entry> entries = new ArrayList<>(posix.list(dirFd));
            entries.sort((a, b) -> a.name().compareTo(b.name()));
            for (Posix.Entry e : entries) {
                if (truncated) {
                    return;
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new Refused("files_search was cancelled");
                }
                if (++visited > limits.searchFiles()) {
                    stop("visited " + limits.searchFiles() + " entries");
                    return;
                }
                String relative = prefix + e.name();
                int type = e.type() == 0 ? typeOf(posix.statAt(dirFd, e.name(), 0)) : e.type();
                if (type == 4 && depth < SEARCH_DEPTH) {
                    int child;
                    try {
                        child = posix.openat(dirFd, e.name(), Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_NOFOLLOW
                                | Posix.O_CLOEXEC, 0);
                    } catch (Errno skipped) {
                        continue; // swapped for a link, or not readable: not followed
                    }
                    try {
                        walk(child, relative + "/", depth + 1);
                    } finally {
                        posix.close(child);
                    }
                } else if (type == 8 && matcher.matches(wholePath ? Path.of(relative) : Path.of(e.name()))) {
                    if (content == null) {
                        add(JSON.createObjectNode().put("path", relative));
                    } else {
                        grep(dirFd, e.name(), relative);
                    }
                }
            }
        }

        private void grep(int dirFd, String name, String relative) {
            int fd;
            try {
                fd = posix.openat(dirFd, name, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
            } catch (Errno skipped) {
                return;
            }
            try {
                Posix.Stat stat = posix.stat(fd);
                if (!stat.regular() || stat.links() > 1 || stat.size() > limits.readBytes()) {
                    return;
                }
                String text = decode(new Target(roots.roots().getFirst(), relative, "path"), posix.readAll(fd,
                        limits.readBytes(), stat.size()), false);
                int number = 0;
                for (String line : (Iterable<String>) text.lines()::iterator) {
                    number++;
                    if (content.matcher(line).find()) {
                        add(JSON.createObjectNode().put("path", relative).put("line", number).put("text", line
                                .length() > 500 ? line.substring(0, 500) + "…" : line));
                        if (truncated) {
                            return;
                        }
                    }
                }
            } catch (Refused | Errno binary) {
                // binary or unreadable: not searched
            } finally {
                posix.close(fd);
            }
        }

        private void add(ObjectNode match) {
            if (matches.size() >= max) {
                stop("at most " + max + " matches");
                return;
            }
            matches.add(match);
        }

        private void stop(String reason) {
            truncated = true;
            why = reason;
        }
    }

    private static int typeOf(Posix.Stat stat) {
        return stat.directory() ? 4 : stat.regular() ? 8 : stat.symlink() ? 10 : 0;
    }

    // ------------------------------------------------------------------ writing

    /** {@code files_write}: creates or replaces a file with {@code content}, atomically. */
    ToolResult write(JsonNode args) throws Errno {
        Target target = roots.target("path", args.path("path").asString());
        byte[] content = args.path("content").asString().getBytes(StandardCharsets.UTF_8);
        Parent parent = roots.parent(target);
        try {
            boolean created = replace(target, parent, content, existingMode(target, parent));
            ObjectNode structured = JSON.createObjectNode().put("path", target.shown()).put("bytes", content.length)
                    .put("created", created);
            return new ToolResult((created ? "created " : "replaced ") + target.shown() + " (" + content.length
                    + " bytes)", structured, false);
        } finally {
            posix.close(parent.fd());
        }
    }

    private static Refused symlink(Target target, String verb) {
        return new Refused(target.argument() + " '" + target.relative() + "' is a symbolic link; " + verb
                + " the file it names instead");
    }

    /** {@return the mode of the file there now, or -1 when there is none} */
    private int existingMode(Target target, Parent parent) throws Errno {
        Posix.Stat stat;
        try {
            stat = posix.statAt(parent.fd(), parent.name(), 0);
        } catch (Errno e) {
            if (e.errno == Posix.ENOENT) {
                return -1;
            }
            throw e;
        }
        if (stat.symlink()) {
            throw symlink(target, "write");
        }
        requireRegular(target, stat);
        return stat.mode() & 07777;
    }

    /**
     * Writes the content to a new temporary file in the parent folder and renames it over the name: a reader sees
     * the old file or the new one, never half of it.
     *
     * @return whether the file is new
     */
    private boolean replace(Target target, Parent parent, byte[] content, int mode) throws Errno {
        String temp = "." + (parent.name().length() > 200 ? parent.name().substring(0, 200) : parent.name())
                + ".tmp-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        int fd;
        try {
            fd = posix.openat(parent.fd(), temp, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW
                    | Posix.O_CLOEXEC, mode < 0 ? 0644 : mode);
        } catch (Errno e) {
            throw roots.refusal(target, e.errno);
        }
        boolean renamed = false;
        try {
            posix.writeAll(fd, content);
            posix.close(fd);
            fd = -1;
            posix.rename(parent.fd(), temp, parent.fd(), parent.name(), 0);
            renamed = true;
        } finally {
            posix.close(fd);
            if (!renamed) {
                try {
                    posix.unlink(parent.fd(), temp);
                } catch (Errno ignored) {
                    // already gone
                }
            }
        }
        return mode < 0;
    }

    /**
     * {@code files_edit}: replaces each {@code oldText} with its {@code newText}, in order; each {@code oldText} must
     * occur exactly once. With {@code dryRun} nothing is written. The result shows a line diff.
     */
    ToolResult edit(JsonNode args) throws Errno {
        Target target = roots.target("path", args.path("path").asString());
        JsonNode edits = args.path("edits");
        if (!edits.isArray() || edits.isEmpty()) {
            throw new Refused("edits must be a non-empty array of {oldText, newText}");
        }
        Parent parent = roots.parent(target);
        try {
            int fd;
            try {
                fd = posix.openat(parent.fd(), parent.name(), Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC,
                        0);
            } catch (Errno e) {
                if (e.errno == Posix.ELOOP) {
                    throw symlink(target, "edit");
                }
                throw roots.refusal(target, e.errno);
            }
            Text before;
            int mode;
            try {
                before = readText(target, fd, limits.readBytes());
                mode = posix.stat(fd).mode() & 07777;
            } finally {
                posix.close(fd);
            }
            if (before.truncated()) {
                throw new Refused("path '" + target.relative() + "' has " + before.size() + " bytes; files_edit "
                        + "edits files of at most " + limits.readBytes() + " bytes");
            }
            String text = before.text();
            for (int i = 0; i < edits.size(); i++) {
                String old = edits.get(i).path("oldText").asString();
                String replacement = edits.get(i).path("newText").asString();
                if (old.isEmpty()) {
                    throw new Refused("edits[" + i + "].oldText must not be empty");
                }
                int at = text.indexOf(old);
                if (at < 0) {
                    throw new Refused("edits[" + i + "].oldText does not occur in '" + target.relative()
                            + "'; it must match the file's text exactly, whitespace included");
                }
                if (text.indexOf(old, at + 1) >= 0) {
                    throw new Refused("edits[" + i + "].oldText occurs more than once in '" + target.relative()
                            + "'; it must be unique: add surrounding lines to it");
                }
                text = text.substring(0, at) + replacement + text.substring(at + old.length());
            }
            String diff = Diff.unified(target.relative(), before.text(), text);
            boolean dryRun = args.path("dryRun").asBoolean(false);
            if (!dryRun) {
                replace(target, parent, text.getBytes(StandardCharsets.UTF_8), mode);
            }
            ObjectNode structured = JSON.createObjectNode().put("path", target.shown()).put("replacements", edits
                    .size()).put("dryRun", dryRun).put("diff", diff);
            return new ToolResult(diff, structured, false);
        } finally {
            posix.close(parent.fd());
        }
    }

    /** {@code files_move}: renames {@code source} to {@code destination}, never replacing an existing file. */
    ToolResult move(JsonNode args) throws Errno {
        Target source = roots.target("source", args.path("source").asString());
        Target destination = roots.target("destination", args.path("destination").asString());
        Parent from = roots.parent(source);
        try {
            Parent to = roots.parent(destination);
            try {
                Posix.Stat stat;
                try {
                    stat = posix.statAt(from.fd(), from.name(), 0);
                } catch (Errno e) {
                    throw roots.refusal(source, e.errno);
                }
                if (stat.regular() && stat.links() > 1) {
                    requireRegular(source, stat);
                }
                try {
                    posix.rename(from.fd(), from.name(), to.fd(), to.name(), Posix.RENAME_NOREPLACE);
                } catch (Errno e) {
                    throw roots.refusal(e.errno == Posix.EEXIST ? destination : source, e.errno);
                }
                ObjectNode structured = JSON.createObjectNode().put("source", source.shown()).put("destination",
                        destination.shown());
                return new ToolResult("moved " + source.shown() + " to " + destination.shown(), structured, false);
            } finally {
                posix.close(to.fd());
            }
        } finally {
            posix.close(from.fd());
        }
    }
}
