package org.codeengine.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.codeengine.api.security.SecretFinding;
import org.codeengine.api.security.SecretScanner;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;

/** {@code code secrets scan}: the secret scanner over files and folders. */
@Command(name = "secrets", mixinStandardHelpOptions = true, description = "Find secrets in files.", subcommands = {
        SecretsCommand.Scan.class}, footer = {"", "Examples:", "  code secrets scan .", "  code secrets scan "
                + "config/ deploy.env --json"})
final class SecretsCommand extends CommandGroup {
    @Command(name = "scan", mixinStandardHelpOptions = true, description = {
            "Scan files and folders for provider API keys, cloud keys, tokens and private keys; print each finding "
                    + "with its rule, file, line and a redacted match (never the secret).",
            "Skips .git, target and node_modules folders, binary files and files over 10 MiB.",
            "Exits with 1 when anything is found."}, footer = {"", "Examples:", "  code secrets scan .",
                    "  code secrets scan src/ .env --json"})
    static final class Scan extends BaseCommand {
        private static final Set<String> SKIPPED = Set.of(".git", "target", "node_modules", ".idea");
        private static final long MAX_SIZE = 10L * 1024 * 1024;

        @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files or folders.")
        List<Path> paths;

        @Override
        int run(Session session) {
            for (Path path : paths) {
                if (!Files.exists(path)) {
                    throw CliException.usage("no such file or folder: " + path, "check the path");
                }
            }
            SecretScanner scanner = session.engine().security().scanner();
            List<SecretFinding> findings = new ArrayList<>();
            int[] files = {0};
            for (Path path : paths) {
                try {
                    Files.walkFileTree(path, new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            return !dir.equals(path) && SKIPPED.contains(String.valueOf(dir.getFileName()))
                                    ? FileVisitResult.SKIP_SUBTREE
                                    : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            String text = attrs.isRegularFile() && attrs.size() <= MAX_SIZE ? text(file) : null;
                            if (text != null) {
                                files[0]++;
                                findings.addAll(scanner.scan(text, file.toString()));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            session.out().warn("cannot read " + file + ": " + e.getMessage());
                            return FileVisitResult.CONTINUE;
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            Output out = session.out();
            if (out.json()) {
                ArrayNode array = Output.JSON.createArrayNode();
                findings.forEach(f -> array.addObject().put("rule", f.ruleId()).put("file", f.source()).put("line", f
                        .line()).put("column", f.column()).put("redacted", f.redacted()));
                out.print(Output.object().put("files", files[0]).set("findings", array));
            } else {
                for (SecretFinding f : findings) {
                    out.line(f.source() + ":" + f.line() + ":" + f.column() + "  " + out.red(f.ruleId()) + "  " + f
                            .redacted());
                }
                out.line(out.mark(findings.isEmpty()) + " " + files[0] + " files scanned, " + findings.size()
                        + " secret" + (findings.size() == 1 ? "" : "s") + " found");
            }
            return findings.isEmpty() ? CodeApp.OK : CodeApp.FAILURE;
        }

        /** @return the file's text, or null when it is binary or not UTF-8 */
        private static @Nullable String text(Path file) {
            try {
                byte[] bytes = Files.readAllBytes(file);
                for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
                    if (bytes[i] == 0) {
                        return null;
                    }
                }
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (IOException e) { // CharacterCodingException too: not text
                return null;
            }
        }
    }
}
