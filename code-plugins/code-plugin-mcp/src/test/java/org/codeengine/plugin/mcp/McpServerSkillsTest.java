package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import org.codeengine.api.security.Principal;
import org.codeengine.plugin.mcp.internal.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The skills extension (SEP-2640) of the server: skills served from a folder, on the stateless wire (2026-07-28). */
class McpServerSkillsTest {
    private static final Principal ALICE = new Principal("alice", Principal.Kind.USER, Set.of());
    private static final String MANIFEST = "---\nname: lint\n# a comment\ndescription: \"Lints: the whole tree\"\n"
            + "version: 3\nbeta: true\nmetadata:\n  owner: 'team ''core'''\n  tier: 2\n---\n\n# Lint\n\nRun it.\n";

    @TempDir
    Path folder;

    private McpServer server() throws Exception {
        write("lint/SKILL.md", MANIFEST);
        write("lint/rules/style.txt", "no tabs\n");
        write("lint/rules/deep/more.md", "# more\n");
        write("pack/SKILL.md", "---\nname: pack\ndescription: Packs the build\n---\nPack.\n");
        return McpServer.builder().skills(folder).build();
    }

    private void write(String path, String text) throws Exception {
        Path file = folder.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static JsonNode call(McpServer server, String method, ObjectNode params) throws Exception {
        return StatelessCalls.call(server, ALICE, Json.object(), method, params);
    }

    private static String sha256(String text) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(
                StandardCharsets.UTF_8)));
    }

    @Test
    void skillsList_namesEachSkill_withItsFrontmatterAndEveryFileWithDigestAndSize() throws Exception {
        McpServer server = server();
        JsonNode result = call(server, "skills/list", Json.object()).path("result");
        assertThat(result.path("skills").valueStream().map(s -> s.path("uri").asString())).containsExactly(
                "skill://lint/SKILL.md", "skill://pack/SKILL.md");
        assertThat(result.has("ttlMs") && result.has("cacheScope")).isTrue();
        JsonNode lint = result.path("skills").path(0);
        assertThat(lint.path("frontmatter")).isEqualTo(Json.parse("{\"name\":\"lint\",\"description\":\"Lints: the "
                + "whole tree\",\"version\":3,\"beta\":true,\"metadata\":{\"owner\":\"team 'core'\",\"tier\":2}}"));
        assertThat(lint.path("resources").valueStream().map(r -> r.path("uri").asString() + " " + r.path("size")
                .asInt() + " " + r.path("digest").asString())).containsExactly("skill://lint/SKILL.md " + MANIFEST
                        .length() + " " + sha256(MANIFEST), "skill://lint/rules/deep/more.md 7 " + sha256("# more\n"),
                        "skill://lint/rules/style.txt 8 " + sha256("no tabs\n"));

        JsonNode got = call(server, "skills/get", Json.object().put("uri", "skill://lint/SKILL.md")).path("result");
        assertThat(got.path("skill")).isEqualTo(lint);
        assertThat(got.has("nextCursor")).isFalse();
        JsonNode unknown = call(server, "skills/get", Json.object().put("uri", "skill://nope/SKILL.md"));
        assertThat(unknown.path("error").path("code").asInt()).isEqualTo(McpException.INVALID_PARAMS);

        assertThat(call(server, "server/discover", Json.object()).path("result").path("capabilities").path(
                "extensions").path(ServerSkills.EXTENSION)).isEqualTo(Json.parse("{\"directoryRead\":true}"));
    }

    @Test
    void skillFiles_areResources_andFoldersAreReadAsDirectories() throws Exception {
        McpServer server = server();
        JsonNode listed = call(server, "resources/list", Json.object()).path("result").path("resources");
        JsonNode manifest = listed.valueStream().filter(r -> r.path("uri").asString().equals("skill://lint/SKILL.md"))
                .findFirst().orElseThrow();
        assertThat(manifest.path("name").asString()).isEqualTo("lint");
        assertThat(manifest.path("description").asString()).isEqualTo("Lints: the whole tree");
        assertThat(manifest.path("mimeType").asString()).isEqualTo("text/markdown");

        JsonNode read = call(server, "resources/read", Json.object().put("uri", "skill://lint/rules/style.txt")).path(
                "result").path("contents").path(0);
        assertThat(read.path("text").asString()).isEqualTo("no tabs\n");

        JsonNode children = call(server, "resources/directory/read", Json.object().put("uri", "skill://lint")).path(
                "result").path("resources");
        assertThat(children.valueStream().map(c -> c.path("uri").asString() + " " + c.path("mimeType").asString()))
                .containsExactly("skill://lint/SKILL.md text/markdown", "skill://lint/rules inode/directory");
        assertThat(call(server, "resources/directory/read", Json.object().put("uri", "skill://lint/rules")).path(
                "result").path("resources").valueStream().map(c -> c.path("name").asString())).containsExactly("deep",
                        "style.txt");
        JsonNode notAFolder = call(server, "resources/directory/read", Json.object().put("uri",
                "skill://lint/SKILL.md"));
        assertThat(notAFolder.path("error").path("code").asInt()).isEqualTo(McpException.INVALID_PARAMS);
    }

    @Test
    void badSkill_isRefusedWhenTheServerIsBuilt_namingTheFileAndTheRule() throws Exception {
        write("other/SKILL.md", "---\nname: lint\ndescription: x\n---\n");
        assertThatThrownBy(() -> McpServer.builder().skills(folder)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other").hasMessageContaining("frontmatter name must equal the folder's name");

        Files.delete(folder.resolve("other/SKILL.md"));
        assertThatThrownBy(() -> McpServer.builder().skills(folder)).hasMessageContaining("holds no SKILL.md");

        write("other/SKILL.md", "---\nname: other\ndescription: x\ntags:\n  - a\n---\n");
        assertThatThrownBy(() -> McpServer.builder().skills(folder)).hasMessageContaining("line 5");

        write("other/SKILL.md", "# no frontmatter\n");
        assertThatThrownBy(() -> McpServer.builder().skills(folder)).hasMessageContaining(
                "must begin with YAML frontmatter");

        write("Bad_Name/SKILL.md", "---\nname: Bad_Name\ndescription: x\n---\n");
        Files.delete(folder.resolve("other/SKILL.md"));
        Files.delete(folder.resolve("other"));
        assertThatThrownBy(() -> McpServer.builder().skills(folder)).hasMessageContaining("Bad_Name")
                .hasMessageContaining("lower-case");
    }

    @Test
    void serverWithoutSkills_declaresNoSkillsExtension_andHasNoSkillMethods() throws Exception {
        McpServer server = McpServer.builder().build();
        assertThat(call(server, "server/discover", Json.object()).path("result").path("capabilities").path(
                "extensions").has(ServerSkills.EXTENSION)).isFalse();
        assertThat(call(server, "skills/list", Json.object()).path("error").path("code").asInt()).isEqualTo(
                McpException.METHOD_NOT_FOUND);
    }
}
