package org.codeengine.plugin.tools.files;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.support.CatalogueTools;
import org.codeengine.plugin.support.ToolSettingsReader;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The {@code files} tool provider. Settings ({@code tools.files} in the app's {@code config.yaml}):
 *
 * <pre>{@code
 * roots: [".", /srv/data]   # the folders the tools may touch; relative ones against the host's home (required)
 * maxReadBytes: 1048576     # the most bytes read from one file
 * maxLines: 2000            # the most lines files_read returns
 * maxResults: 200           # the most entries or matches files_list and files_search return
 * searchFiles: 20000        # the most entries one files_search visits
 * openat2: true             # false resolves paths component by component, never following a symbolic link
 * }</pre>
 */
public final class FilesToolProvider extends CatalogueTools {
    private static final Set<String> SETTINGS = Set.of("roots", "maxReadBytes", "maxLines", "maxResults",
            "searchFiles", "openat2");
    private static final String PATH = """
            {"type": "string", "description": "A path beneath a root: relative to the first root, or absolute \
            inside one"}""";
    private static final ToolDescriptor READ = tool("files_read", "Read a UTF-8 text file beneath the roots: all of "
            + "it, lines startLine..endLine (1-based), or its first head or last tail lines. Binary files are "
            + "refused; long files are cut, and the cut is marked.", """
                    {"type": "object", "properties": {"path": %s,
                      "startLine": {"type": "integer", "minimum": 1}, "endLine": {"type": "integer", "minimum": 1},
                      "head": {"type": "integer", "minimum": 1}, "tail": {"type": "integer", "minimum": 1}},
                     "required": ["path"], "additionalProperties": false}""", """
                    {"type": "object", "properties": {"path": {"type": "string"}, "content": {"type": "string"},
                      "startLine": {"type": "integer"}, "endLine": {"type": "integer"},
                      "totalLines": {"type": "integer"}, "truncated": {"type": "boolean"}},
                     "required": ["path", "content", "truncated"]}""", ToolAnnotations.readOnly(false));
    private static final ToolDescriptor LIST = tool("files_list", "List a folder beneath the roots: each entry's "
            + "name, type (file, directory, symlink, other) and a file's size. Symbolic links are shown, not "
            + "followed.", """
                    {"type": "object", "properties": {"path": %s}, "additionalProperties": false}""", """
                    {"type": "object", "properties": {"path": {"type": "string"},
                      "entries": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "type": {"type": "string"}, "size": {"type": "integer"}}}},
                      "truncated": {"type": "boolean"}}, "required": ["path", "entries", "truncated"]}""",
            ToolAnnotations.readOnly(false));
    private static final ToolDescriptor SEARCH = tool("files_search", "Find files beneath path (default: the first "
            + "root) whose relative path matches the glob pattern (default **), and with contentPattern (RE2 "
            + "syntax, linear time) the lines in them that match. Symbolic links are not followed; results are "
            + "capped.", """
                    {"type": "object", "properties": {"path": %s,
                      "pattern": {"type": "string", "description": "A glob, such as **/*.java"},
                      "contentPattern": {"type": "string", "description": "An RE2 regular expression"},
                      "maxResults": {"type": "integer", "minimum": 1}},
                     "additionalProperties": false}""", """
                    {"type": "object", "properties": {"path": {"type": "string"},
                      "matches": {"type": "array", "items": {"type": "object", "properties": {
                        "path": {"type": "string"}, "line": {"type": "integer"}, "text": {"type": "string"}}}},
                      "truncated": {"type": "boolean"}}, "required": ["path", "matches", "truncated"]}""",
            ToolAnnotations.readOnly(false));
    private static final ToolDescriptor WRITE = tool("files_write", "Create or replace a text file beneath the roots "
            + "with content. The file is written beside its name and renamed into place: never half-written.", """
                    {"type": "object", "properties": {"path": %s, "content": {"type": "string"}},
                     "required": ["path", "content"], "additionalProperties": false}""", """
                    {"type": "object", "properties": {"path": {"type": "string"},
                      "bytes": {"type": "integer"}, "created": {"type": "boolean"}},
                     "required": ["path", "bytes", "created"]}""", ToolAnnotations.destructive(true, false));
    private static final ToolDescriptor EDIT = tool("files_edit", "Edit a text file: replace each edits[i].oldText, "
            + "which must occur exactly once, with its newText, in order; returns a diff. With dryRun nothing is "
            + "written.", """
                    {"type": "object", "properties": {"path": %s,
                      "edits": {"type": "array", "minItems": 1, "items": {"type": "object", "properties": {
                        "oldText": {"type": "string", "minLength": 1}, "newText": {"type": "string"}},
                        "required": ["oldText", "newText"], "additionalProperties": false}},
                      "dryRun": {"type": "boolean"}},
                     "required": ["path", "edits"], "additionalProperties": false}""", """
                    {"type": "object", "properties": {"path": {"type": "string"}, "replacements": {"type": "integer"},
                      "dryRun": {"type": "boolean"}, "diff": {"type": "string"}},
                     "required": ["path", "replacements", "diff"]}""", ToolAnnotations.destructive(false, false));
    private static final ToolDescriptor MOVE = tool("files_move", "Move or rename a file or folder beneath the "
            + "roots; an existing destination is never replaced.", """
                    {"type": "object", "properties": {"source": %1$s, "destination": %1$s},
                     "required": ["source", "destination"], "additionalProperties": false}""", """
                    {"type": "object", "properties": {"source": {"type": "string"}, "destination": {"type": "string"}},
                     "required": ["source", "destination"]}""", ToolAnnotations.destructive(false, false));
    private static final ToolDescriptor INFO = tool("files_info", "Tell what a path beneath the roots is: type, size, "
            + "modification time, permissions, hard links. A symbolic link is described, not followed.",
            """
                    {"type": "object", "properties": {"path": %s}, "required": ["path"], "additionalProperties": false}""",
            """
                    {"type": "object", "properties": {"path": {"type": "string"}, "type": {"type": "string"},
                      "size": {"type": "integer"}, "modified": {"type": "string"}, "permissions": {"type": "string"},
                      "links": {"type": "integer"}},
                     "required": ["path", "type"]}""", ToolAnnotations.readOnly(false));
    private static final List<ToolDescriptor> TOOLS = List.of(READ, LIST, SEARCH, WRITE, EDIT, MOVE, INFO);

    private final @Nullable FileOps ops;

    /** The provider as {@link java.util.ServiceLoader} finds it: not serving until the host configures roots. */
    public FilesToolProvider() {
        super("files");
        this.ops = null;
    }

    private FilesToolProvider(FileOps ops) {
        super("files");
        this.ops = ops;
    }

    private static ToolDescriptor tool(String name, String description, String input, String output,
            ToolAnnotations annotations) {
        return new ToolDescriptor(name, description, FileOps.JSON.readTree(input.formatted(PATH)), FileOps.JSON
                .readTree(output), annotations);
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.ofNullable(Posix.unavailable());
    }

    @Override
    public ToolProvider configured(ToolSettings settings) {
        ToolSettingsReader s = new ToolSettingsReader(name(), settings, SETTINGS);
        Posix posix = Posix.get();
        if (posix == null) {
            throw new ConfigurationException("the files tools cannot run here: " + Posix.unavailable(), null);
        }
        // a root is resolved once, here; beneath it the kernel confines every call
        List<Path> roots = s.folders("roots", null);
        FileOps.Limits limits = new FileOps.Limits(s.positive("maxReadBytes", 1 << 20), s.positive("maxLines", 2000),
                s.positive("maxResults", 200), s.positive("searchFiles", 20_000));
        try {
            return new FilesToolProvider(new FileOps(posix, new Roots(posix, roots, s.flag("openat2", true)),
                    limits));
        } catch (Refused e) {
            throw new ConfigurationException("tools.files.roots: " + e.getMessage(), null);
        }
    }

    /** {@return how paths are confined, such as {@code openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS)}} */
    public String confinement() {
        return ops == null ? "not configured" : ops.roots().mode();
    }

    @Override
    public List<ToolDescriptor> tools() {
        return TOOLS;
    }

    @Override
    protected boolean configuredYet() {
        return ops != null;
    }

    @Override
    protected ToolResult run(String tool, JsonNode arguments, ToolContext context) {
        FileOps files = Objects.requireNonNull(ops, "run only once configured");
        try {
            return switch (tool) {
                case "files_read" -> files.read(arguments);
                case "files_list" -> files.list(arguments);
                case "files_search" -> files.search(arguments);
                case "files_write" -> files.write(arguments);
                case "files_edit" -> files.edit(arguments);
                case "files_move" -> files.move(arguments);
                case "files_info" -> files.info(arguments);
                default -> throw new NotFoundException("the files provider has no tool '" + tool + "'", null);
            };
        } catch (Refused e) {
            return new ToolResult(e.getMessage(), null, true);
        } catch (Posix.Errno e) {
            return new ToolResult(tool + " failed: " + e.getMessage(), null, true);
        }
    }
}
