package org.codeengine.plugin.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.codeengine.plugin.mcp.internal.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The skills of the skills extension (SEP-2640) that an {@link McpServer} serves from a folder: each folder in it that
 * holds a {@code SKILL.md} is a skill named after the folder, and each file in it is a resource under
 * {@code skill://<name>/}. The files are read once, when the server is built, and served as read then. Immutable.
 */
final class ServerSkills {
    /** The extension's identifier under {@code capabilities.extensions}. */
    static final String EXTENSION = "io.modelcontextprotocol/skills";
    /** The media type of a folder in {@code resources/directory/read}. */
    static final String DIRECTORY = "inode/directory";
    /** The most files one skill holds, its SKILL.md included (as SEP-2640 advises). */
    static final int MAX_FILES = 512;
    /** The most bytes one skill's files hold together, 16 MiB (as SEP-2640 advises). */
    static final long MAX_BYTES = 16L * 1024 * 1024;
    private static final String MANIFEST = "SKILL.md";
    /** The Agent Skills naming rule: 1 to 64 lower-case letters, digits and single inner hyphens. */
    private static final Pattern NAME = Pattern.compile("(?!.*--)[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");
    private static final Pattern KEY = Pattern.compile("([A-Za-z0-9_.\\-/]+):(?:[ \\t]+(.*))?");

    /** One file of a skill. */
    record File(String uri, String name, String mimeType, byte[] bytes, String digest) {}

    /** One skill: its manifest's URI and frontmatter, and its files (the manifest first). */
    record Skill(String name, String uri, ObjectNode frontmatter, List<File> files) {
        ObjectNode entry() {
            ObjectNode entry = Json.object().put("uri", uri);
            entry.set("frontmatter", frontmatter.deepCopy());
            var resources = entry.putArray("resources");
            files.forEach(f -> resources.addObject().put("uri", f.uri()).put("digest", f.digest()).put("size",
                    f.bytes().length));
            return entry;
        }
    }

    /** A child of a folder: a file or a folder. */
    record Child(String uri, String name, String mimeType) {}

    private final List<Skill> skills;
    private final Map<String, Skill> byUri = new LinkedHashMap<>();
    /** Each folder's children by the folder's URI ({@code skill://name} and the folders below it). */
    private final Map<String, List<Child>> folders = new TreeMap<>();

    private ServerSkills(List<Skill> skills) {
        this.skills = List.copyOf(skills);
        for (Skill skill : skills) {
            byUri.put(skill.uri(), skill);
            String root = "skill://" + skill.name();
            folders.put(root, new ArrayList<>());
            for (File file : skill.files()) {
                String parent = root;
                String[] parts = file.uri().substring(root.length() + 1).split("/");
                for (int i = 0; i < parts.length - 1; i++) {
                    String folder = parent + "/" + parts[i];
                    if (!folders.containsKey(folder)) {
                        folders.put(folder, new ArrayList<>());
                        folders.get(parent).add(new Child(folder, parts[i], DIRECTORY));
                    }
                    parent = folder;
                }
                folders.get(parent).add(new Child(file.uri(), parts[parts.length - 1], file.mimeType()));
            }
        }
        folders.replaceAll((k, v) -> List.copyOf(v));
    }

    /**
     * Reads every skill of a folder.
     *
     * @throws IllegalArgumentException if the folder is none, a folder in it has no SKILL.md, or a skill breaks a
     *         rule: its name, its frontmatter (a name equal to the folder's and a description), at most
     *         {@value #MAX_FILES} files and 16 MiB
     * @throws UncheckedIOException if a file cannot be read
     */
    static ServerSkills load(Path folder) {
        if (folder == null || !Files.isDirectory(folder)) {
            throw new IllegalArgumentException("skills must be a folder but was " + folder);
        }
        List<Skill> skills = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path dir : entries.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                skills.add(skill(dir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the skills folder " + folder, e);
        }
        return new ServerSkills(skills);
    }

    private static Skill skill(Path dir) throws IOException {
        String name = dir.getFileName().toString();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("skill folder " + dir + ": its name must be 1 to 64 lower-case letters, "
                    + "digits and single inner hyphens");
        }
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("skill folder " + dir + " holds no " + MANIFEST);
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        if (paths.size() > MAX_FILES) {
            throw new IllegalArgumentException("skill " + name + " holds " + paths.size() + " files, more than "
                    + MAX_FILES);
        }
        String root = "skill://" + name + "/";
        List<File> files = new ArrayList<>();
        long total = 0;
        ObjectNode frontmatter = null;
        for (Path path : paths) {
            byte[] bytes = Files.readAllBytes(path);
            total += bytes.length;
            if (total > MAX_BYTES) {
                throw new IllegalArgumentException("skill " + name + " holds more than 16 MiB (16,777,216 bytes)");
            }
            String relative = dir.relativize(path).toString().replace('\\', '/');
            File file = new File(root + relative, relative, mimeType(relative), bytes, digest(bytes));
            if (path.equals(manifest)) {
                frontmatter = frontmatter(new String(bytes, StandardCharsets.UTF_8), manifest.toString());
                if (!name.equals(Json.text(frontmatter, "name"))) {
                    throw new IllegalArgumentException(manifest + ": frontmatter name must equal the folder's name "
                            + name);
                }
                String description = Json.text(frontmatter, "description");
                if (description == null || description.isBlank()) {
                    throw new IllegalArgumentException(manifest + ": frontmatter description must be a non-empty "
                            + "string");
                }
                files.addFirst(file);
            } else {
                files.add(file);
            }
        }
        return new Skill(name, root + MANIFEST, frontmatter, files);
    }

    /**
     * Reads the YAML frontmatter at the head of a SKILL.md, in the subset skills use: {@code key: value} lines, with
     * plain, single- or double-quoted scalars, and one level of nested keys under a key with no value (such as
     * {@code metadata:}). Comments and blank lines are skipped.
     *
     * @param where the file, for errors
     * @throws IllegalArgumentException if there is no frontmatter, or it uses YAML beyond that subset
     */
    static ObjectNode frontmatter(String text, String where) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        String[] lines = body.split("\r?\n", -1);
        if (lines.length == 0 || !lines[0].strip().equals("---")) {
            throw new IllegalArgumentException(where + " must begin with YAML frontmatter between --- lines");
        }
        ObjectNode root = Json.object();
        ObjectNode nested = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.stripTrailing().equals("---")) {
                return root;
            }
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            boolean indented = line.charAt(0) == ' ' || line.charAt(0) == '\t';
            var m = KEY.matcher(line.strip());
            if (!m.matches() || (indented && nested == null)) {
                throw new IllegalArgumentException(where + " line " + (i + 1) + ": frontmatter holds only key: value "
                        + "lines and one level of nested keys");
            }
            String value = m.group(2) == null ? "" : m.group(2).strip();
            if (!indented) {
                nested = null;
            }
            ObjectNode target = indented ? nested : root;
            if (value.isEmpty() && !indented) {
                nested = target.putObject(m.group(1));
            } else {
                target.set(m.group(1), scalar(value, where + " line " + (i + 1)));
            }
        }
        throw new IllegalArgumentException(where + ": the frontmatter has no closing --- line");
    }

    private static JsonNode scalar(String value, String where) {
        if (value.startsWith("\"") || value.startsWith("'")) {
            char quote = value.charAt(0);
            if (value.length() < 2 || value.charAt(value.length() - 1) != quote) {
                throw new IllegalArgumentException(where + ": a quoted value must end with its quote on the line");
            }
            String inner = value.substring(1, value.length() - 1);
            String text = quote == '\''
                    ? inner.replace("''", "'")
                    : inner.replace("\\\"", "\"").replace("\\\\",
                            "\\");
            return Json.JSON.getNodeFactory().stringNode(text);
        }
        int comment = value.indexOf(" #");
        String plain = comment >= 0 ? value.substring(0, comment).strip() : value;
        if (plain.startsWith("[") || plain.startsWith("{") || plain.startsWith("|") || plain.startsWith(">")
                || plain.startsWith("- ") || plain.startsWith("&") || plain.startsWith("*")) {
            throw new IllegalArgumentException(where + ": lists, maps, block scalars and anchors are not read; quote "
                    + "the value");
        }
        return switch (plain) {
            case "true", "True", "TRUE" -> Json.JSON.getNodeFactory().booleanNode(true);
            case "false", "False", "FALSE" -> Json.JSON.getNodeFactory().booleanNode(false);
            case "null", "Null", "NULL", "~", "" -> Json.JSON.getNodeFactory().nullNode();
            default -> plain.matches("-?(0|[1-9][0-9]{0,17})")
                    ? number(Long.parseLong(plain))
                    : Json.JSON.getNodeFactory().stringNode(plain);
        };
    }

    /** {@return an integer as JSON parses it: an int node when it fits, so that it equals a parsed one} */
    private static JsonNode number(long value) {
        return value == (int) value
                ? Json.JSON.getNodeFactory().numberNode((int) value)
                : Json.JSON.getNodeFactory().numberNode(value);
    }

    private static String digest(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String mimeType(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        int dot = lower.lastIndexOf('.');
        return switch (dot < 0 ? "" : lower.substring(dot + 1)) {
            case "md" -> "text/markdown";
            case "txt" -> "text/plain";
            case "json" -> "application/json";
            case "yaml", "yml" -> "application/yaml";
            case "py" -> "text/x-python";
            case "sh" -> "text/x-shellscript";
            case "html", "htm" -> "text/html";
            case "csv" -> "text/csv";
            case "png" -> "image/png";
            case "jpg", "jpeg" -> "image/jpeg";
            case "pdf" -> "application/pdf";
            default -> "application/octet-stream";
        };
    }

    /** {@return whether a file's bytes are UTF-8 text to serve as {@code text} (else as a {@code blob})} */
    private static @Nullable String text(File file) {
        if (!(file.mimeType().startsWith("text/") || file.mimeType().equals("application/json") || file.mimeType()
                .equals("application/yaml"))) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(file.bytes())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** {@return each file as a resource: a SKILL.md under its skill's name and description} */
    List<McpResource> resources() {
        List<McpResource> resources = new ArrayList<>();
        for (Skill skill : skills) {
            for (File file : skill.files()) {
                boolean manifest = file.uri().equals(skill.uri());
                String text = text(file);
                List<ObjectNode> contents = List.of(text != null
                        ? McpContent.textResource(file.uri(), file.mimeType(), text)
                        : McpContent.blobResource(file.uri(), file.mimeType(), file.bytes()));
                resources.add(new McpResource(file.uri(), manifest ? skill.name() : skill.name() + "/" + file.name(),
                        null, manifest ? Json.text(skill.frontmatter(), "description") : null, file.mimeType(), (uri,
                                context) -> contents));
            }
        }
        return resources;
    }

    List<Skill> skills() {
        return skills;
    }

    /** @throws McpException (invalid params) if no skill's SKILL.md has that URI */
    Skill skill(String uri) {
        Skill skill = byUri.get(uri);
        if (skill == null) {
            throw new McpException(McpException.INVALID_PARAMS, "no skill at " + Json.clip(uri), null);
        }
        return skill;
    }

    /** @throws McpException (invalid params) if the URI names no folder of a skill */
    List<Child> children(String uri) {
        String folder = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
        List<Child> children = folders.get(folder);
        if (children == null) {
            throw new McpException(McpException.INVALID_PARAMS, "not a skill folder: " + Json.clip(uri), null);
        }
        return children;
    }
}
