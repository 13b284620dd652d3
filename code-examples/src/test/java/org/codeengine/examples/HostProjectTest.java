package org.codeengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new team does: a throw-away Maven project of its own imports {@code code-bom}, depends on {@code code-core}
 * without a version, holds the README's embedding example as its one source file, and builds and runs it on the class
 * path and on the module path. CODE's artifacts are installed into a temporary local repository (never the user's);
 * the third-party artifacts the build already downloaded are linked into it, and the host's Maven runs offline.
 */
class HostProjectTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path work;

    static Path host;
    static String classPath;

    @BeforeAll
    static void buildTheHostProject() throws Exception {
        String version = version(Files.readString(ROOT.resolve("code-bom/pom.xml")));
        Path repo = seededRepository(work.resolve("repo"));
        Path ours = repo.resolve("org/codeengine");
        install(ours, "code-parent", version, ROOT.resolve("pom.xml"), null);
        install(ours, "code-bom", version, ROOT.resolve("code-bom/pom.xml"), null);
        for (String module : List.of("code-api", "code-schema", "code-core")) {
            install(ours, module, version, ROOT.resolve(module + "/pom.xml"), ROOT.resolve(module + "/target/classes"));
        }

        host = work.resolve("host");
        Path sources = Files.createDirectories(host.resolve("src/main/java/com/example/host"));
        Files.writeString(sources.resolve("HostApp.java"), readmeExample());
        Files.writeString(host.resolve("src/main/java/module-info.java"), """
                module com.example.host {
                    requires org.codeengine.core;
                }
                """);
        Files.writeString(host.resolve("pom.xml"), hostPom(version));

        Path java = Path.of(System.getProperty("java.home"));
        ProcessBuilder mvn = new ProcessBuilder("mvn", "-B", "-q", "-o", "-Dmaven.repo.local=" + repo, "compile",
                "dependency:build-classpath", "-Dmdep.outputFile=classpath.txt").directory(host.toFile())
                .redirectErrorStream(true);
        // Maven itself on this JDK (25): it reads CODE's module descriptors to put them on the module path
        mvn.environment().put("JAVA_HOME", java.toString());
        mvn.environment().put("PATH", java.resolve("bin") + File.pathSeparator + System.getenv("PATH"));
        String output = finish(mvn.start(), 300);
        assertThat(host.resolve("target/classes/com/example/host/HostApp.class")).as(output).exists();
        classPath = host.resolve("target/classes") + File.pathSeparator + Files.readString(host.resolve(
                "classpath.txt")).strip();
    }

    @Test
    void theReadmeHost_runsOnTheClassPath() throws Exception {
        String output = run("-cp", classPath, "com.example.host.HostApp", work.resolve("cp/host-db").toString());

        assertThat(output).contains("deployment hello to dev: 2 services in 2 phases").contains(
                "audit log intact: true");
    }

    @Test
    void theReadmeHost_runsOnTheModulePath() throws Exception {
        String output = run("--module-path", classPath, "--module", "com.example.host/com.example.host.HostApp", work
                .resolve("mp/host-db").toString());

        assertThat(output).contains("deployment hello to dev: 2 services in 2 phases").contains(
                "audit log intact: true");
    }

    private static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String output = finish(process, 60);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    /** @return the README's embedding example: the one Java block of its section, a whole file */
    static String readmeExample() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("## Embedding CODE in a host application");
        int from = readme.indexOf("```java\n", section) + "```java\n".length();
        int to = readme.indexOf("```", from);
        assertThat(section).isNotNegative();
        assertThat(readme.indexOf("\n## ", section + 3)).as("the example is in the section").isGreaterThan(to);
        return readme.substring(from, to);
    }

    /**
     * A local repository of the test's own: every folder of the build's local repository is linked into it (read
     * only, by convention: the host's Maven runs offline and resolves what is there), except CODE's own group.
     */
    private static Path seededRepository(Path repo) throws Exception {
        Path h2 = Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path local = h2.getParent().getParent().getParent().getParent().getParent(); // com/h2database/h2/V/h2-V.jar
        Files.createDirectories(repo.resolve("org/codeengine"));
        try (Stream<Path> top = Files.list(local)) {
            for (Path entry : top.toList()) {
                if (!entry.getFileName().toString().equals("org")) {
                    Files.createSymbolicLink(repo.resolve(entry.getFileName().toString()), entry);
                }
            }
        }
        try (Stream<Path> org = Files.list(local.resolve("org"))) {
            for (Path entry : org.toList()) {
                if (!entry.getFileName().toString().equals("codeengine")) {
                    Files.createSymbolicLink(repo.resolve("org").resolve(entry.getFileName().toString()), entry);
                }
            }
        }
        return repo;
    }

    /** Lays an artifact out as {@code mvn install} does: its pom, and its jar when it has classes. */
    private static void install(Path group, String artifact, String version, Path pom, @Nullable Path classes)
            throws IOException {
        Path dir = Files.createDirectories(group.resolve(artifact).resolve(version));
        Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"));
        if (classes == null) {
            return;
        }
        assertThat(classes.resolve("module-info.class")).as("built by the reactor before this module").exists();
        try (OutputStream file = Files.newOutputStream(dir.resolve(artifact + "-" + version + ".jar"));
                JarOutputStream jar = new JarOutputStream(file);
                Stream<Path> all = Files.walk(classes)) {
            for (Path path : all.filter(p -> !p.equals(classes)).sorted().toList()) {
                String name = classes.relativize(path).toString().replace(File.separatorChar, '/');
                boolean folder = Files.isDirectory(path); // folder entries too: Flyway finds migrations by them
                jar.putNextEntry(new JarEntry(folder ? name + "/" : name));
                if (!folder) {
                    Files.copy(path, jar);
                }
                jar.closeEntry();
            }
        }
    }

    private static String version(String bomPom) {
        Matcher m = Pattern.compile("<artifactId>code-bom</artifactId>\\s*<version>([^<]+)</version>").matcher(
                bomPom);
        assertThat(m.find()).as("code-bom's version").isTrue();
        return m.group(1);
    }

    private static String hostPom(String version) {
        // the plugin versions CODE's build uses, so that the offline build finds them
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.example</groupId>
                  <artifactId>host</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>25</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencyManagement>
                    <dependencies>
                      <dependency>
                        <groupId>org.codeengine</groupId>
                        <artifactId>code-bom</artifactId>
                        <version>%s</version>
                        <type>pom</type>
                        <scope>import</scope>
                      </dependency>
                    </dependencies>
                  </dependencyManagement>
                  <dependencies>
                    <dependency>
                      <groupId>org.codeengine</groupId>
                      <artifactId>code-core</artifactId>
                    </dependency>
                  </dependencies>
                  <build>
                    <pluginManagement>
                      <plugins>
                        <plugin>
                          <artifactId>maven-resources-plugin</artifactId>
                          <version>3.3.1</version>
                        </plugin>
                        <plugin>
                          <artifactId>maven-compiler-plugin</artifactId>
                          <version>3.16.0</version>
                        </plugin>
                        <plugin>
                          <artifactId>maven-dependency-plugin</artifactId>
                          <version>3.9.0</version>
                        </plugin>
                      </plugins>
                    </pluginManagement>
                  </build>
                </project>
                """.formatted(version);
    }

    private static String finish(Process process, int seconds) throws Exception {
        byte[] bytes = process.getInputStream().readAllBytes();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not exit within " + seconds + " s:\n" + new String(bytes,
                    StandardCharsets.UTF_8));
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
