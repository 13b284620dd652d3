package org.codeengine.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.ExpertPanels;
import org.jspecify.annotations.Nullable;

/**
 * Where the circle's panel comes from, first match wins: {@code --experts} (a panel file, {@code replay}, or a list
 * {@code provider:model,...}), then {@code experts} in config.yaml (a file or a panel inline), then the providers whose
 * keys are in the environment. Recorded replies ({@code replay}) are read from the eval data.
 */
final class Panels {
    /** Provider, key variable and default model (overridden by the model variable), for panels from keys. */
    private record FromEnv(String provider, List<String> keyVariables, String modelVariable, String model) {}

    private static final List<FromEnv> FROM_ENV = List.of(new FromEnv("openai", List.of("OPENAI_API_KEY"),
            "OPENAI_MODEL", "gpt-4o-mini"),
            new FromEnv("anthropic", List.of("ANTHROPIC_API_KEY"), "ANTHROPIC_MODEL",
                    "claude-3-5-haiku-latest"),
            new FromEnv("gemini", List.of("GEMINI_API_KEY", "GOOGLE_API_KEY"),
                    "GEMINI_MODEL", "gemini-2.0-flash"));

    private Panels() {}

    /**
     * @param session the invocation
     * @param experts the {@code --experts} flag, or null
     * @param eval the {@code --eval} flag, or null
     * @return the panel, before any override
     * @throws CliException if no experts are configured, or recorded replies are wanted and not found
     */
    static ExpertPanel resolve(Session session, @Nullable String experts, @Nullable Path eval) {
        if (experts != null) {
            return fromFlag(session, experts, eval);
        }
        var configured = session.config().experts();
        if (configured != null) {
            return configured.isString()
                    ? ExpertPanels.read(session.home().resolve(configured.asString()))
                    : ExpertPanels.parse(Output.JSON.writeValueAsString(configured));
        }
        ExpertPanel fromKeys = fromEnvironment(session.io());
        if (fromKeys != null) {
            return fromKeys;
        }
        throw CliException.usage("no experts are configured", "set OPENAI_API_KEY, ANTHROPIC_API_KEY or "
                + "GEMINI_API_KEY, add 'experts:' to " + session.home().resolve("config.yaml")
                + ", or pass --experts replay to ask recorded replies");
    }

    /** {@return a panel of the providers whose keys are set, or null when none is} */
    static @Nullable ExpertPanel fromEnvironment(Io io) {
        ExpertPanel.Builder panel = ExpertPanel.builder().quorum(Quorum.of(1)).expertTimeout(Duration.ofSeconds(60));
        int found = 0;
        for (FromEnv p : FROM_ENV) {
            String variable = keyVariable(io, p);
            if (variable != null) {
                String model = io.env(p.modelVariable());
                panel.expert(ExpertSpec.of(p.provider(), model == null ? p.model() : model));
                panel.provider(p.provider(), keyConfig(variable));
                found++;
            }
        }
        String ollama = io.env("OLLAMA_MODEL");
        if (ollama != null) {
            panel.expert(ExpertSpec.of("ollama", ollama));
            found++;
        }
        return found == 0 ? null : panel.build();
    }

    /**
     * @param io the environment
     * @param provider a provider's name
     * @return how to reach it with the key in the environment ({@code OPENAI_API_KEY}, ...), or null when it is not a
     *         provider known by its key variable or its key is not set
     */
    static @Nullable ProviderConfig fromEnvironment(Io io, String provider) {
        for (FromEnv p : FROM_ENV) {
            String variable = p.provider().equals(provider) ? keyVariable(io, p) : null;
            if (variable != null) {
                return keyConfig(variable);
            }
        }
        return null;
    }

    private static @Nullable String keyVariable(Io io, FromEnv p) {
        return p.keyVariables().stream().filter(v -> io.env(v) != null && !io.env(v).isBlank()).findFirst().orElse(
                null);
    }

    private static ProviderConfig keyConfig(String variable) {
        return ProviderConfig.builder().apiKeyRef("env:" + variable).build();
    }

    /**
     * @param eval the recorded replies
     * @param models the recorded models to ask
     * @return a panel of {@code replay} experts answering with those models' recorded replies
     */
    static ExpertPanel replay(Path eval, List<String> models) {
        ExpertPanel.Builder panel = ExpertPanel.builder().quorum(Quorum.majority()).expertTimeout(Duration.ofSeconds(
                30));
        models.forEach(m -> panel.expert(ExpertSpec.of("replay", m)));
        return panel.provider("replay", replayConfig(eval)).build();
    }

    private static ProviderConfig replayConfig(Path eval) {
        return ProviderConfig.builder().timeout(Duration.ofSeconds(30)).setting("file", eval.toString()).build();
    }

    private static ExpertPanel fromFlag(Session session, String experts, @Nullable Path evalFlag) {
        Path file = Path.of(experts);
        if (Files.isRegularFile(file) || experts.endsWith(".yaml") || experts.endsWith(".yml") || experts.endsWith(
                ".json")) {
            return ExpertPanels.read(file);
        }
        if (experts.equals("replay")) {
            return replay(recorded(session, evalFlag), EvalData.DEMO_MODELS);
        }
        List<ExpertSpec> specs = new ArrayList<>();
        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        for (String item : experts.split(",")) {
            String[] parts = item.strip().split(":", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw CliException.usage("--experts item '" + item.strip() + "' is not provider:model",
                        "write --experts openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest, a panel file, "
                                + "or replay");
            }
            String provider = parts[0].strip();
            specs.add(ExpertSpec.of(provider, parts[1].strip()));
            if (provider.equals("replay")) {
                providers.putIfAbsent("replay", replayConfig(recorded(session, evalFlag)));
            }
            for (FromEnv known : FROM_ENV) {
                if (known.provider().equals(provider) && !providers.containsKey(provider)) {
                    String variable = keyVariable(session.io(), known);
                    if (variable == null) { // the call would fail later as a refused or failed request
                        throw CliException.usage("--experts names " + provider + ", but its API key is not set ("
                                + String.join(" or ", known.keyVariables()) + ")",
                                "export " + known.keyVariables()
                                        .getFirst() + "=..., or use a panel file that names the key");
                    }
                    providers.put(provider, keyConfig(variable));
                }
            }
        }
        ExpertPanel.Builder panel = ExpertPanel.builder().quorum(Quorum.majority());
        specs.forEach(panel::expert);
        providers.forEach(panel::provider);
        return panel.build();
    }

    /** {@return the recorded replies, or an error that says where they were looked for} */
    static Path recorded(Session session, @Nullable Path evalFlag) {
        Path data = session.evalData(evalFlag);
        if (!Files.isRegularFile(data)) {
            throw CliException.usage("the recorded replies (" + EvalData.FILE + ") were not found at " + data,
                    "pass --eval DIR, set CODE_EVAL, or set 'eval:' in config.yaml");
        }
        return data;
    }

    /**
     * @param panel a panel
     * @param strategy a strategy name, or null to keep the panel's
     * @param quorum a quorum ({@code 2}, {@code majority}, {@code 60%}), or null to keep the panel's
     * @param timeout the longest one expert may take, or null to keep the panel's
     * @return the panel with those overrides
     */
    static ExpertPanel override(ExpertPanel panel, @Nullable String strategy, @Nullable String quorum,
            @Nullable Duration timeout) {
        return new ExpertPanel(panel.experts(), panel.providers(), quorum == null ? panel.quorum() : quorum(quorum),
                timeout == null ? panel.expertTimeout() : timeout, panel.cacheTtl(), panel.extraction(),
                strategy == null ? panel.strategy() : strategy, panel.axioms(), panel.prices(), panel.limits());
    }

    static Quorum quorum(String text) {
        String t = text.strip();
        try {
            if (t.equals("majority")) {
                return Quorum.majority();
            }
            if (t.endsWith("%")) {
                return Quorum.fraction(Double.parseDouble(t.substring(0, t.length() - 1)) / 100);
            }
            return Quorum.of(Integer.parseInt(t));
        } catch (NumberFormatException e) {
            throw CliException.usage("--quorum '" + text + "' is not a count, a percentage or 'majority'",
                    "write --quorum 2, --quorum 60% or --quorum majority");
        }
    }
}
