package org.codeengine.core.internal.agents;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Budget;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.experts.Price;
import org.codeengine.core.internal.config.ConfigNode;

/**
 * Reads an {@link AgentSpec} from a role file, YAML or JSON:
 *
 * <pre>{@code
 * name: integration-tester
 * description: runs the integration tests and reports what broke
 * role: You are an integration tester. ...
 * brain: {provider: openai, model: gpt-4.1, price: {input: 2.0, output: 8.0}}   # or {panel: experts}
 * tools: [files.*, command.run]
 * budget: {steps: 20, tokens: 200000, cost: 5.0, wallTime: 10m, malformedCalls: 5}
 * gate: {mode: panel, panel: reviewers}
 * }</pre>
 *
 * Every error names the field and the rule ({@code budget.steps must be at least 1 but was 0}).
 */
public final class RoleCodec {
    private RoleCodec() {}

    public static AgentSpec load(Path file) {
        return parse(ConfigNode.readFile(file, "role file"), file.toString());
    }

    public static AgentSpec parse(String text, String source) {
        ConfigNode root = ConfigNode.parse(text, source, "an agent role", "the role in " + source);
        root.only(Set.of("name", "description", "role", "brain", "tools", "budget", "gate"));
        String name = root.required("name").text();
        String description = root.optional("description").map(ConfigNode::text).orElse("");
        String role = root.required("role").text();
        Brain brain = brain(root.required("brain"));
        List<String> tools = new ArrayList<>();
        ConfigNode toolsNode = root.required("tools");
        for (ConfigNode tool : toolsNode.elements()) {
            tools.add(tool.text());
        }
        Budget budget = root.optional("budget").map(RoleCodec::budget).orElse(Budget.DEFAULT);
        Gate gate = root.optional("gate").map(RoleCodec::gate).orElse(Gate.NONE);
        return root.build(() -> new AgentSpec(name, description, role, brain, tools, budget, gate));
    }

    private static Brain brain(ConfigNode node) {
        node.only(Set.of("provider", "model", "price", "panel"));
        if (node.optional("panel").isPresent()) {
            if (node.optional("provider").isPresent() || node.optional("model").isPresent()) {
                throw node.invalid("must name either a panel or a provider and model, not both");
            }
            ConfigNode panel = node.required("panel");
            return panel.build(() -> new Brain.Panel(panel.text()));
        }
        ConfigNode provider = node.required("provider");
        ConfigNode model = node.required("model");
        Price price = node.optional("price").map(p -> {
            p.only(Set.of("input", "output"));
            ConfigNode input = p.required("input");
            double in = input.decimal();
            double out = p.required("output").decimal();
            return p.build(() -> new Price(in, out));
        }).orElse(Price.FREE);
        String providerName = provider.text();
        provider.build(() -> new Brain.Model(providerName, "x"));
        String modelName = model.text();
        return model.build(() -> new Brain.Model(providerName, modelName, price));
    }

    private static Budget budget(ConfigNode node) {
        node.only(Set.of("steps", "tokens", "cost", "wallTime", "malformedCalls"));
        Budget d = Budget.DEFAULT;
        int steps = node.optional("steps").map(ConfigNode::integer).orElse(d.steps());
        long tokens = node.optional("tokens").map(t -> (long) t.decimal()).orElse(d.tokens());
        double cost = node.optional("cost").map(ConfigNode::decimal).orElse(d.costUsd());
        var wall = node.optional("wallTime").map(ConfigNode::duration).orElse(d.wallTime());
        int malformed = node.optional("malformedCalls").map(ConfigNode::integer).orElse(d.malformedCalls());
        node.optional("steps").ifPresent(n -> n.build(() -> new Budget(steps, 1, 0, d.wallTime(), 0)));
        node.optional("tokens").ifPresent(n -> n.build(() -> new Budget(1, tokens, 0, d.wallTime(), 0)));
        node.optional("cost").ifPresent(n -> n.build(() -> new Budget(1, 1, cost, d.wallTime(), 0)));
        node.optional("wallTime").ifPresent(n -> n.build(() -> new Budget(1, 1, 0, wall, 0)));
        node.optional("malformedCalls").ifPresent(n -> n.build(() -> new Budget(1, 1, 0, d.wallTime(),
                malformed)));
        return new Budget(steps, tokens, cost, wall, malformed);
    }

    private static Gate gate(ConfigNode node) {
        node.only(Set.of("mode", "panel"));
        ConfigNode modeNode = node.required("mode");
        String text = modeNode.text();
        Gate.Mode mode;
        try {
            mode = Gate.Mode.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw modeNode.invalid("must be one of none, panel, person, both but was '" + text + "'");
        }
        String panel = node.optional("panel").map(ConfigNode::text).orElse(null);
        return node.build(() -> new Gate(mode, panel));
    }
}
