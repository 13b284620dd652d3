package org.codeengine.api.agents;

import java.util.List;
import java.util.Locale;
import org.codeengine.api.internal.Checks;

/**
 * An agent: who it is, what thinks for it, which tools it may use, how far it may go and who approves its destructive
 * calls. Immutable; read from a role file with {@link Agents#load} or {@link Agents#parse}.
 *
 * @param name the agent's name: lower case letters, digits, '.', '_' or '-', 1 to 63 long
 * @param description what it is for, one sentence for a person or a client choosing an agent; may be empty
 * @param role the system prompt that tells the model who it is and how to work; not blank
 * @param brain the model or the panel that thinks for it
 * @param tools the tools it may use over {@code engine.tools()}: exact names, or glob patterns where {@code *} stands
 *        for any run of characters and {@code ?} for one; at least one; copied. The list only narrows: the agent still
 *        needs its caller's {@code tool:call:<name>} for each call.
 * @param budget how far it may go
 * @param gate who approves its destructive calls
 */
public record AgentSpec(String name, String description, String role, Brain brain, List<String> tools, Budget budget,
        Gate gate) {
    private static final String PATTERN = "[A-Za-z0-9_.*?-]{1,128}";

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule, naming it
     */
    public AgentSpec {
        Checks.name(name, "name");
        Checks.notNull(description, "description");
        Checks.notBlank(role, "role");
        Checks.notNull(brain, "brain");
        tools = List.copyOf(Checks.notNull(tools, "tools"));
        if (tools.isEmpty()) {
            throw new IllegalArgumentException("tools must name at least one tool or pattern");
        }
        for (int i = 0; i < tools.size(); i++) {
            if (!tools.get(i).matches(PATTERN)) {
                throw new IllegalArgumentException("tools[" + i + "] must match " + PATTERN + " but was '" + tools
                        .get(i) + "'");
            }
        }
        Checks.notNull(budget, "budget");
        Checks.notNull(gate, "gate");
    }

    /**
     * {@return whether one of {@link #tools()} names it or matches it, case aside (as in tool permissions, which are
     *         lower case)}
     *
     * @param tool a tool's name
     */
    public boolean allows(String tool) {
        String name = tool.toLowerCase(Locale.ROOT);
        for (String pattern : tools) {
            if (glob(pattern.toLowerCase(Locale.ROOT), name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Matches {@code *} (any run) and {@code ?} (one character) in linear time: on a mismatch only the last {@code *}
     * takes one more character, so no pattern backtracks exponentially.
     */
    private static boolean glob(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
