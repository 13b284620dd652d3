package org.codeengine.core.internal.security.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.codeengine.api.security.ScanNotice;
import org.codeengine.api.security.ScanOptions;
import org.codeengine.api.security.ScanReport;
import org.codeengine.api.security.SecretFinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders: scanned on several threads with the same report as on one; excluded folders are not entered. */
class PathScannerTest {
    @TempDir
    Path work;

    final PathScanner scanner = new PathScanner(DefaultRules.engine());

    @Test
    void aFolderScannedOnFourThreads_givesTheReportOneThreadGives() throws IOException {
        for (int i = 0; i < 120; i++) {
            Path dir = Files.createDirectories(work.resolve("pkg" + i % 7));
            Files.writeString(dir.resolve("f" + i + ".env"), "# file " + i + "\n".repeat(i % 5) + "K=AKIA"
                    + "QW4ER5TY6UI7OP2A".substring(0, 12) + "Z" + (char) ('A' + i % 26) + "XR\n");
        }
        Files.createDirectories(work.resolve("node_modules"));
        Files.writeString(work.resolve("node_modules/x.env"), "K=AKIAQW4ER5TY6UI7ZQXR\n");

        ScanReport one = scanner.scan(List.of(work), new ScanOptions(Long.MAX_VALUE, Set.of("node_modules"), 1));
        ScanReport four = scanner.scan(List.of(work), new ScanOptions(Long.MAX_VALUE, Set.of("node_modules"), 4));

        assertThat(one.files()).isEqualTo(120);
        assertThat(one.findings()).hasSize(120).extracting(SecretFinding::ruleId).containsOnly("aws-access-key-id");
        assertThat(four).isEqualTo(one);
        assertThat(one.notices()).isEmpty();
    }

    @Test
    void aBinaryFile_isScannedAsLatin1_andReported() throws IOException {
        byte[] bytes = ("\0\0PNG\0AKIAQW4ER5TY6UI7ZQXR\0").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(work.resolve("blob.bin"), bytes);

        ScanReport r = scanner.scan(List.of(work), ScanOptions.defaults());

        assertThat(r.findings()).extracting(SecretFinding::ruleId).containsExactly("aws-access-key-id");
        assertThat(r.notices()).extracting(ScanNotice::kind).containsExactly(ScanNotice.Kind.BINARY);
        assertThat(r.skipped()).isEmpty();
    }
}
