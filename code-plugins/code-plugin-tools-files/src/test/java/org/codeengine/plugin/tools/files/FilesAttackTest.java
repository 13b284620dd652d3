package org.codeengine.plugin.tools.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every row an attack on the roots that must be refused with the rule named, and afterwards nothing outside the root
 * was read (no secret in the answer) or written (the outside tree is unchanged). The table runs twice: confined by
 * openat2, and by the per-component fallback.
 */
class FilesAttackTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "OUTSIDE-SECRET";
    private static final String EVIL = "SIBLING-SECRET";

    @TempDir
    static Path base;
    static Path root;
    static Path outside;
    static CodeEngine kernel;
    static CodeEngine fallback;
    static CallContext agent;

    @BeforeAll
    static void layOut() throws IOException {
        root = Files.createDirectories(base.resolve("r"));
        outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.createDirectories(outside.resolve("dir"));
        Files.writeString(Files.createDirectories(base.resolve("r-evil")).resolve("secret.txt"), EVIL);
        Files.writeString(root.resolve("ok.txt"), "inside\n");
        Files.writeString(Files.createDirectories(root.resolve("sub")).resolve("inner.txt"), "inner\n");
        Files.createSymbolicLink(root.resolve("link-file"), Path.of("../outside/secret.txt"));
        Files.createSymbolicLink(root.resolve("abs-link"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("link-dir"), Path.of("../outside"));
        Files.createSymbolicLink(root.resolve("proc-link"), Path.of("/proc/self/root"));
        Files.createSymbolicLink(root.resolve("cwd-link"), Path.of("/proc/self/cwd"));
        Files.createLink(root.resolve("hard"), outside.resolve("secret.txt"));
        Files.writeString(root.resolve("caf\u00e9.txt"), "nfc\n");
        kernel = engine(true);
        fallback = engine(false);
        engineConfinement();
        agent = new CallContext(new Principal("agent", Principal.Kind.SERVICE, Set.of("agent")), null, "attack");
    }

    private static void engineConfinement() {
        for (CodeEngine e : List.of(kernel, fallback)) {
            e.security().defineRole("agent", Set.of(Permission.parse("tool:call:*"), Permission.parse(
                    "tool:unconfirmed:*")), Set.of());
        }
    }

    static CodeEngine engine(boolean openat2) {
        ObjectNode settings = JSON.createObjectNode().put("openat2", openat2);
        settings.putArray("roots").add(root.toString());
        return CodeEngine.builder().store(StoreConfig.h2InMemory("files" + UUID.randomUUID().toString().replace("-",
                ""))).toolSettings("files", settings).build();
    }

    @AfterAll
    static void close() {
        kernel.close();
        fallback.close();
    }

    static ObjectNode args(String... pairs) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.put(pairs[i], pairs[i + 1]);
        }
        return node;
    }

    static ObjectNode edit(String path) {
        ObjectNode node = args("path", path);
        node.putArray("edits").addObject().put("oldText", "OUTSIDE").put("newText", "PWNED");
        return node;
    }

    private static final String OUT = "leads outside its root";
    private static final String OUT_OR_UNFOLLOWED = "leads outside its root|is not followed";

    static Stream<Arguments> attacks() {
        String abs = "<abs>";
        return Stream.of(
                // '..' in every position
                Arguments.of("'..' first", "files_read", args("path", "../outside/secret.txt"), OUT),
                Arguments.of("'..' alone", "files_list", args("path", ".."), OUT),
                Arguments.of("'..' in the middle", "files_read", args("path", "sub/../../outside/secret.txt"), OUT),
                Arguments.of("'..' last", "files_list", args("path", "sub/../.."), OUT),
                Arguments.of("'..' many", "files_read", args("path", "sub/../../../../../../etc/passwd"), OUT),
                Arguments.of("'..' in a write", "files_write", args("path", "../outside/new.txt", "content", "x"),
                        OUT),
                Arguments.of("'..' as a move's destination", "files_move", args("source", "ok.txt", "destination",
                        "../outside/moved.txt"), OUT),
                Arguments.of("'..' as a move's source", "files_move", args("source", "../outside/secret.txt",
                        "destination", "stolen.txt"), OUT),
                Arguments.of("'..' in a search", "files_search", args("path", "..", "contentPattern", "SECRET"),
                        OUT),
                // absolute paths
                Arguments.of("absolute outside", "files_read", args("path", abs + "/outside/secret.txt"),
                        "outside every root"),
                Arguments.of("absolute /etc/passwd", "files_read", args("path", "/etc/passwd"),
                        "outside every root"),
                Arguments.of("a sibling whose name the root prefixes", "files_read", args("path", abs
                        + "/r-evil/secret.txt"), "outside every root"),
                Arguments.of("a sibling through the root and '..'", "files_read", args("path", abs
                        + "/r/../r-evil/secret.txt"), OUT),
                // symbolic links inside the root that point out
                Arguments.of("a relative link to an outside file", "files_read", args("path", "link-file"),
                        OUT_OR_UNFOLLOWED),
                Arguments.of("an absolute link to an outside file", "files_read", args("path", "abs-link"),
                        OUT_OR_UNFOLLOWED),
                Arguments.of("a link to an outside folder", "files_read", args("path", "link-dir/secret.txt"),
                        OUT_OR_UNFOLLOWED),
                Arguments.of("a link to an outside folder, listed", "files_list", args("path", "link-dir"),
                        OUT_OR_UNFOLLOWED),
                Arguments.of("a new file under a linked parent folder", "files_write", args("path",
                        "link-dir/new.txt", "content", "x"), OUT_OR_UNFOLLOWED),
                Arguments.of("a new folder's file under a linked parent", "files_write", args("path",
                        "link-dir/dir/new.txt", "content", "x"), OUT_OR_UNFOLLOWED),
                Arguments.of("writing over a link", "files_write", args("path", "link-file", "content", "x"),
                        "is a symbolic link"),
                Arguments.of("editing through a link", "files_edit", edit("link-file"), "is a symbolic link"),
                // hard links to outside files
                Arguments.of("reading a hard link", "files_read", args("path", "hard"), "hard links"),
                Arguments.of("editing a hard link", "files_edit", edit("hard"), "hard links"),
                Arguments.of("writing a hard link", "files_write", args("path", "hard", "content", "x"),
                        "hard links"),
                Arguments.of("moving a hard link", "files_move", args("source", "hard", "destination", "h2"),
                        "hard links"),
                // /proc
                Arguments.of("/proc/self/root", "files_read", args("path", "/proc/self/root/etc/passwd"),
                        "outside every root"),
                Arguments.of("/proc/self/cwd", "files_list", args("path", "/proc/self/cwd"), "outside every root"),
                Arguments.of("a link to /proc/self/root", "files_read", args("path", "proc-link/etc/passwd"),
                        OUT_OR_UNFOLLOWED),
                Arguments.of("a link to /proc/self/cwd", "files_list", args("path", "cwd-link"),
                        OUT_OR_UNFOLLOWED),
                // the text of the path
                Arguments.of("a NUL byte", "files_read", args("path", "ok.txt\u0000../outside/secret.txt"),
                        "must not contain a NUL character"),
                Arguments.of("an over-long path", "files_read", args("path", "sub/".repeat(1100) + "x"),
                        "the limit is 4096"),
                Arguments.of("an over-long name", "files_write", args("path", "x".repeat(300), "content", "x"),
                        "longer than 255 bytes"),
                Arguments.of("fullwidth full stops", "files_read", args("path",
                        "\uff0e\uff0e/outside/secret.txt"), "look-alike of '.'"),
                Arguments.of("a fullwidth solidus", "files_read", args("path", "..\uff0foutside\uff0fsecret.txt"),
                        "look-alike"),
                Arguments.of("one dot leaders", "files_list", args("path", "\u2024\u2024"), "look-alike"),
                Arguments.of("a division slash, taken literally", "files_read", args("path",
                        "..\u2215outside\u2215secret.txt"), "does not exist"),
                Arguments.of("an NFD form of an NFC name", "files_read", args("path", "cafe\u0301.txt"),
                        "normal form NFC"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void attack_isRefused_withItsRule_andNothingOutsideIsReadOrWritten(String attack, String tool, ObjectNode args,
            String rule) throws IOException {
        for (CodeEngine engine : List.of(kernel, fallback)) {
            Map<String, String> before = snapshot();
            ObjectNode real = args.deepCopy();
            real.properties().forEach(e -> real.put(e.getKey(), e.getValue().isString()
                    ? e.getValue().asString()
                            .replace("<abs>", base.toString())
                    : e.getValue().toString()));
            if (args.has("edits")) {
                real.set("edits", args.get("edits"));
            }
            ToolResult result = engine.tools().call(agent, tool, real);
            assertThat(result.error()).as(attack + ": " + result.text()).isTrue();
            assertThat(result.text()).as(attack).containsPattern(rule);
            assertThat(result.text() + result.structured()).doesNotContain(SECRET, EVIL, "root:x:0:0");
            assertThat(snapshot()).as(attack + ": nothing outside changed").isEqualTo(before);
        }
    }

    @Test
    void search_ofTheWholeRoot_neverReadsThroughLinks() {
        for (CodeEngine engine : List.of(kernel, fallback)) {
            ToolResult result = engine.tools().call(agent, "files_search", args("contentPattern", "SECRET|root:x"));
            assertThat(result.error()).isFalse();
            assertThat(result.text()).contains("no matches").doesNotContain(SECRET);
            ToolResult names = engine.tools().call(agent, "files_search", args("pattern", "**secret*"));
            assertThat(names.text()).contains("no matches");
        }
    }

    @Test
    void aFolderSwappedForALinkBetweenTwoCalls_isRefusedOnTheSecond() throws IOException {
        Path swap = Files.createDirectories(root.resolve("swap"));
        Files.writeString(swap.resolve("secret.txt"), "first\n");
        assertThat(kernel.tools().call(agent, "files_read", args("path", "swap/secret.txt")).text()).isEqualTo(
                "first\n");
        Files.delete(swap.resolve("secret.txt"));
        Files.delete(swap);
        Files.createSymbolicLink(swap, Path.of("../outside"));
        for (CodeEngine engine : List.of(kernel, fallback)) {
            ToolResult second = engine.tools().call(agent, "files_read", args("path", "swap/secret.txt"));
            assertThat(second.error()).isTrue();
            assertThat(second.text()).containsPattern(OUT_OR_UNFOLLOWED).doesNotContain(SECRET);
        }
    }

    @Test
    void aLinkFlippedInAndOutDuringLongReads_neverLetsOutsideBytesThrough() throws Exception {
        Path in = Files.createDirectories(root.resolve("flip-in"));
        String inside = "inside line\n".repeat(1_500);
        Files.writeString(in.resolve("secret.txt"), inside);
        Path flip = root.resolve("flip");
        Files.createSymbolicLink(flip, Path.of("flip-in"));
        AtomicBoolean running = new AtomicBoolean(true);
        Thread flipper = Thread.ofPlatform().start(() -> {
            int n = 0;
            try {
                while (running.get()) {
                    Path next = root.resolve("flip.tmp");
                    Files.deleteIfExists(next);
                    Files.createSymbolicLink(next, Path.of(n++ % 2 == 0 ? "../outside" : "flip-in"));
                    Files.move(next, flip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        int read = 0;
        int refused = 0;
        try {
            ObjectNode args = args("path", "flip/secret.txt");
            args.put("head", 100_000);
            for (int i = 0; i < 200; i++) {
                ToolResult result = kernel.tools().call(agent, "files_read", args);
                if (result.error()) {
                    assertThat(result.text()).contains(OUT).doesNotContain(SECRET);
                    refused++;
                } else {
                    assertThat(result.text()).isEqualTo(inside);
                    read++;
                }
            }
        } finally {
            running.set(false);
            flipper.join();
        }
        assertThat(read + refused).isEqualTo(200);
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo(SECRET);
    }

    /** {@return every file and folder under the base but the root, with file contents: what an attack must not touch} */
    private static Map<String, String> snapshot() throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : walk.filter(p -> !p.startsWith(root)).toList()) {
                all.put(base.relativize(p).toString(), Files.isRegularFile(p)
                        ? Files.readString(p,
                                StandardCharsets.UTF_8)
                        : "dir");
            }
        }
        all.put("r/hard", Files.readString(root.resolve("hard")));
        return all;
    }
}
