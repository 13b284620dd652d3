package org.codeengine.api.agents;

import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * Who approves a destructive tool call of an agent before it runs. The approval goes through the
 * {@link org.codeengine.api.tools.Confirmer} hook of the tool registry; a caller whose role may act without asking
 * ({@code tool:unconfirmed:<name>}) is not asked.
 *
 * @param mode who approves
 * @param panel the name of the panel that votes, for {@link Mode#PANEL} and {@link Mode#BOTH}; else {@code null}
 */
public record Gate(Mode mode, @Nullable String panel) {
    /** No approver: a destructive call runs only where the caller may act without asking, else it is refused. */
    public static final Gate NONE = new Gate(Mode.NONE, null);

    /** Who approves a destructive call. */
    public enum Mode {
        /** Nobody can be asked. */
        NONE,
        /** A panel of experts votes (see {@link GateKeeper}). */
        PANEL,
        /** The person behind the run, through the confirmer given to {@link Agents#run}. */
        PERSON,
        /** The panel first, then the person; both must approve. */
        BOTH
    }

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a panel is missing where the mode needs one, or given where it does not
     */
    public Gate {
        Checks.notNull(mode, "mode");
        boolean needsPanel = mode == Mode.PANEL || mode == Mode.BOTH;
        if (needsPanel && panel == null) {
            throw new IllegalArgumentException("panel must name a panel when mode is " + mode);
        }
        if (!needsPanel && panel != null) {
            throw new IllegalArgumentException("panel must be absent when mode is " + mode);
        }
        if (panel != null) {
            Checks.name(panel, "panel");
        }
    }
}
