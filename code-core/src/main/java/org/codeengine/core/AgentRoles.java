package org.codeengine.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Agents;

/**
 * CODE's ready-made agents: the ten roles of an infrastructure team, as role files shipped in this jar
 * ({@code META-INF/code/agents/<name>.yaml}). A host runs one as it is, or reads its text, changes any field (the
 * brain, the tools, the budget, the gate) and parses its own. Each names its brain as the panel {@code agents} and,
 * where its tools may change things, its gate's panel as {@code reviewers}: give the engine panels of those names
 * ({@link CodeEngine.Builder#panel}).
 */
public final class AgentRoles {
    /** The ready-made roles' names. */
    public static final List<String> NAMES = List.of("infrastructure-architect", "integration-specialist",
            "mcp-infrastructure-manager", "security-threat-analyst", "integration-tester", "deployment-orchestrator",
            "performance-optimizer", "integration-validator", "monitoring-security-guardian",
            "final-validation-certifier");

    private AgentRoles() {}

    /**
     * {@return the role file's text, YAML}
     *
     * @param name one of {@link #NAMES}
     * @throws NotFoundException if no ready-made role has that name; the message lists them
     */
    public static String text(String name) {
        if (name == null || !NAMES.contains(name)) {
            throw new NotFoundException("no ready-made agent role is named '" + name + "'; there are " + String.join(
                    ", ", NAMES), null);
        }
        try (InputStream in = AgentRoles.class.getResourceAsStream("/META-INF/code/agents/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("the role file of " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the role file of " + name, e);
        }
    }

    /**
     * {@return the ready-made agent}
     *
     * @param agents the agents face that reads role files
     * @param name one of {@link #NAMES}
     * @throws NotFoundException if no ready-made role has that name
     */
    public static AgentSpec load(Agents agents, String name) {
        return agents.parse(text(name), "the ready-made role " + name);
    }
}
