package org.codeengine.api.spi;

import java.util.List;
import java.util.Optional;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import tools.jackson.databind.JsonNode;

/** A plugin that offers tools (its own, or another MCP server's). */
public interface ToolProvider extends Plugin {
    /** {@return the tools it offers now} */
    List<ToolDescriptor> tools();

    /**
     * {@return the result; the tool's own failure is a result with {@code error} set}
     *
     * @param tool the tool's name
     * @param arguments arguments already checked against the tool's input schema
     * @param context the allowed caller
     * @throws NotFoundException if the provider has no such tool
     */
    ToolResult call(String tool, JsonNode arguments, ToolContext context);

    /**
     * Whether the engine serves this provider's tools without being told to. Providers of the tool catalogue (files,
     * commands, HTTP, databases, infrastructure) say false: their tools reach outside the process, so a host enables
     * them by configuring them ({@link #configured}).
     *
     * @return true unless the host must enable it
     */
    default boolean enabledByDefault() {
        return true;
    }

    /**
     * Gives the provider the host's configuration; called once, before {@link #tools()}, when the host enables or
     * configures this provider.
     *
     * @param settings the host's section for this provider
     * @return the configured provider (this one, or a new one)
     * @throws org.codeengine.api.ConfigurationException naming the setting and its rule if a setting is wrong
     */
    default ToolProvider configured(ToolSettings settings) {
        return this;
    }

    /**
     * {@return why its tools cannot be used here (a missing program, a daemon that does not answer), or empty when
     *         they can; {@code code plugins} shows it}
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }
}
