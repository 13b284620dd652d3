package org.codeengine.benchmarks.tools;

import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.mcp.McpServer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server side of {@link FilesReadBenchmark}'s stdio case, a process of its own: an engine with the files tools
 * confined to one root, its registry served over MCP on stdin and stdout until stdin closes.
 */
public final class FilesServer {
    private FilesServer() {}

    /**
     * @param root the folder the files tools serve
     * @return an engine whose registry serves {@code files_*} confined to {@code root}, to a caller in the role
     *         {@code reader}, which may call files_read
     */
    static CodeEngine engine(Path root) {
        ObjectNode settings = JsonMapper.shared().createObjectNode();
        settings.putArray("roots").add(root.toString());
        CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("bench" + UUID.randomUUID().toString()
                .replace("-", ""))).toolSettings("files", settings).build();
        engine.security().defineRole("reader", Set.of(Permission.parse("tool:call:files_read")), Set.of());
        return engine;
    }

    static final Principal READER = new Principal("bench", Principal.Kind.SERVICE, Set.of("reader"));

    /** @param args the root folder */
    public static void main(String[] args) {
        try (CodeEngine engine = engine(Path.of(args[0]))) {
            McpServer.builder().info("code-bench-files", "1").registry(engine.tools()).defaultPrincipal(READER).build()
                    .serveStdio(System.in, System.out);
        }
    }
}
