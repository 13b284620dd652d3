package org.codeengine.examples.cli;

import java.util.List;
import java.util.Locale;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditVerification;
import org.codeengine.api.security.Security;
import org.codeengine.api.security.SecurityFacade;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;

/** {@code code audit verify|tail}: the tamper-evident audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Check or read the audit log.", subcommands = {
        AuditCommand.Verify.class, AuditCommand.Tail.class}, footer = {"", "Examples:", "  code audit verify",
                "  code audit tail -n 50", "  code audit tail --json | jq '.entries[].action'"})
final class AuditCommand extends CommandGroup {
    @Command(name = "verify", mixinStandardHelpOptions = true, description = {
            "Recompute the log's hash chain and Merkle roots and check its signed checkpoints against the home "
                    + "folder's audit key. Verifying changes nothing: the engine signs a checkpoint every 1000 "
                    + "entries and when a command that wrote entries ends; --checkpoint signs one of the entries so "
                    + "far first.",
            "Exits with 1 when an entry was changed, removed, reordered or forged, or the log was cut short."}, footer = {
                    "", "Examples:", "  code audit verify", "  code audit verify --checkpoint --json"})
    static final class Verify extends BaseCommand {
        @Option(names = "--checkpoint", description = "Sign a checkpoint of the entries so far before verifying.")
        boolean checkpoint;

        @Override
        int run(Session session) {
            Security security = session.engine().security();
            if (checkpoint) {
                security.checkpointAudit();
            }
            AuditVerification v = security.verifyAudit();
            Output out = session.out();
            if (out.json()) {
                out.print(Output.object().put("intact", v.intact()).put("entries", v.entries()).put("checkpoints", v
                        .checkpoints()).put("firstBroken", v.firstBroken()).put("reason", v.reason()));
            } else {
                out.line(out.mark(v.intact()) + " " + v.entries() + " entries, " + v.checkpoints()
                        + " signed checkpoints: " + (v.intact()
                                ? "intact"
                                : "broken at entry " + v.firstBroken()
                                        + ": " + v.reason()));
            }
            if (!v.intact()) {
                out.error("the audit log does not verify: " + v.reason(),
                        "restore the store from a backup and find out who could write to it");
                return CodeApp.FAILURE;
            }
            return CodeApp.OK;
        }
    }

    @Command(name = "tail", mixinStandardHelpOptions = true, description = "Show the latest audit entries.", footer = {
            "", "Examples:", "  code audit tail", "  code audit tail -n 100 --json"})
    static final class Tail extends ReadingCommand {
        @Option(names = {"-n", "--lines"}, defaultValue = "20", description = "How many entries (default: "
                + "${DEFAULT-VALUE}).")
        int lines;

        @Override
        int run(Session session) {
            if (lines < 1 || lines > 10_000) {
                throw CliException.usage("-n must be 1 to 10000 but was " + lines, "try -n 20");
            }
            SecurityFacade security = session.engine().security();
            long last = lastSequence(security);
            List<AuditEntry> entries = last == 0 ? List.of() : security.audit(Math.max(1, last - lines + 1), lines);
            Output out = session.out();
            if (out.json()) {
                ArrayNode array = Output.JSON.createArrayNode();
                for (AuditEntry e : entries) {
                    array.addObject().put("sequence", e.sequence()).put("at", e.at().toString()).put("principal", e
                            .principalId()).put("action", e.action()).put("target", e.target()).put("outcome", e
                                    .outcome().name())
                            .put("detail", e.detail()).put("hash", e.hash());
                }
                out.print(Output.object().set("entries", array));
                return CodeApp.OK;
            }
            if (entries.isEmpty()) {
                out.line("the audit log is empty");
            }
            for (AuditEntry e : entries) {
                String outcome = switch (e.outcome()) {
                    case SUCCESS -> out.green("SUCCESS");
                    case FAILURE -> out.red("FAILURE");
                    case DENIED -> out.yellow("DENIED ");
                };
                out.line(String.format(Locale.ROOT, "%6d  %s  %s  %-12s %-22s %s %s", e.sequence(), e.at(), outcome, e
                        .principalId(), e.action(), e.target(), out.dim(e.detail())));
            }
            return CodeApp.OK;
        }
    }

    /** {@return the sequence number of the last entry, 0 when the log is empty; a logarithmic number of reads} */
    static long lastSequence(SecurityFacade security) {
        long beyond = 1;
        while (!security.audit(beyond, 1).isEmpty()) {
            beyond *= 2;
        }
        long known = beyond / 2; // exists, or 0
        while (beyond - known > 1) {
            long mid = known + (beyond - known) / 2;
            if (security.audit(mid, 1).isEmpty()) {
                beyond = mid;
            } else {
                known = mid;
            }
        }
        return known;
    }
}
