package org.codeengine.api.spi;

import org.codeengine.api.CallContext;
import org.codeengine.api.internal.Checks;

/**
 * What a tool provider learns about a call it serves; security has already allowed it.
 *
 * @param call the caller, deadline and trace id
 */
public record ToolContext(CallContext call) {
    /** Checks that {@code call} is present. */
    public ToolContext {
        Checks.notNull(call, "call");
    }
}
