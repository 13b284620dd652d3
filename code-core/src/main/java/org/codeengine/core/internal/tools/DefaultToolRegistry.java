package org.codeengine.core.internal.tools;

import io.micrometer.observation.Observation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.api.spi.CallTracer;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolRegistry;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.internal.observe.Telemetry;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;
import org.codeengine.schema.JsonSchema;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every tool of every provider (plugins found by ServiceLoader and providers registered on the engine, such as a
 * connected MCP server), behind security: a caller sees only the tools it may call ({@code tool:call:<name>}), each
 * call is checked and rate-limited before it starts, its arguments are checked against the tool's input schema, and an
 * audit entry records who called what with which outcome. Arguments whose schema marks them {@code writeOnly} or
 * {@code x-secret} are redacted in the audit entry.
 */
public final class DefaultToolRegistry implements ToolRegistry {
    private static final int DETAIL_MAX = 500;
    private final Supplier<List<ToolProvider>> providers;
    private final SecurityFacade security;
    private final DefaultOrchestrator.Audit audit;
    private final Telemetry telemetry;

    /**
     * @param providers the tool providers, asked at each call
     * @param security checks each call's permission
     * @param audit records each call
     * @param telemetry times each call ({@code code.tool.calls}) and, under tracing, gives it a span whose children
     *        are the calls the tool makes
     */
    public DefaultToolRegistry(Supplier<List<ToolProvider>> providers, SecurityFacade security,
            DefaultOrchestrator.Audit audit, Telemetry telemetry) {
        this.providers = providers;
        this.security = security;
        this.audit = audit;
        this.telemetry = telemetry;
    }

    /** {@return the permission that calling {@code tool} needs} */
    public static Permission permission(String tool) {
        return new Permission("tool", "call", tool.toLowerCase(Locale.ROOT));
    }

    @Override
    public List<ToolDescriptor> list(CallContext context) {
        Objects.requireNonNull(context, "context must not be null");
        List<ToolDescriptor> visible = new ArrayList<>();
        for (ToolProvider provider : providers.get()) {
            for (ToolDescriptor tool : provider.tools()) {
                if (security.check(context.principal(), permission(tool.name())).allowed()) {
                    visible.add(tool);
                }
            }
        }
        return visible;
    }

    @Override
    public ToolResult call(CallContext context, String name, JsonNode arguments, @Nullable Confirmer confirmer) {
        Objects.requireNonNull(context, "context must not be null");
        if (name == null || arguments == null) {
            throw new IllegalArgumentException("name and arguments must not be null");
        }
        String who = context.principal().id();
        String action = permission(name).toString();
        ToolProvider owner = null;
        ToolDescriptor tool = null;
        for (ToolProvider provider : providers.get()) {
            for (ToolDescriptor each : provider.tools()) {
                if (each.name().equals(name)) {
                    owner = provider;
                    tool = each;
                    break;
                }
            }
            if (owner != null) {
                break;
            }
        }
        security.require(context.principal(), permission(name)); // denials are audited there
        if (owner == null) {
            audit.record(who, action, name, Outcome.FAILURE, "no such tool");
            throw new NotFoundException("no tool named " + name, null);
        }
        Observation span = telemetry.span("code.tool", null, "tool", name);
        long began = System.nanoTime();
        String outcome = "exception";
        Throwable failure = null;
        try {
            ToolDescriptor found = tool;
            ToolProvider by = owner;
            ToolResult result = span.scoped(() -> ScopedValue.where(CallTracer.CURRENT, telemetry.tracer(span)).call(
                    () -> serve(context, found, by, arguments, confirmer)));
            outcome = result.error() ? "error" : "success";
            return result;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            telemetry.time("code.tool.calls", System.nanoTime() - began, "tool", name, "outcome", outcome);
            span.lowCardinalityKeyValue("outcome", outcome);
            Telemetry.end(span, failure);
        }
    }

    /** Validates, confirms, calls and audits a call of a known tool the caller may call. */
    private ToolResult serve(CallContext context, ToolDescriptor tool, ToolProvider owner, JsonNode arguments,
            @Nullable Confirmer confirmer) {
        String name = tool.name();
        String who = context.principal().id();
        String action = permission(name).toString();
        String detail = "args=" + redacted(tool.inputSchema(), arguments);
        List<String> broken = JsonSchema.validate(tool.inputSchema(), arguments);
        if (!broken.isEmpty()) {
            String why = "invalid arguments for tool " + name + ": " + String.join("; ", broken);
            audit.record(who, action, name, Outcome.FAILURE, clip(detail + " " + why));
            return new ToolResult(why, null, true);
        }
        String refused = unconfirmed(context, tool, arguments, confirmer);
        if (refused != null) {
            audit.record(who, action, name, Outcome.FAILURE, clip(detail + " " + refused));
            return new ToolResult(refused, null, true);
        }
        try {
            ToolResult result = owner.call(name, arguments, new ToolContext(context));
            audit.record(who, action, name, result.error() ? Outcome.FAILURE : Outcome.SUCCESS, clip(detail));
            return result;
        } catch (CodeException e) {
            audit.record(who, action, name, Outcome.FAILURE, clip(detail + " error=" + e.getClass()
                    .getSimpleName()));
            throw e;
        }
    }

    /** {@return the permission that lets a caller make a destructive call to {@code tool} without being asked} */
    public static Permission unasked(String tool) {
        return new Permission("tool", "unconfirmed", tool.toLowerCase(Locale.ROOT));
    }

    /** {@return why a destructive call may not go ahead, or null when it is not destructive or may} */
    private @Nullable String unconfirmed(CallContext context, ToolDescriptor tool, JsonNode arguments,
            @Nullable Confirmer confirmer) {
        if (tool.annotations() == null || !tool.annotations().destructive() || security.check(context.principal(),
                unasked(tool.name())).allowed()) {
            return null;
        }
        if (confirmer == null) {
            return "tool " + tool.name() + " is destructive and needs the caller's confirmation, but this caller "
                    + "cannot be asked (an MCP client without elicitation); a role with " + unasked(tool.name())
                    + " may call it without asking";
        }
        Confirmer.Decision decision;
        try {
            String shown = redacted(tool.inputSchema(), arguments);
            decision = confirmer.decide(new Confirmer.Request(tool.name(), shown, "Allow " + tool.name()
                    + " to run with " + shown + "? It may change or delete what is there."));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "tool " + tool.name() + " was cancelled while waiting for the caller's confirmation";
        } catch (CodeException e) {
            return "tool " + tool.name() + " needs the caller's confirmation, and asking failed: " + e.getMessage();
        }
        if (decision.approved()) {
            return null;
        }
        return decision.reason() == null
                ? "the caller declined to run tool " + tool.name()
                : "tool " + tool.name() + " was not approved: " + decision.reason();
    }

    private static String redacted(JsonNode schema, JsonNode arguments) {
        if (!arguments.isObject()) {
            return clip(arguments.toString());
        }
        ObjectNode copy = ((ObjectNode) arguments).deepCopy();
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            JsonNode rule = property.getValue();
            if (copy.has(property.getKey()) && (rule.path("writeOnly").asBoolean(false) || rule.path("x-secret")
                    .asBoolean(false))) {
                copy.put(property.getKey(), "***");
            }
        }
        return copy.toString();
    }

    private static String clip(String text) {
        return text.length() <= DETAIL_MAX ? text : text.substring(0, DETAIL_MAX) + "…";
    }
}
