package org.codeengine.plugin.tools.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The file tools doing their work through the engine's registry: what each returns, and the caps it keeps. */
class FilesToolsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path root;
    CodeEngine engine;
    CallContext robot;
    CallContext person;

    @BeforeEach
    void start() {
        ObjectNode settings = JSON.createObjectNode().put("maxLines", 5).put("maxReadBytes", 4096);
        settings.putArray("roots").add(root.toString());
        engine = CodeEngine.builder().store(StoreConfig.h2InMemory("files" + UUID.randomUUID().toString().replace(
                "-", ""))).toolSettings("files", settings).build();
        engine.security().defineRole("robot", Set.of(Permission.parse("tool:call:*"), Permission.parse(
                "tool:unconfirmed:*")), Set.of());
        engine.security().defineRole("person", Set.of(Permission.parse("tool:call:*")), Set.of());
        robot = new CallContext(new Principal("robot", Principal.Kind.SERVICE, Set.of("robot")), null, "t");
        person = new CallContext(new Principal("ann", Principal.Kind.USER, Set.of("person")), null, "t");
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private ToolResult call(String tool, JsonNode args) {
        return engine.tools().call(robot, tool, args);
    }

    private static ObjectNode args(String... pairs) {
        return FilesAttackTest.args(pairs);
    }

    @Test
    void anUnconfiguredProvider_answersLikeTheOtherCatalogueProviders_andKnowsOnlyItsOwnTools() {
        FilesToolProvider unconfigured = new FilesToolProvider();
        ToolResult result = unconfigured.call("files_read", args("path", "a.txt"), new ToolContext(robot));
        assertThat(result.error()).isTrue();
        assertThat(result.text()).isEqualTo(unconfigured.unavailable().orElse("the files tools are not configured"));
        assertThatThrownBy(() -> unconfigured.call("files_delete", args("path", "a.txt"), new ToolContext(robot)))
                .isInstanceOf(NotFoundException.class).hasMessage("the files tools have no tool 'files_delete'");
    }

    @Test
    void tools_sayWhatTheyDo_withSchemasAndTruthfulAnnotations() {
        List<ToolDescriptor> tools = engine.tools().list(robot);
        assertThat(tools).extracting(ToolDescriptor::name).containsExactlyInAnyOrder("files_read", "files_list",
                "files_search", "files_write", "files_edit", "files_move", "files_info");
        assertThat(tools).allSatisfy(t -> assertThat(t.outputSchema()).isNotNull());
        assertThat(tools).filteredOn(t -> t.annotations().readOnly()).extracting(ToolDescriptor::name)
                .containsExactlyInAnyOrder("files_read", "files_list", "files_search", "files_info");
        assertThat(tools).filteredOn(t -> t.annotations().destructive()).extracting(ToolDescriptor::name)
                .containsExactlyInAnyOrder("files_write", "files_edit", "files_move");
        assertThat(tools).noneMatch(t -> t.annotations().openWorld());
    }

    @Test
    void read_givesLineRanges_headAndTail_andMarksWhatItCut() throws IOException {
        Files.writeString(root.resolve("lines.txt"), "one\ntwo\nthree\nfour\nfive\nsix\nseven\n");
        assertThat(call("files_read", args("path", "lines.txt").put("startLine", 2).put("endLine", 3)).text())
                .isEqualTo("two\nthree\n");
        assertThat(call("files_read", args("path", "lines.txt").put("head", 2)).text()).isEqualTo("one\ntwo\n");
        assertThat(call("files_read", args("path", root.resolve("lines.txt").toString()).put("tail", 2)).text())
                .isEqualTo("six\nseven\n");
        ToolResult capped = call("files_read", args("path", "lines.txt"));
        assertThat(capped.text()).startsWith("one\ntwo\nthree\nfour\nfive\n").contains("[truncated: at most 5 lines");
        assertThat(capped.structured().path("truncated").asBoolean()).isTrue();
        Files.writeString(root.resolve("big.txt"), "é".repeat(3000));
        ToolResult big = call("files_read", args("path", "big.txt"));
        assertThat(big.error()).isFalse();
        assertThat(big.text()).startsWith("ééé").contains("[truncated: the file has 6000 bytes, 4096 were read]");
        Files.write(root.resolve("image.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0, 1});
        assertThat(call("files_read", args("path", "image.png")).text()).isEqualTo(
                "path 'image.png' is a binary file (it holds NUL bytes); only text files are read");
        Files.write(root.resolve("latin1.txt"), new byte[]{'c', 'a', 'f', (byte) 0xe9});
        assertThat(call("files_read", args("path", "latin1.txt")).text()).contains("is a binary file (not UTF-8");
        assertThat(call("files_read", args("path", "nope.txt")).text()).isEqualTo("path 'nope.txt' does not exist");
        assertThat(call("files_read", args("path", "lines.txt").put("startLine", 3).put("endLine", 2)).text())
                .isEqualTo("endLine must not be less than startLine");
    }

    @Test
    void listSearchAndInfo_describeTheTree_withoutFollowingLinks() throws IOException {
        Files.writeString(Files.createDirectories(root.resolve("src/main")).resolve("App.java"),
                "class App {\n  // TODO: more\n}\n");
        Files.writeString(root.resolve("src/README.md"), "TODO list\n");
        Files.createSymbolicLink(root.resolve("src/loop"), Path.of(".."));
        ToolResult list = call("files_list", args("path", "src"));
        assertThat(list.text()).isEqualTo("[FILE] README.md\n[LINK] loop\n[DIR] main\n");
        assertThat(call("files_search", args("pattern", "**/*.java")).text()).isEqualTo("src/main/App.java\n");
        ToolResult todo = call("files_search", args("pattern", "*", "contentPattern", "TODO\\b"));
        assertThat(todo.text()).isEqualTo("src/README.md:1: TODO list\nsrc/main/App.java:2:   // TODO: more\n");
        assertThat(call("files_search", args("contentPattern", "(")).text()).startsWith(
                "contentPattern is not a valid RE2 regular expression");
        ToolResult capped = call("files_search", args("contentPattern", "TODO").put("maxResults", 1));
        assertThat(capped.text()).contains("[truncated: at most 1 matches]");
        JsonNode info = call("files_info", args("path", "src/main/App.java")).structured();
        assertThat(info.path("type").asString()).isEqualTo("file");
        assertThat(info.path("size").asLong()).isEqualTo(30);
        assertThat(call("files_info", args("path", "src/loop")).structured().path("type").asString()).isEqualTo(
                "symlink");
    }

    @Test
    void writeEditAndMove_replaceWholeFiles_andNeverClobber() throws IOException {
        ToolResult created = call("files_write", args("path", "notes.txt", "content", "alpha\nbeta\nalpha2\n"));
        assertThat(created.structured().path("created").asBoolean()).isTrue();
        Files.setPosixFilePermissions(root.resolve("notes.txt"), java.nio.file.attribute.PosixFilePermissions
                .fromString("rw-------"));
        ToolResult edited = call("files_edit", editArgs("notes.txt", "beta", "BETA"));
        assertThat(edited.text()).contains("-beta", "+BETA");
        assertThat(Files.readString(root.resolve("notes.txt"))).isEqualTo("alpha\nBETA\nalpha2\n");
        assertThat(Files.getPosixFilePermissions(root.resolve("notes.txt"))).hasSize(2);
        assertThat(call("files_edit", editArgs("notes.txt", "alpha", "x")).text()).contains(
                "edits[0].oldText occurs more than once");
        assertThat(call("files_edit", editArgs("notes.txt", "gamma", "x")).text()).contains(
                "edits[0].oldText does not occur");
        ObjectNode dry = editArgs("notes.txt", "BETA", "beta").put("dryRun", true);
        assertThat(call("files_edit", dry).text()).contains("+beta");
        assertThat(Files.readString(root.resolve("notes.txt"))).contains("BETA");
        assertThat(call("files_write", args("path", "notes.txt", "content", "new")).structured().path("created")
                .asBoolean()).isFalse();
        Files.writeString(root.resolve("other.txt"), "other");
        assertThat(call("files_move", args("source", "notes.txt", "destination", "other.txt")).text()).contains(
                "already exists");
        assertThat(call("files_move", args("source", "notes.txt", "destination", "moved.txt")).error()).isFalse();
        assertThat(Files.readString(root.resolve("moved.txt"))).isEqualTo("new");
        try (Stream<Path> files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left behind")
                    .containsExactlyInAnyOrder("moved.txt", "other.txt");
        }
        assertThat(call("files_write", args("path", "missing/x.txt", "content", "x")).text()).isEqualTo(
                "path 'missing' does not exist");
    }

    private static ObjectNode editArgs(String path, String old, String replacement) {
        ObjectNode node = args("path", path);
        node.putArray("edits").addObject().put("oldText", old).put("newText", replacement);
        return node;
    }

    @Test
    void destructiveTools_askTheCaller_andReadOnlyOnesDoNot() throws IOException {
        ToolResult unasked = engine.tools().call(person, "files_write", args("path", "a.txt", "content", "x"));
        assertThat(unasked.error()).isTrue();
        assertThat(unasked.text()).contains("needs the caller's confirmation");
        assertThat(engine.tools().call(person, "files_write", args("path", "a.txt", "content", "x"), q -> false)
                .text()).isEqualTo("the caller declined to run tool files_write");
        assertThat(root.resolve("a.txt")).doesNotExist();
        assertThat(engine.tools().call(person, "files_write", args("path", "a.txt", "content", "x"), q -> true)
                .error()).isFalse();
        assertThat(Files.readString(root.resolve("a.txt"))).isEqualTo("x");
        assertThat(engine.tools().call(person, "files_read", args("path", "a.txt")).text()).isEqualTo("x\n");
    }

    @Test
    void badSettings_failTheBuild_namingTheSetting() {
        ObjectNode unknown = JSON.createObjectNode().put("rootz", "x");
        assertThatThrownBy(() -> CodeEngine.builder().store(StoreConfig.h2InMemory("f" + UUID.randomUUID()
                .toString().replace("-", ""))).toolSettings("files", unknown).build()).isInstanceOf(
                        ConfigurationException.class)
                .hasMessageContaining("unknown setting 'rootz'");
        ObjectNode missing = JSON.createObjectNode();
        missing.putArray("roots").add(root.resolve("nope").toString());
        assertThatThrownBy(() -> CodeEngine.builder().store(StoreConfig.h2InMemory("f" + UUID.randomUUID()
                .toString().replace("-", ""))).toolSettings("files", missing).build()).isInstanceOf(
                        ConfigurationException.class)
                .hasMessageContaining("tools.files.roots").hasMessageContaining(
                        "does not exist");
    }
}
