package org.codeengine.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.CodeException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.experts.ConsensusResult;
import org.codeengine.api.experts.Query;
import org.codeengine.api.orchestrator.RunSummary;
import org.codeengine.api.security.AuditVerification;
import org.codeengine.api.security.SecretFinding;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.DeploymentSpecs;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * CODE's own faces as tools, for {@code code mcp serve}: plan, deploy and status of deployments, the circle of experts
 * (when a panel is configured), the secret scanner over a text and the audit log's verification. Each call runs as the caller the tool registry let
 * through ({@code tool:call:<name>}), so the faces check their own permissions too.
 */
final class FaceTools implements ToolProvider {
    private final Supplier<CodeEngine> engine;
    private final boolean experts;

    /**
     * @param engine the engine, once built (the registry that serves these tools belongs to it)
     * @param experts whether the engine has a circle of experts to ask
     */
    FaceTools(Supplier<CodeEngine> engine, boolean experts) {
        this.engine = engine;
        this.experts = experts;
    }

    @Override
    public String name() {
        return "code";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public List<ToolDescriptor> tools() {
        List<ToolDescriptor> tools = new ArrayList<>();
        tools.add(new ToolDescriptor("code_plan", "Dry run of a deployment plan (YAML or JSON): the phases in which "
                + "its services would start; nothing is started.", schema("plan", "the plan, as YAML or JSON text")));
        tools.add(new ToolDescriptor("code_deploy", "Deploy a plan (YAML or JSON); answers with the run's id at once.",
                schema("plan", "the plan, as YAML or JSON text")));
        ObjectNode status = schema(null, null);
        ((ObjectNode) status.get("properties")).putObject("run").put("type", "string").put("description",
                "a run id; without it, the latest runs");
        tools.add(new ToolDescriptor("code_status", "The state of a deployment run, or of the latest runs.", status));
        if (experts) {
            tools.add(new ToolDescriptor("code_ask", "Ask the circle of experts; answers with the consensus, its "
                    + "agreement, confidence and dissent.", schema("question", "the question")));
        }
        ObjectNode scan = schema("text", "the text to scan: a file's content, a diff, a log");
        ((ObjectNode) scan.get("properties")).putObject("source").put("type", "string").put("description",
                "where the text came from (a file name), for the findings");
        ObjectNode findings = Output.object().put("type", "object");
        ObjectNode found = findings.putObject("properties");
        found.putObject("count").put("type", "integer");
        found.putObject("findings").put("type", "array").putObject("items").put("type", "object");
        findings.putArray("required").add("count").add("findings");
        tools.add(new ToolDescriptor("secrets_scan", "Find secrets (provider API keys, cloud keys, tokens, private "
                + "keys, passwords in URLs) in a text; answers with each finding's rule, line, column and a redacted "
                + "match, never the secret.", scan, findings, ToolAnnotations.readOnly(false)));
        ObjectNode verdict = Output.object().put("type", "object");
        ObjectNode fields = verdict.putObject("properties");
        fields.putObject("intact").put("type", "boolean").put("description", "whether every entry and checkpoint"
                + " matches");
        fields.putObject("entries").put("type", "integer");
        fields.putObject("checkpoints").put("type", "integer").put("description", "signed checkpoints checked");
        fields.putObject("first_broken").putArray("type").add("integer").add("null");
        fields.putObject("reason").put("type", "string");
        verdict.putArray("required").add("intact").add("entries").add("checkpoints").add("reason");
        tools.add(new ToolDescriptor("audit_verify", "Verify the tamper-evident audit log's hash chain and "
                + "signed checkpoints; answers with the first entry that does not match.", schema(null, null), verdict,
                ToolAnnotations.readOnly(false)));
        return tools;
    }

    @Override
    public ToolResult call(String tool, JsonNode arguments, ToolContext context) {
        if (tools().stream().noneMatch(t -> t.name().equals(tool))) {
            throw new NotFoundException("no tool '" + tool + "' here", null);
        }
        CodeEngine e = engine.get();
        try {
            return switch (tool) {
                case "code_plan" -> json(Output.JSON.readTree(DeploymentSpecs.toJson(e.orchestrator().plan(context
                        .call(), DeploymentSpecs.parse(arguments.get("plan").asString())))));
                case "code_deploy" -> json(Output.object().put("run", e.orchestrator().deploy(context.call(),
                        DeploymentSpecs.parse(arguments.get("plan").asString())).runId()));
                case "code_status" -> status(e, arguments, context);
                case "code_ask" -> ask(e, arguments.get("question").asString(), context);
                case "secrets_scan" -> {
                    JsonNode source = arguments.get("source");
                    List<SecretFinding> found = e.security().scanner().scan(arguments.get("text").asString(),
                            source == null || source.isNull() ? "" : source.asString());
                    ObjectNode result = Output.object().put("count", found.size());
                    result.set("findings", SecretsCommand.findings(found));
                    yield json(result);
                }
                case "audit_verify" -> {
                    AuditVerification v = e.security().verifyAudit();
                    yield json(Output.object().put("intact", v.firstBroken() == null).put("entries", v.entries())
                            .put("checkpoints", v.checkpoints()).put("first_broken", v.firstBroken()).put("reason",
                                    v.reason()));
                }
                default -> throw new IllegalStateException("unreachable: " + tool);
            };
        } catch (IllegalArgumentException | CodeException failed) { // the caller's mistake or the face's refusal
            return new ToolResult(failed.getMessage(), null, true);
        }
    }

    private static ToolResult status(CodeEngine e, JsonNode arguments, ToolContext context) {
        JsonNode run = arguments.get("run");
        List<RunSummary> runs = run == null || run.isNull()
                ? e.orchestrator().history(context.call(), 20)
                : List.of(e.orchestrator().inspect(context.call(), run.asString()));
        ArrayNode list = Output.JSON.createArrayNode();
        for (RunSummary r : runs) {
            list.addObject().put("run", r.runId()).put("name", r.name()).put("environment", r.environment()).put(
                    "state", r.state().name()).put("updatedAt", r.updatedAt().toString());
        }
        ObjectNode result = Output.object();
        result.set("runs", list);
        return json(result);
    }

    private static ToolResult ask(CodeEngine e, String question, ToolContext context) {
        ConsensusResult r = e.experts().ask(context.call(), Query.of(question));
        ObjectNode result = Output.object().put("answer", r.answer()).put("agreement", r.agreement()).put(
                "confidence", r.confidence()).put("strategy", r.strategy()).put("accepted", r.accepted());
        result.putPOJO("experts", r.experts());
        ArrayNode dissent = result.putArray("dissent");
        r.dissent().forEach(c -> dissent.addObject().put("answer", c.answer()).put("weight", c.weight()));
        return json(result);
    }

    private static ToolResult json(JsonNode result) {
        return new ToolResult(result.toString(), result, false);
    }

    /** An object schema with one required string property, or none. */
    private static ObjectNode schema(@Nullable String property, @Nullable String description) {
        ObjectNode schema = Output.object().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        if (property != null) {
            properties.putObject(property).put("type", "string").put("minLength", 1).put("description", description);
            schema.putArray("required").add(property);
        }
        return schema;
    }
}
