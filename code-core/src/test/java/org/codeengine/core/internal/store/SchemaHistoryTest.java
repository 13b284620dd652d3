package org.codeengine.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migrations CODE carries, read from their names in a jar or a folder, and versions compared as Flyway does. */
class SchemaHistoryTest {
    @TempDir
    Path dir;

    @Test
    void carriedVersions_ofCodesOwnMigrations_areEveryVersionedFile() throws Exception {
        List<String> files;
        try (var list = Files.list(Path.of(JdbcStore.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).resolve("META-INF/code/migration"))) {
            files = list.map(f -> f.getFileName().toString()).toList();
        }

        assertThat(SchemaHistory.carriedVersions(List.of(JdbcStore.MIGRATIONS))).hasValueSatisfying(v -> assertThat(v)
                .hasSize(files.size()).contains("1", "10"));
    }

    @Test
    void carriedVersions_inAJar_areReadFromTheEntriesOfTheLocation() throws Exception {
        Path jar = jar("META-INF/code/migration/V1__first.sql", "META-INF/code/migration/V2_1__second.sql",
                "META-INF/code/other/V7__elsewhere.sql");

        assertThat(SchemaHistory.carriedVersions(jar, List.of("classpath:META-INF/code/migration")))
                .hasValueSatisfying(v -> assertThat(v).containsExactlyInAnyOrder("1", "2.1"));
        assertThat(SchemaHistory.carriedVersions(jar, List.of("classpath:META-INF/code/none"))).isEmpty();
    }

    @Test
    void carriedVersions_leaveToTheMigrator_whatIsNotAVersionedSqlMigration() throws Exception {
        assertThat(SchemaHistory.carriedVersions(jar("m/V1__a.sql", "m/R__repeatable.sql"), List.of("classpath:m")))
                .isEmpty();
        assertThat(SchemaHistory.carriedVersions(jar("m/V1__a.sql", "m/V1.0__same.sql"), List.of("classpath:m")))
                .as("two files of one version").isEmpty();
        assertThat(SchemaHistory.carriedVersions(jar("m/V1__a.sql"), List.of("filesystem:m"))).isEmpty();
    }

    @Test
    void normalized_readsVersionsAsFlywayCompares() {
        assertThat(SchemaHistory.normalized("1_01")).isEqualTo("1.1");
        assertThat(SchemaHistory.normalized("2.0.0")).isEqualTo("2");
        assertThat(SchemaHistory.normalized("010")).isEqualTo("10");
    }

    private Path jar(String... entries) throws Exception {
        Path jar = Files.createTempFile(dir, "migrations", ".jar");
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            for (String entry : entries) {
                zip.putNextEntry(new ZipEntry(entry));
                zip.write("select 1;".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }
}
