package org.codeengine.core.internal.orchestrator;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.Rollout;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.core.internal.config.ConfigNode;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads deployment specs from YAML or JSON and writes them (and plans) as JSON. Every error names the field by its
 * path, such as {@code services[2].health.interval}, and the rule it broke. Durations are written {@code 250ms},
 * {@code 5s}, {@code 1m30s} or ISO-8601 ({@code PT5S}); CPU in cores ({@code 0.5}) or millicores ({@code 500m});
 * memory in bytes or with a suffix ({@code 256Mi}, {@code 1Gi}, {@code 500M}). Unknown fields are errors, so a typo
 * never passes silently.
 */
public final class SpecCodec {
    private static final Pattern MEMORY = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(Ki|Mi|Gi|Ti|k|K|M|G|T)?");
    private static final Set<String> DEPLOYMENT_FIELDS = Set.of("name", "environment", "maxParallelism", "capacity",
            "services");
    private static final Set<String> SERVICE_FIELDS = Set.of("name", "dependsOn", "resources", "executor",
            "settings", "health", "retry", "timeout", "rollout", "instances");
    private static final Set<String> HEALTH_FIELDS = Set.of("probe", "settings", "initialDelay", "interval",
            "timeout", "successThreshold", "failureThreshold");
    private static final Set<String> RETRY_FIELDS = Set.of("maxAttempts", "initialBackoff", "maxBackoff",
            "multiplier", "jitter");
    private static final Set<String> RESOURCE_FIELDS = Set.of("cpu", "memory");

    private final JsonMapper json = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * {@return the spec}
     *
     * @param text a deployment spec in YAML or JSON
     * @param source where it came from (a file name), for messages
     * @throws InvalidRequestException if the text is not well-formed or a field breaks its rule
     */
    public DeploymentSpec read(String text, String source) {
        ConfigNode root = ConfigNode.parse(text, source, "a deployment spec", "the deployment");
        try {
            return deployment(root);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(source + ": " + e.getMessage(), null);
        }
    }

    /** {@return the spec as JSON, in the form {@link #read} reads} */
    public String write(DeploymentSpec spec) {
        return json.writeValueAsString(tree(spec));
    }

    /** {@return the plan as JSON: the deployment's name and environment, its phases, and the spec} */
    public String write(Plan plan) {
        ObjectNode root = json.createObjectNode();
        root.put("name", plan.spec().name());
        root.put("environment", plan.spec().environment());
        ArrayNode phases = root.putArray("phases");
        plan.phases().forEach(phase -> {
            ArrayNode names = phases.addArray();
            phase.forEach(names::add);
        });
        root.set("spec", tree(plan.spec()));
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private ObjectNode tree(DeploymentSpec spec) {
        ObjectNode root = json.createObjectNode();
        root.put("name", spec.name());
        root.put("environment", spec.environment());
        root.put("maxParallelism", spec.maxParallelism());
        if (!spec.capacity().equals(Resources.UNLIMITED)) {
            root.set("capacity", resources(spec.capacity()));
        }
        ArrayNode services = root.putArray("services");
        for (ServiceSpec service : spec.services()) {
            ObjectNode s = services.addObject();
            s.put("name", service.name());
            ArrayNode deps = s.putArray("dependsOn");
            service.dependsOn().stream().sorted().forEach(deps::add);
            s.set("resources", resources(service.resources()));
            s.put("executor", service.executor());
            s.set("settings", settings(service.settings()));
            if (service.healthCheck() != null) {
                HealthCheckSpec h = service.healthCheck();
                ObjectNode health = s.putObject("health");
                health.put("probe", h.probe());
                health.set("settings", settings(h.settings()));
                health.put("initialDelay", h.initialDelay().toString());
                health.put("interval", h.interval().toString());
                health.put("timeout", h.timeout().toString());
                health.put("successThreshold", h.successThreshold());
                health.put("failureThreshold", h.failureThreshold());
            }
            RetryPolicy r = service.retry();
            ObjectNode retry = s.putObject("retry");
            retry.put("maxAttempts", r.maxAttempts());
            retry.put("initialBackoff", r.initialBackoff().toString());
            retry.put("maxBackoff", r.maxBackoff().toString());
            retry.put("multiplier", r.multiplier());
            retry.put("jitter", r.jitter());
            s.put("timeout", service.timeout().toString());
            s.put("rollout", service.rollout().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            s.put("instances", service.instances());
        }
        return root;
    }

    private ObjectNode resources(Resources r) {
        ObjectNode node = json.createObjectNode();
        node.put("cpu", r.cpuMillis() + "m");
        node.put("memory", r.memoryBytes());
        return node;
    }

    private ObjectNode settings(Map<String, String> settings) {
        ObjectNode node = json.createObjectNode();
        settings.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> node.put(e.getKey(),
                e.getValue()));
        return node;
    }

    private static DeploymentSpec deployment(ConfigNode root) {
        root.only(DEPLOYMENT_FIELDS);
        String name = root.required("name").text();
        String environment = root.required("environment").text();
        int parallelism = root.optional("maxParallelism").map(ConfigNode::integer).orElse(
                DeploymentSpec.DEFAULT_PARALLELISM);
        Resources capacity = root.optional("capacity").map(SpecCodec::resources).orElse(Resources.UNLIMITED);
        ConfigNode servicesNode = root.required("services");
        List<ServiceSpec> services = new ArrayList<>();
        for (ConfigNode service : servicesNode.elements()) {
            services.add(service(service));
        }
        return root.build(() -> new DeploymentSpec(name, environment, services, parallelism, capacity));
    }

    private static ServiceSpec service(ConfigNode node) {
        node.only(SERVICE_FIELDS);
        String name = node.required("name").text();
        Set<String> dependsOn = new LinkedHashSet<>();
        node.optional("dependsOn").ifPresent(deps -> deps.elements().forEach(d -> dependsOn.add(d.text())));
        Resources resources = node.optional("resources").map(SpecCodec::resources).orElse(Resources.NONE);
        String executor = node.required("executor").text();
        Map<String, String> settings = node.optional("settings").map(ConfigNode::settings).orElse(Map.of());
        HealthCheckSpec health = node.optional("health").map(SpecCodec::health).orElse(null);
        RetryPolicy retry = node.optional("retry").map(SpecCodec::retry).orElse(RetryPolicy.NONE);
        Duration timeout = node.optional("timeout").map(ConfigNode::duration).orElse(ServiceSpec.DEFAULT_TIMEOUT);
        Rollout rollout = node.optional("rollout").map(SpecCodec::rollout).orElse(Rollout.ALL_AT_ONCE);
        int instances = node.optional("instances").map(ConfigNode::integer).orElse(1);
        return node.build(() -> new ServiceSpec(name, dependsOn, resources, executor, settings, health, retry,
                timeout, rollout, instances));
    }

    private static HealthCheckSpec health(ConfigNode node) {
        node.only(HEALTH_FIELDS);
        HealthCheckSpec d = HealthCheckSpec.of(node.required("probe").text(), Map.of());
        Map<String, String> settings = node.optional("settings").map(ConfigNode::settings).orElse(Map.of());
        Duration delay = node.optional("initialDelay").map(ConfigNode::duration).orElse(d.initialDelay());
        Duration interval = node.optional("interval").map(ConfigNode::duration).orElse(d.interval());
        Duration timeout = node.optional("timeout").map(ConfigNode::duration).orElse(d.timeout());
        int successes = node.optional("successThreshold").map(ConfigNode::integer).orElse(d.successThreshold());
        int failures = node.optional("failureThreshold").map(ConfigNode::integer).orElse(d.failureThreshold());
        return node.build(() -> new HealthCheckSpec(d.probe(), settings, delay, interval, timeout, successes,
                failures));
    }

    private static RetryPolicy retry(ConfigNode node) {
        node.only(RETRY_FIELDS);
        int attempts = node.optional("maxAttempts").map(ConfigNode::integer).orElse(3);
        Duration initial = node.optional("initialBackoff").map(ConfigNode::duration).orElse(Duration.ofMillis(200));
        Duration max = node.optional("maxBackoff").map(ConfigNode::duration).orElse(Duration.ofSeconds(10));
        double multiplier = node.optional("multiplier").map(ConfigNode::decimal).orElse(2.0);
        double jitter = node.optional("jitter").map(ConfigNode::decimal).orElse(0.2);
        return node.build(() -> new RetryPolicy(attempts, initial, max, multiplier, jitter));
    }

    private static Rollout rollout(ConfigNode node) {
        String text = node.text().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Rollout rollout : Rollout.values()) {
            if (rollout.name().equals(text)) {
                return rollout;
            }
        }
        throw node.invalid("must be all-at-once, blue-green or canary but was '" + node.text() + "'");
    }

    private static Resources resources(ConfigNode node) {
        node.only(RESOURCE_FIELDS);
        long cpu = node.optional("cpu").map(SpecCodec::cpu).orElse(0L);
        long memory = node.optional("memory").map(SpecCodec::memory).orElse(0L);
        return node.build(() -> new Resources(cpu, memory));
    }

    private static long cpu(ConfigNode node) {
        String text = node.text().strip();
        try {
            if (text.endsWith("m")) {
                return Long.parseLong(text.substring(0, text.length() - 1));
            }
            return new BigDecimal(text).movePointRight(3).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw node.invalid("must be cores like 0.5 or millicores like 500m but was '" + text + "'");
        }
    }

    private static long memory(ConfigNode node) {
        String text = node.text().strip();
        Matcher m = MEMORY.matcher(text);
        if (!m.matches()) {
            throw node.invalid("must be bytes, or a number with Ki, Mi, Gi, Ti, k, M, G or T, but was '" + text
                    + "'");
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "" -> 1L;
            case "k", "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            case "T" -> 1_000_000_000_000L;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            default -> 1L << 40;
        };
        try {
            return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).longValueExact();
        } catch (ArithmeticException e) {
            throw node.invalid("must be a whole number of bytes but was '" + text + "'");
        }
    }

}
