package org.codeengine.examples.cli;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.codeengine.api.security.ScanNotice;
import org.codeengine.api.security.ScanReport;
import org.codeengine.api.security.SecretFinding;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A scan as SARIF 2.1.0, the format code-scanning pages read: one run whose results are the findings (redacted, with
 * gitleaks-style fingerprints) and whose invocation lists what was not read as warnings and is unsuccessful when
 * something was.
 */
final class SarifReport {
    private SarifReport() {}

    static ObjectNode of(ScanReport report) {
        ObjectNode sarif = Output.object().put("$schema", "https://json.schemastore.org/sarif-2.1.0.json").put(
                "version", "2.1.0");
        ObjectNode run = sarif.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver").put("name", "code secrets scan").put(
                "informationUri", "https://github.com/codeengine/code");
        Set<String> ruleIds = new LinkedHashSet<>();
        report.findings().forEach(f -> ruleIds.add(f.ruleId()));
        ArrayNode rules = driver.putArray("rules");
        ruleIds.forEach(id -> rules.addObject().put("id", id).putObject("shortDescription").put("text",
                "a secret matching rule " + id));
        ArrayNode results = run.putArray("results");
        for (SecretFinding f : report.findings()) {
            ObjectNode r = results.addObject().put("ruleId", f.ruleId()).put("level", "error");
            r.putObject("message").put("text", f.ruleId() + " secret: " + f.redacted());
            location(r.putArray("locations"), f.source()).putObject("region").put("startLine", f.line()).put(
                    "startColumn", f.column());
            r.putObject("partialFingerprints").put("secretFingerprint/v1", f.source() + ":" + f.ruleId() + ":" + f
                    .line());
        }
        ObjectNode invocation = run.putArray("invocations").addObject().put("executionSuccessful", report.skipped()
                .isEmpty());
        ArrayNode notes = invocation.putArray("toolExecutionNotifications");
        for (ScanNotice n : report.notices()) {
            ObjectNode note = notes.addObject().put("level", n.kind().skipped() ? "warning" : "note");
            note.putObject("message").put("text", (n.kind().skipped() ? "not read: " : "read: ") + n.detail());
            location(note.putArray("locations"), n.path());
        }
        return sarif;
    }

    /** Adds a location for {@code file} and returns its physical location. */
    private static ObjectNode location(ArrayNode locations, String file) {
        Path path = Path.of(file);
        String uri = path.isAbsolute() ? path.toUri().toString() : file.replace('\\', '/');
        ObjectNode physical = locations.addObject().putObject("physicalLocation");
        physical.putObject("artifactLocation").put("uri", uri);
        return physical;
    }
}
