package org.codeengine.api.tools;

import java.util.List;
import org.codeengine.api.CallContext;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import tools.jackson.databind.JsonNode;

/** The tools face of CODE: every tool of every {@link org.codeengine.api.spi.ToolProvider}, behind security. */
public interface ToolRegistry {
    /**
     * @param context the caller
     * @return the tools the caller may call
     */
    List<ToolDescriptor> list(CallContext context);

    /**
     * @param context the caller; needs {@code tool:call:<name>}
     * @param name the tool
     * @param arguments its arguments, checked against its input schema first
     * @return the result; a tool's own failure is a result with {@code error} set
     * @throws NotFoundException if there is no such tool
     * @throws PolicyDeniedException if the caller may not call it
     */
    ToolResult call(CallContext context, String name, JsonNode arguments);
}
