package org.codeengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * CODE's artifacts installed once per JVM into a temporary local repository (never the user's), as {@code mvn install}
 * would lay them out, for the throw-away projects a new team or a plugin author would write: the parent and BOM poms,
 * {@code code-api}, {@code code-schema}, {@code code-core}, {@code code-plugin-h2} (the default store) and
 * {@code code-plugin-testkit}, from this build's classes.
 * The third-party artifacts the build already downloaded are linked into it, so the projects' Maven runs offline.
 */
final class LocalInstall {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static @Nullable Path repository;

    private LocalInstall() {}

    /** {@return the repository, installed on the first call; removed when the JVM exits} */
    static synchronized Path repository() throws Exception {
        if (repository != null) {
            return repository;
        }
        Path repo = Files.createTempDirectory("code-local-install");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(repo)));
        seed(repo);
        Path ours = repo.resolve("org/codeengine");
        String version = version();
        install(ours, "code-parent", version, ROOT.resolve("pom.xml"), null);
        install(ours, "code-bom", version, ROOT.resolve("code-bom/pom.xml"), null);
        install(ours, "code-plugins", version, ROOT.resolve("code-plugins/pom.xml"), null);
        for (String module : List.of("code-api", "code-schema", "code-core")) {
            Path classes = ROOT.resolve(module + "/target/classes");
            assertThat(classes.resolve("module-info.class")).as("built by the reactor before this module").exists();
            install(ours, module, version, ROOT.resolve(module + "/pom.xml"), classes);
        }
        for (String plugin : List.of("code-plugin-h2", "code-plugin-testkit")) {
            Path module = ROOT.resolve("code-plugins/" + plugin);
            assertThat(module.resolve("target/classes/org/codeengine/plugin")).as("%s built by the reactor before"
                    + " this module", plugin).isDirectory();
            install(ours, plugin, version, module.resolve("pom.xml"), module.resolve("target/classes"));
        }
        repository = repo;
        return repo;
    }

    /** {@return the version of CODE's artifacts, from {@code code-bom}'s pom} */
    static String version() throws IOException {
        Matcher m = Pattern.compile("<artifactId>code-bom</artifactId>\\s*<version>([^<]+)</version>").matcher(Files
                .readString(ROOT.resolve("code-bom/pom.xml")));
        assertThat(m.find()).as("code-bom's version").isTrue();
        return m.group(1);
    }

    /**
     * Runs Maven offline on a project against the repository, with Maven itself on this JDK (25): it reads CODE's
     * module descriptors.
     *
     * @param project the project's folder
     * @param seconds the longest the build may take
     * @param args Maven's arguments (goals, properties)
     * @return its exit code and output
     */
    static Finished maven(Path project, int seconds, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-o", "-Dmaven.repo.local=" + repository()));
        command.addAll(List.of(args));
        ProcessBuilder mvn = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true);
        Path java = Path.of(System.getProperty("java.home"));
        mvn.environment().put("JAVA_HOME", java.toString());
        mvn.environment().put("PATH", java.resolve("bin") + File.pathSeparator + System.getenv("PATH"));
        mvn.environment().remove("MAVEN_OPTS");
        return finish(mvn.start(), seconds);
    }

    /**
     * What a child process did.
     *
     * @param exit its exit code
     * @param output its standard output and error
     */
    record Finished(int exit, String output) {}

    /** Reads all a child writes and waits for its end, killing it after {@code seconds}. */
    static Finished finish(Process process, int seconds) throws Exception {
        byte[] bytes = process.getInputStream().readAllBytes();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not exit within " + seconds + " s:\n" + new String(bytes,
                    StandardCharsets.UTF_8));
        }
        return new Finished(process.exitValue(), new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * Links every folder of the build's local repository into {@code repo} (read only, by convention: the projects'
     * Maven runs offline and resolves what is there), except CODE's own group.
     */
    private static void seed(Path repo) throws Exception {
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
    }

    /** Lays an artifact out as {@code mvn install} does: its pom, and its jar when it has classes. */
    private static void install(Path group, String artifact, String version, Path pom, @Nullable Path classes)
            throws IOException {
        Path dir = Files.createDirectories(group.resolve(artifact).resolve(version));
        Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"));
        if (classes == null) {
            return;
        }
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

    /** Deletes a tree without following its links (the seeded folders are links into the user's repository). */
    private static void delete(Path tree) {
        try (Stream<Path> all = Files.walk(tree)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
