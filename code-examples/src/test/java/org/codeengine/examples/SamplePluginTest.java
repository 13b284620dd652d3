package org.codeengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a plugin author does: the sample third-party plugin in {@code code-examples/sample-plugin}, a Maven project of
 * its own, builds against CODE's BOM and runs the contract kits on its step executor, health probe and tool provider,
 * with CODE's artifacts installed into a temporary local repository ({@link LocalInstall}).
 */
class SamplePluginTest {
    private static final Pattern COUNTS = Pattern.compile(
            "Tests run: (\\d+), Failures: (\\d+), Errors: (\\d+), Skipped: (\\d+)");

    @TempDir
    Path work;

    @Test
    void theSamplePlugin_passesTheKitsOfItsThreeSpis() throws Exception {
        Path project = copy(LocalInstall.ROOT.resolve("code-examples/sample-plugin"), work.resolve("sample-plugin"));

        LocalInstall.Finished build = LocalInstall.maven(project, 300, "-Dcode.version=" + LocalInstall.version(),
                "test");

        assertThat(build.exit()).as(build.output()).isZero();
        Map<String, int[]> reports = reports(project.resolve("target/surefire-reports"));
        assertThat(reports).as(build.output()).containsOnlyKeys("com.example.sampleplugin.ScriptExecutorTest",
                "com.example.sampleplugin.FileProbeTest", "com.example.sampleplugin.MathToolsTest");
        reports.forEach((test, counts) -> {
            assertThat(counts[0]).as("tests run in %s", test).isGreaterThanOrEqualTo(6);
            assertThat(counts[1] + counts[2]).as("failures and errors in %s", test).isZero();
        });
        assertThat(reports.get("com.example.sampleplugin.FileProbeTest")[3]).as(
                "skipped: a file probe has no target that stalls").isEqualTo(1);
        assertThat(reports.get("com.example.sampleplugin.MathToolsTest")[3]).isZero();
        assertThat(reports.get("com.example.sampleplugin.ScriptExecutorTest")[3]).isZero();
    }

    /** {@return per test class, its counts of tests run, failures, errors and skipped} */
    private static Map<String, int[]> reports(Path folder) throws Exception {
        Map<String, int[]> counts = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".txt")).toList()) {
                Matcher m = COUNTS.matcher(Files.readString(file));
                assertThat(m.find()).as("counts in %s", file).isTrue();
                String name = file.getFileName().toString();
                counts.put(name.substring(0, name.length() - ".txt".length()), new int[]{Integer.parseInt(m.group(1)),
                        Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))});
            }
        }
        return counts;
    }

    /** Copies the project's sources (not a {@code target} folder a manual build left) into the test's folder. */
    private static Path copy(Path from, Path to) throws Exception {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path path : all.filter(p -> !from.relativize(p).startsWith("target")).toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }
}
