package org.codeengine.core.internal.orchestrator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.codeengine.api.CodeException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.StepExecutor;

/**
 * Validates a deployment and orders it in phases: topological layers (Kahn), each cut into phases of at most
 * {@code maxParallelism} services asking together for no more than {@code capacity}. Linear in services and edges.
 */
public final class Planner {
    private final Map<String, StepExecutor> executors;
    private final Map<String, HealthProbe> probes;
    private final int maxInstances;

    /** A planner that allows {@link DefaultOrchestrator.Limits#DEFAULT_MAX_INSTANCES} instances of a service. */
    public Planner(Map<String, StepExecutor> executors, Map<String, HealthProbe> probes) {
        this(executors, probes, DefaultOrchestrator.Limits.DEFAULT_MAX_INSTANCES);
    }

    /** @param maxInstances the most instances one service may ask for */
    public Planner(Map<String, StepExecutor> executors, Map<String, HealthProbe> probes, int maxInstances) {
        this.executors = Map.copyOf(executors);
        this.probes = Map.copyOf(probes);
        this.maxInstances = maxInstances;
    }

    /** {@return what all the instances of a service ask for together} */
    static Resources demand(ServiceSpec service) {
        Resources one = service.resources();
        return new Resources(saturated(one.cpuMillis(), service.instances()), saturated(one.memoryBytes(), service
                .instances()));
    }

    private static long saturated(long amount, int times) {
        long product = amount * times;
        return amount != 0 && product / times != amount ? Long.MAX_VALUE : product;
    }

    /**
     * {@return the plan}
     *
     * @throws InvalidRequestException naming the culprit: a missing dependency with both services, a cycle with its
     *         path, an unknown executor or probe with the known ones, a request larger than capacity with the excess,
     *         or a setting an executor or probe refuses
     */
    public Plan plan(DeploymentSpec spec) {
        List<ServiceSpec> services = spec.services();
        int n = services.size();
        Map<String, Integer> index = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            index.put(services.get(i).name(), i);
        }
        int[] indegree = new int[n];
        int[] dependentCount = new int[n];
        for (int i = 0; i < n; i++) {
            ServiceSpec service = services.get(i);
            for (String dependency : service.dependsOn()) {
                Integer d = index.get(dependency);
                if (d == null) {
                    throw invalid("service '" + service.name() + "' depends on '" + dependency
                            + "', which is not a service of deployment '" + spec.name() + "'");
                }
                indegree[i]++;
                dependentCount[d]++;
            }
            check(spec, service);
        }
        // dependents in compressed rows: dependents of d are dependents[start[d] .. start[d + 1])
        int[] start = new int[n + 1];
        for (int d = 0; d < n; d++) {
            start[d + 1] = start[d] + dependentCount[d];
        }
        int[] dependents = new int[start[n]];
        int[] fill = Arrays.copyOf(start, n);
        for (int i = 0; i < n; i++) {
            for (String dependency : services.get(i).dependsOn()) {
                dependents[fill[index.get(dependency)]++] = i;
            }
        }

        List<List<String>> phases = new ArrayList<>();
        int[] layer = new int[n];
        int layerSize = 0;
        for (int i = 0; i < n; i++) {
            if (indegree[i] == 0) {
                layer[layerSize++] = i;
            }
        }
        int placed = 0;
        int[] next = new int[n];
        while (layerSize > 0) {
            Arrays.sort(layer, 0, layerSize); // spec order within a layer
            cut(spec, layer, layerSize, phases);
            placed += layerSize;
            int nextSize = 0;
            for (int k = 0; k < layerSize; k++) {
                int d = layer[k];
                for (int e = start[d]; e < start[d + 1]; e++) {
                    if (--indegree[dependents[e]] == 0) {
                        next[nextSize++] = dependents[e];
                    }
                }
            }
            int[] swap = layer;
            layer = next;
            next = swap;
            layerSize = nextSize;
        }
        if (placed < n) {
            throw invalid("deployment '" + spec.name() + "' has a dependency cycle: " + cycle(services, index,
                    indegree));
        }
        return new Plan(spec, phases);
    }

    private void check(DeploymentSpec spec, ServiceSpec service) {
        StepExecutor executor = executors.get(service.executor());
        if (executor == null) {
            throw invalid("service '" + service.name() + "' names executor '" + service.executor()
                    + "', which is not installed; known executors: " + new TreeSet<>(executors.keySet()));
        }
        if (service.instances() > maxInstances) {
            throw invalid("service '" + service.name() + "' asks for " + service.instances() + " instances, more than"
                    + " the " + maxInstances + " this engine allows (its maxInstances setting)");
        }
        Map<String, String> sample = Placeholders.sample(service.name());
        String where = "service '" + service.name() + "' settings";
        try {
            executor.validate(Placeholders.fill(service.settings(), sample, where), Placeholders.templated(service
                    .settings()));
        } catch (InvalidRequestException e) {
            throw e.getMessage().startsWith("service '") ? e : invalid(where + ": " + e.getMessage());
        } catch (CodeException | IllegalArgumentException e) {
            throw invalid(where + ": " + e.getMessage());
        }
        if (service.healthCheck() != null) {
            HealthCheckSpec health = service.healthCheck();
            HealthProbe probe = probes.get(health.probe());
            if (probe == null) {
                throw invalid("service '" + service.name() + "' names health probe '" + health.probe()
                        + "', which is not installed; known probes: " + new TreeSet<>(probes.keySet()));
            }
            String healthWhere = "service '" + service.name() + "' health settings";
            try {
                probe.validate(Placeholders.fill(health.settings(), sample, healthWhere));
            } catch (InvalidRequestException e) {
                throw e.getMessage().startsWith("service '") ? e : invalid(healthWhere + ": " + e.getMessage());
            } catch (CodeException | IllegalArgumentException e) {
                throw invalid(healthWhere + ": " + e.getMessage());
            }
        }
        Resources asked = demand(service);
        Resources capacity = spec.capacity();
        String instances = service.instances() == 1 ? "" : " (" + service.instances() + " instances)";
        if (asked.cpuMillis() > capacity.cpuMillis()) {
            throw invalid("service '" + service.name() + "' asks for " + asked.cpuMillis() + " cpuMillis" + instances
                    + ", " + (asked.cpuMillis() - capacity.cpuMillis()) + " more than the capacity of "
                    + capacity.cpuMillis());
        }
        if (asked.memoryBytes() > capacity.memoryBytes()) {
            throw invalid("service '" + service.name() + "' asks for " + asked.memoryBytes() + " memoryBytes"
                    + instances + ", " + (asked.memoryBytes() - capacity.memoryBytes())
                    + " more than the capacity of " + capacity.memoryBytes());
        }
    }

    /** Cuts one topological layer into phases bounded by parallelism and capacity. */
    private static void cut(DeploymentSpec spec, int[] layer, int size, List<List<String>> phases) {
        List<ServiceSpec> services = spec.services();
        List<String> phase = new ArrayList<>();
        Resources used = Resources.NONE;
        for (int k = 0; k < size; k++) {
            ServiceSpec service = services.get(layer[k]);
            Resources after = used.plus(demand(service));
            if (!phase.isEmpty() && (phase.size() == spec.maxParallelism() || !after.fitsIn(spec.capacity()))) {
                phases.add(phase);
                phase = new ArrayList<>();
                after = demand(service);
            }
            phase.add(service.name());
            used = after;
        }
        phases.add(phase);
    }

    /** Follows unplaced dependencies from an unplaced service until one repeats: that loop is a cycle. */
    private static String cycle(List<ServiceSpec> services, Map<String, Integer> index, int[] indegree) {
        int startAt = 0;
        while (indegree[startAt] == 0) {
            startAt++;
        }
        Map<Integer, Integer> seenAt = new HashMap<>();
        List<Integer> path = new ArrayList<>();
        int at = startAt;
        while (!seenAt.containsKey(at)) {
            seenAt.put(at, path.size());
            path.add(at);
            int current = at;
            at = services.get(current).dependsOn().stream().map(index::get).filter(d -> indegree[d] > 0).sorted()
                    .findFirst().orElseThrow();
        }
        StringBuilder text = new StringBuilder();
        ArrayDeque<Integer> loop = new ArrayDeque<>(path.subList(seenAt.get(at), path.size()));
        loop.forEach(i -> text.append(services.get(i).name()).append(" -> "));
        return text.append(services.get(at).name()).toString();
    }

    private static InvalidRequestException invalid(String message) {
        return new InvalidRequestException(message, null);
    }
}
