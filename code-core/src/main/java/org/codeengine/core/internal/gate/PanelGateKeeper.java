package org.codeengine.core.internal.gate;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.GateKeeper;
import org.codeengine.api.experts.ExpertCircle;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;

/**
 * The engine's own gate keeper: the panels the engine was given by name vote as {@link PanelGate}s. Each panel's
 * voting circle is built on first use and kept (the engine closes it).
 */
public final class PanelGateKeeper implements GateKeeper {
    /** The most characters of an agent's role that stand for its purpose when it has no description. */
    private static final int PURPOSE_MAX = 400;
    private final Map<String, ExpertPanel> panels;
    private final Function<ExpertPanel, ExpertCircle> circles;
    private final DefaultOrchestrator.Audit audit;
    private final UnaryOperator<String> redact;
    private final Map<String, ExpertCircle> voting = new ConcurrentHashMap<>();

    /**
     * @param panels the engine's panels by name; copied
     * @param circles builds a circle on the engine
     * @param audit where verdicts are recorded
     * @param redact hides secrets in free text
     */
    public PanelGateKeeper(Map<String, ExpertPanel> panels, Function<ExpertPanel, ExpertCircle> circles,
            DefaultOrchestrator.Audit audit, UnaryOperator<String> redact) {
        this.panels = Map.copyOf(panels);
        this.circles = Objects.requireNonNull(circles, "circles");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.redact = Objects.requireNonNull(redact, "redact");
    }

    @Override
    public Confirmer panel(CallContext context, AgentSpec spec, String panel) {
        ExpertPanel configured = panels.get(panel);
        if (configured == null) {
            throw new ConfigurationException("the gate of agent " + spec.name() + " names the panel '" + panel
                    + "', which the engine was not given: name it with CodeEngine.builder().panel(\"" + panel
                    + "\", ...)" + (panels.isEmpty() ? "" : "; the engine has " + String.join(", ", panels.keySet())),
                    null);
        }
        ExpertCircle circle = voting.computeIfAbsent(panel, name -> circles.apply(PanelGate.voting(configured)));
        // the whole vote may take as long as one expert, retries included, and a little more to decide
        Duration deadline = configured.expertTimeout().plusSeconds(5);
        return new PanelGate(circle, context, spec.name(), purpose(spec), audit, redact, deadline);
    }

    /** {@return what the agent says it is for: its description, else the start of its role} */
    static String purpose(AgentSpec spec) {
        String said = spec.description().isBlank() ? spec.role().strip() : spec.description().strip();
        return said.length() <= PURPOSE_MAX ? said : said.substring(0, PURPOSE_MAX) + "…";
    }
}
