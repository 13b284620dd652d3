package org.codeengine.plugin.support;

import org.codeengine.api.ApiVersion;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import tools.jackson.databind.JsonNode;

/**
 * What the tool catalogue's providers share: off until the host configures them, a call to a tool they do not have is
 * {@link NotFoundException}, and a {@link ToolKit.ToolFailure} becomes an error result with its sentence.
 */
public abstract class CatalogueTools implements ToolProvider {
    private final String name;

    /**
     * A provider of tools by that name.
     *
     * @param name the provider's name, as {@code --tools} and {@code config.yaml} use it
     */
    protected CatalogueTools(String name) {
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public final boolean enabledByDefault() {
        return false;
    }

    @Override
    public final ToolResult call(String tool, JsonNode arguments, ToolContext context) {
        if (tools().stream().map(ToolDescriptor::name).noneMatch(tool::equals)) {
            throw new NotFoundException("the " + name + " tools have no tool '" + tool + "'", null);
        }
        if (!configuredYet()) {
            return ToolKit.failure(unavailable().orElse("the " + name + " tools are not configured"));
        }
        try {
            return run(tool, arguments, context);
        } catch (ToolKit.ToolFailure e) {
            return ToolKit.failure(e.getMessage());
        }
    }

    /** {@return whether the host configured this provider; an unconfigured one answers every call with why not} */
    protected abstract boolean configuredYet();

    /**
     * {@return the result}
     *
     * @param tool one of this provider's tools
     * @param arguments the arguments, already checked against the tool's input schema
     * @param context the allowed caller
     * @throws ToolKit.ToolFailure with one sentence naming the argument and the rule when the tool fails
     */
    protected abstract ToolResult run(String tool, JsonNode arguments, ToolContext context);
}
