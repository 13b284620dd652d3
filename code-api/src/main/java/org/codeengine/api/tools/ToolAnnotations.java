package org.codeengine.api.tools;

/**
 * What a tool does to the world, as MCP's tool annotations say it. CODE's security acts on {@link #destructive()}: a
 * destructive call needs the caller's confirmation unless the caller's role may act without asking.
 *
 * @param readOnly it changes nothing ({@code readOnlyHint})
 * @param destructive it may delete or overwrite what was there ({@code destructiveHint}); false when read-only
 * @param idempotent calling it again with the same arguments changes nothing more ({@code idempotentHint})
 * @param openWorld it reaches outside the host's own data, such as the web ({@code openWorldHint})
 */
public record ToolAnnotations(boolean readOnly, boolean destructive, boolean idempotent, boolean openWorld) {
    /** What MCP assumes of a tool that says nothing: it may write and destroy, once, in an open world. */
    public static final ToolAnnotations UNKNOWN = new ToolAnnotations(false, true, false, true);

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a read-only tool claims to be destructive
     */
    public ToolAnnotations {
        if (readOnly && destructive) {
            throw new IllegalArgumentException("a readOnly tool cannot be destructive");
        }
    }

    /**
     * {@return the annotations of a tool that only reads}
     *
     * @param openWorld whether it reaches outside the host's own data
     */
    public static ToolAnnotations readOnly(boolean openWorld) {
        return new ToolAnnotations(true, false, true, openWorld);
    }

    /**
     * {@return the annotations of a tool that may overwrite or delete}
     *
     * @param idempotent whether a repeated call changes nothing more
     * @param openWorld whether it reaches outside the host's own data
     */
    public static ToolAnnotations destructive(boolean idempotent, boolean openWorld) {
        return new ToolAnnotations(false, true, idempotent, openWorld);
    }
}
