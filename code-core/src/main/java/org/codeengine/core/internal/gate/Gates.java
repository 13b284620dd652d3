package org.codeengine.core.internal.gate;

import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.agents.GateKeeper;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;
import org.jspecify.annotations.Nullable;

/** Chooses the confirmer of one agent run from its spec's gate. */
public final class Gates {
    private Gates() {}

    /**
     * {@return the confirmer the registry asks before each destructive call of the run, or null for
     *         {@link Gate.Mode#NONE} (then only a caller who may act without asking runs one)}
     *
     * @param context the caller of the run
     * @param spec the agent
     * @param keeper makes panel confirmers, or null when the engine has none
     * @param person asks the person behind the run, or null when nobody can be asked
     * @param audit where decisions are recorded
     * @throws ConfigurationException if the gate names a panel and there is no keeper, or no such panel
     */
    public static @Nullable Confirmer forRun(CallContext context, AgentSpec spec, @Nullable GateKeeper keeper,
            @Nullable Confirmer person, DefaultOrchestrator.Audit audit) {
        Gate gate = spec.gate();
        return switch (gate.mode()) {
            case NONE -> null;
            case PERSON -> new PersonGate(person, context, spec.name(), audit);
            case PANEL -> panel(context, spec, keeper, gate);
            // with nobody to ask, the person's refusal is certain: the panel is not troubled
            case BOTH -> person == null
                    ? new PersonGate(null, context, spec.name(), audit)
                    : PersonGate.both(panel(context, spec, keeper, gate), new PersonGate(person, context, spec.name(),
                            audit));
        };
    }

    private static Confirmer panel(CallContext context, AgentSpec spec, @Nullable GateKeeper keeper, Gate gate) {
        if (keeper == null || gate.panel() == null) {
            throw new ConfigurationException("the gate of agent " + spec.name() + " needs a panel, and the engine has "
                    + "no gate keeper: name the panel with CodeEngine.builder().panel(...)", null);
        }
        return keeper.panel(context, spec, gate.panel());
    }
}
