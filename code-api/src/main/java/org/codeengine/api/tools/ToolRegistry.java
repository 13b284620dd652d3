package org.codeengine.api.tools;

import java.util.List;
import org.codeengine.api.CallContext;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** The tools face of CODE: every tool of every {@link org.codeengine.api.spi.ToolProvider}, behind security. */
public interface ToolRegistry {
    /**
     * {@return the tools the caller may call}
     *
     * @param context the caller
     */
    List<ToolDescriptor> list(CallContext context);

    /**
     * Calls a tool for a caller who cannot be asked anything (see {@link #call(CallContext, String, JsonNode,
     * Confirmer)}).
     *
     * @param context the caller; needs {@code tool:call:<name>}
     * @param name the tool
     * @param arguments its arguments, checked against its input schema first
     * @return the result; a tool's own failure is a result with {@code error} set
     * @throws NotFoundException if there is no such tool
     * @throws PolicyDeniedException if the caller may not call it
     */
    default ToolResult call(CallContext context, String name, JsonNode arguments) {
        return call(context, name, arguments, null);
    }

    /**
     * Calls a tool for a caller who can be asked: a tool whose annotations say it is destructive runs only once the
     * confirmer accepted, unless the caller may act without asking ({@code tool:unconfirmed:<name>}).
     *
     * @param context the caller; needs {@code tool:call:<name>}
     * @param name the tool
     * @param arguments its arguments, checked against its input schema first
     * @param confirmer asks the person behind the call, or {@code null} when nobody can be asked (then a destructive
     *        call the caller may not make unasked is refused)
     * @return the result; a tool's own failure, a refusal to confirm included, is a result with {@code error} set
     * @throws NotFoundException if there is no such tool
     * @throws PolicyDeniedException if the caller may not call it
     */
    ToolResult call(CallContext context, String name, JsonNode arguments, @Nullable Confirmer confirmer);
}
