package org.codeengine.examples.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.codeengine.api.security.ScanNotice;
import org.codeengine.api.security.ScanOptions;
import org.codeengine.api.security.ScanReport;
import org.codeengine.api.security.SecretFinding;
import org.codeengine.api.security.SecretScanner;
import org.codeengine.api.security.Security;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code code secrets scan}: the secret scanner over files and folders. */
@Command(name = "secrets", mixinStandardHelpOptions = true, description = "Find secrets in files.", subcommands = {
        SecretsCommand.Scan.class}, footer = {"", "Examples:", "  code secrets scan .", "  code secrets scan "
                + "config/ deploy.env --json"})
final class SecretsCommand extends CommandGroup {
    /** {@return the findings as JSON: rule, file, line, column and the redacted match of each} */
    static ArrayNode findings(List<SecretFinding> findings) {
        ArrayNode array = Output.JSON.createArrayNode();
        findings.forEach(f -> array.addObject().put("rule", f.ruleId()).put("file", f.source()).put("line", f.line())
                .put("column", f.column()).put("redacted", f.redacted()));
        return array;
    }

    @Command(name = "scan", mixinStandardHelpOptions = true, description = {
            "Scan files and folders for provider API keys, cloud keys, tokens and private keys; print each finding "
                    + "with its rule, file, line and a redacted match (never the secret).",
            "Files are streamed, so none is too large; folders are scanned on every processor. Skips .git, target, "
                    + "node_modules and .idea folders. Symbolic links inside folders are not followed.",
            "Every file not read (unreadable, a symbolic link, a FIFO or socket, over --max-size) is reported, and so "
                    + "is every file read as UTF-16 (byte order mark), Latin-1 (not UTF-8) or binary.",
            "Exits with 1 when a secret is found, with 2 when nothing was found but something was not read (unless "
                    + "--allow-skipped), with 0 when everything was read and nothing found."}, footer = {"",
                            "Examples:", "  code secrets scan .", "  code secrets scan src/ .env --json",
                            "  code secrets scan . --max-size 50000000 --allow-skipped",
                            "  code secrets scan . --config .gitleaks.toml --format sarif",
                            "  code secrets scan . --git main..HEAD"})
    static final class Scan extends BaseCommand {
        private static final Set<String> EXCLUDED = Set.of(".git", "target", "node_modules", ".idea");
        /** The exit code when nothing was found but something was not read. */
        static final int INCOMPLETE = 2;

        @Parameters(paramLabel = "PATH", arity = "0..*", description = "Files or folders; with --git, the repository "
                + "(default: the current folder).")
        List<Path> paths = new ArrayList<>();

        @Option(names = "--git", arity = "0..1", paramLabel = "RANGE", fallbackValue = "", description = "Scan the "
                + "lines commits added instead of files: all of HEAD's history, or a range (main..HEAD, -10); each "
                + "finding names its commit and author.")
        @Nullable
        String git;

        @Option(names = "--allow-skipped", description = "Exit 0, not 2, when files were not read but nothing was "
                + "found (they are still listed).")
        boolean allowSkipped;

        @Option(names = "--config", paramLabel = "FILE", description = "Scan with the rules of a gitleaks-format "
                + "configuration (.gitleaks.toml): [[rules]], allowlists, [extend] useDefault for CODE's rules too.")
        @Nullable
        Path config;

        @Option(names = "--ignore-file", paramLabel = "FILE", description = "Fingerprints of findings to ignore, one a "
                + "line (FILE:RULE:LINE, as gitleaks writes them). Default: .gitleaksignore in each folder scanned.")
        @Nullable
        Path ignoreFile;

        @Option(names = "--format", paramLabel = "FORMAT", description = "text (the default), json (as --json) or "
                + "sarif (SARIF 2.1.0, for code-scanning pages).")
        String format = "text";

        @Option(names = "--max-size", paramLabel = "BYTES", description = "Do not read files larger than this; each "
                + "is reported. Default: no limit.")
        long maxSize = Long.MAX_VALUE;

        @Override
        int run(Session session) {
            if (git != null) {
                return history(session);
            }
            if (paths.isEmpty()) {
                throw CliException.usage("a PATH is required", "code secrets scan . (or --git for the history)");
            }
            for (Path path : paths) {
                if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw CliException.usage("no such file or folder: " + path, "check the path");
                }
            }
            if (!List.of("text", "json", "sarif").contains(format)) {
                throw CliException.usage("--format: one of text, json, sarif; got " + format, "use --format sarif");
            }
            if (maxSize < 0) {
                throw CliException.usage("--max-size: must be 0 or more bytes, got " + maxSize, "drop it for no "
                        + "limit");
            }
            Security security = session.engine().security();
            SecretScanner scanner = config == null ? security.scanner() : security.scanner(config);
            ScanReport scanned = scanner.scan(paths, new ScanOptions(maxSize, EXCLUDED, Runtime.getRuntime()
                    .availableProcessors()));
            Fingerprints ignored = Fingerprints.read(paths, ignoreFile);
            ScanReport report = new ScanReport(scanned.files(), scanned.bytes(), scanned.findings().stream().filter(
                    f -> !ignored.matches(f)).toList(), scanned.notices());
            switch (format) {
                case "sarif" -> session.out().print(SarifReport.of(report));
                case "json" -> session.out().print(json(report, scanned.findings().size() - report.findings().size()));
                default -> print(session.out(), report, scanned.findings().size() - report.findings().size());
            }
            if (!report.findings().isEmpty()) {
                return CodeApp.FAILURE;
            }
            return report.skipped().isEmpty() || allowSkipped ? CodeApp.OK : INCOMPLETE;
        }

        private int history(Session session) {
            if (paths.size() > 1) {
                throw CliException.usage("--git scans one repository, got " + paths.size() + " paths", "name one");
            }
            Path repo = paths.isEmpty() ? Path.of(".") : paths.getFirst();
            Security security = session.engine().security();
            SecretScanner scanner = config == null ? security.scanner() : security.scanner(config);
            GitScan scan = GitScan.run(scanner, repo, git == null ? "" : git);
            Output out = session.out();
            if (out.json()) {
                ArrayNode array = findings(scan.found().stream().map(GitScan.Found::finding).toList());
                for (int i = 0; i < array.size(); i++) {
                    ((ObjectNode) array.get(i)).put("commit", scan.found().get(i).commit()).put("author", scan.found()
                            .get(i).author());
                }
                ObjectNode result = Output.object().put("commits", scan.commits());
                result.set("findings", array);
                out.print(result);
            } else {
                for (GitScan.Found g : scan.found()) {
                    SecretFinding f = g.finding();
                    out.line(g.commit().substring(0, Math.min(12, g.commit().length())) + " " + f.source() + ":" + f
                            .line() + ":" + f.column() + "  " + out.red(f.ruleId()) + "  " + f.redacted() + "  "
                            + g
                                    .author());
                }
                out.line(out.mark(scan.found().isEmpty()) + " " + scan.commits() + " commits scanned, " + scan.found()
                        .size() + " secret" + (scan.found().size() == 1 ? "" : "s") + " found");
            }
            return scan.found().isEmpty() ? CodeApp.OK : CodeApp.FAILURE;
        }

        private static ObjectNode json(ScanReport report, int ignored) {
            ArrayNode array = findings(report.findings());
            ArrayNode notices = Output.JSON.createArrayNode();
            report.notices().forEach(n -> notices.addObject().put("path", n.path()).put("kind", n.kind().name()
                    .toLowerCase(java.util.Locale.ROOT)).put("skipped", n.kind().skipped()).put("detail", n.detail()));
            ObjectNode result = Output.object().put("files", report.files()).put("bytes", report.bytes()).put(
                    "skipped", report.skipped().size()).put("ignored", ignored);
            result.set("findings", array);
            result.set("notices", notices);
            return result;
        }

        private static void print(Output out, ScanReport report, int ignored) {
            List<SecretFinding> findings = report.findings();
            int skipped = report.skipped().size();
            if (out.json()) {
                out.print(json(report, ignored));
                return;
            }
            for (SecretFinding f : findings) {
                out.line(f.source() + ":" + f.line() + ":" + f.column() + "  " + out.red(f.ruleId()) + "  " + f
                        .redacted());
            }
            for (ScanNotice n : report.notices()) {
                out.line(n.path() + "  " + (n.kind().skipped() ? out.yellow("not read") : out.dim("read")) + ": " + n
                        .detail());
            }
            out.line(out.mark(findings.isEmpty() && skipped == 0) + " " + report.files() + " files scanned, "
                    + findings.size() + " secret" + (findings.size() == 1 ? "" : "s") + " found" + (skipped == 0
                            ? ""
                            : ", " + skipped + " not read")
                    + (ignored == 0
                            ? ""
                            : ", " + ignored + " ignored by "
                                    + "fingerprint"));
        }
    }
}
