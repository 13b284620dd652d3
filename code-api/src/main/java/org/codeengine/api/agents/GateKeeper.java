package org.codeengine.api.agents;

import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.tools.Confirmer;

/**
 * Makes the confirmer through which a panel of experts approves or rejects an agent's destructive tool calls. Given to
 * the engine's builder; the agents face asks it once per run whose gate names a panel.
 */
@FunctionalInterface
public interface GateKeeper {
    /**
     * {@return a confirmer that answers with the panel's verdict (and audits it with its dissent)}
     *
     * @param context the caller of the run
     * @param spec the agent whose calls are gated
     * @param panel the panel's name, as {@link Gate#panel()} gives it
     * @throws ConfigurationException if there is no such panel
     */
    Confirmer panel(CallContext context, AgentSpec spec, String panel);
}
