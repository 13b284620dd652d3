package org.codeengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new team does: a throw-away Maven project of its own imports {@code code-bom}, depends on {@code code-core}
 * and the default store's {@code code-plugin-h2} without a version, holds the README's embedding example as its one source file, and builds and runs it on the class
 * path and on the module path, against CODE's artifacts installed into a temporary local repository
 * ({@link LocalInstall}); the host's Maven runs offline.
 */
class HostProjectTest {
    @TempDir
    static Path work;

    static Path host;
    static String classPath;

    @BeforeAll
    static void buildTheHostProject() throws Exception {
        host = work.resolve("host");
        Path sources = Files.createDirectories(host.resolve("src/main/java/com/example/host"));
        Files.writeString(sources.resolve("HostApp.java"), readmeExample());
        Files.writeString(host.resolve("src/main/java/module-info.java"), """
                module com.example.host {
                    requires org.codeengine.core;
                }
                """);
        Files.writeString(host.resolve("pom.xml"), hostPom(LocalInstall.version()));

        LocalInstall.Finished build = LocalInstall.maven(host, 300, "-q", "compile", "dependency:build-classpath",
                "-Dmdep.outputFile=classpath.txt");
        assertThat(host.resolve("target/classes/com/example/host/HostApp.class")).as(build.output()).exists();
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
        LocalInstall.Finished run = LocalInstall.finish(new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).start(), 60);
        assertThat(run.exit()).as(run.output()).isZero();
        return run.output();
    }

    /** {@return the README's embedding example: the one Java block of its section, a whole file} */
    static String readmeExample() throws IOException {
        String readme = Files.readString(LocalInstall.ROOT.resolve("README.md"));
        int section = readme.indexOf("## Embedding CODE in a host application");
        int from = readme.indexOf("```java\n", section) + "```java\n".length();
        int to = readme.indexOf("```", from);
        assertThat(section).isNotNegative();
        assertThat(readme.indexOf("\n## ", section + 3)).as("the example is in the section").isGreaterThan(to);
        return readme.substring(from, to);
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
                    <dependency>
                      <groupId>org.codeengine</groupId>
                      <artifactId>code-plugin-h2</artifactId>
                      <scope>runtime</scope>
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
}
