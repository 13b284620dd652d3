package org.codeengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the example in a child JVM on the module path, as a modular host would: the store providers of code-core and
 * of code-plugin-postgres must be found through their {@code provides} clauses, and the store must migrate.
 */
class HelloEngineModulePathTest {
    private static Process start(Path workDir, String... args) throws Exception {
        Path target = Path.of("target");
        String dependencies = Files.readString(target.resolve("module-path.txt")).strip();
        String modulePath = target.resolve("classes").toAbsolutePath() + File.pathSeparator + dependencies;
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--module-path", modulePath, "--module",
                "org.codeengine.examples/org.codeengine.examples.HelloEngine"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    }

    private static String finish(Process process) throws Exception {
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the example did not exit within 60 s:\n" + output);
        }
        return output;
    }

    @Test
    void onTheModulePath_findsBothStoreProviders_andMigratesAFileStore(@TempDir Path dir) throws Exception {
        Process process = start(dir, "--store=" + dir.resolve("db/code-db"));
        String output = finish(process);

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("module  module path").contains("schema version 14")
                .containsPattern("StoreProvider\\s+h2\\s+0\\.1\\.0-SNAPSHOT\\s+api 1\\.0\\s+LOADED")
                .containsPattern("StoreProvider\\s+postgres\\s+0\\.1\\.0-SNAPSHOT\\s+api 1\\.0\\s+LOADED")
                .containsPattern("StepExecutor\\s+docker\\s+0\\.1\\.0-SNAPSHOT\\s+api 1\\.0\\s+LOADED")
                .containsPattern("StepExecutor\\s+kubernetes\\s+0\\.1\\.0-SNAPSHOT\\s+api 1\\.0\\s+LOADED");
        assertThat(dir.resolve("db/code-db.mv.db")).exists();
    }

    @Test
    void withAnUnknownDatabaseUrl_exitsWithOneClearError(@TempDir Path dir) throws Exception {
        Process process = start(dir, "--jdbc=jdbc:nosuchdb://127.0.0.1/x");
        String output = finish(process);

        assertThat(process.exitValue()).as(output).isEqualTo(1);
        assertThat(output.strip()).endsWith(
                "error: no StoreProvider plugin serves jdbcUrl jdbc:nosuchdb://127.0.0.1/x; present: h2, postgres");
    }
}
