package org.codeengine.plugin.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.CodeException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.spi.StepContext;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StepHandle;
import org.codeengine.plugin.support.StepErrors;
import org.jspecify.annotations.Nullable;

/**
 * Runs a service as a Deployment (and optionally a Service) on a Kubernetes cluster. Settings: {@code manifest} (YAML
 * or JSON holding one Deployment and at most one Service) or {@code manifestFile} (the same in a file) or the short
 * form {@code image} with {@code port} (which adds a Service) and {@code env.NAME}; {@code namespace} (else the
 * manifest's, else the context's); {@code kubeconfig} and {@code context} (else as kubectl finds them: {@code
 * KUBECONFIG}, {@code ~/.kube/config}, the pod's service account); {@code slots} ({@code true} names the Deployment
 * {@code <name>-<slot>} and selects its pods by slot, so blue-green and canary run the new version beside the old and
 * promote moves the Service's selector); {@code apply} ({@code server-side}, with field manager {@code code}, by
 * default; or {@code replace}).
 *
 * <p>Instance {@code k} of a service is replica {@code k + 1} of its Deployment: the service's {@code instances} set
 * the replica count, so a canary is one replica of the new version first. Instance 0 records the Deployment that was
 * there before (if CODE's run did not make it) before it applies anything, so undo restores it, or deletes what the
 * run created. A start waits for the rollout as {@code kubectl rollout status} does; a rollout that fails is reported
 * with the reason Kubernetes gives.
 */
public final class KubernetesExecutor implements StepExecutor {
    static final String FIELD_MANAGER = "code";
    private static final int CONFLICT_TRIES = 5;
    private static final String UNREACHABLE = "the Kubernetes API server cannot be reached";
    /** How often a rollout's status is read while it is awaited. */
    static final Duration POLL = Duration.ofMillis(200);
    /** The longest {@link #unavailable(Map)} waits for the API server. */
    private static final Duration PING = Duration.ofSeconds(3);
    /** What Kubernetes waits for a rollout to progress when the Deployment does not say. */
    static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

    private final Clusters clusters = new Clusters();

    /** The executor ServiceLoader makes. */
    public KubernetesExecutor() {}

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public void validate(Map<String, String> settings) {
        Workload w = Workload.parse("service", settings);
        if (w.cluster().context() != null) {
            Clusters.config(w.cluster()); // a context the kubeconfig lacks is named now, not at the start
        }
    }

    /**
     * Looks for a kubeconfig with a current context (or a pod's service account) and asks its API server for its
     * version, for at most three seconds.
     */
    @Override
    public Optional<String> unavailable(Map<String, String> environment) {
        return Clusters.unavailable(environment, PING);
    }

    /** {@return the API server's URL and the namespace, so a dead API server trips its own breaker} */
    @Override
    public String target(Map<String, String> settings) {
        try {
            Workload w = Workload.parse("service", settings);
            return clusters.of(w.cluster()).target(w.namespace());
        } catch (CodeException | KubernetesClientException e) {
            return "kubernetes:" + settings.getOrDefault("kubeconfig", "") + ":" + settings.getOrDefault("context",
                    "") + "/" + settings.getOrDefault("namespace", "");
        }
    }

    @Override
    public StepHandle start(String service, Map<String, String> settings, StepContext context) {
        Workload w;
        try {
            w = Workload.parse(service, settings);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException("service '" + service + "' settings: " + e.getMessage(), e);
        }
        try {
            Clusters.Connected cluster = clusters.of(w.cluster());
            String namespace = w.namespace() != null ? w.namespace() : cluster.namespace();
            String name = w.deploymentName(context.slot());
            int replicas = context.instance() + 1;
            Labels labels = new Labels(context.runId(), service, context.instance(), context.slot());
            KubernetesClient client = cluster.client();
            Map<String, String> outputs = new LinkedHashMap<>(where(w, cluster, namespace));
            outputs.put("deployment", name);
            outputs.put("replicas", Integer.toString(replicas));
            Deployment existing = call(() -> client.apps().deployments().inNamespace(namespace).withName(name).get());
            if (context.instance() == 0) {
                if (existing != null && !context.runId().equals(Labels.runOf(existing))) {
                    outputs.put("previous", Workload.SERIAL.asJson(cleaned(existing)));
                }
                Service desired = w.desiredService(namespace, context.slot(), labels);
                Service svc = desired == null
                        ? null
                        : call(() -> client.services().inNamespace(namespace).withName(
                                desired.getMetadata().getName()).get());
                if (desired != null) {
                    outputs.put("service", desired.getMetadata().getName());
                    if (svc == null) {
                        outputs.put("serviceCreated", "true");
                    } else if (!w.slots() && !context.runId().equals(Labels.runOf(svc))) {
                        outputs.put("previousService", Workload.SERIAL.asJson(cleaned(svc)));
                    }
                }
                context.record(outputs); // before anything is applied: an undo finds and restores it all
                if (desired != null && (svc == null || !w.slots())) {
                    apply(client, desired, w.serverSideApply());
                    context.progress().accept("applied Service " + namespace + "/" + desired.getMetadata().getName());
                }
            } else {
                if (existing == null || !context.runId().equals(Labels.runOf(existing))) {
                    throw new UnavailableException("Deployment " + namespace + "/" + name + " that instance 0 applied"
                            + " is gone or was replaced", null, null);
                }
                context.record(outputs);
            }
            Deployment applied = apply(client, w.desired(namespace, context.slot(), labels, replicas), w
                    .serverSideApply());
            long generation = applied.getMetadata().getGeneration() == null
                    ? 0
                    : applied.getMetadata()
                            .getGeneration();
            context.record(Map.of("generation", Long.toString(generation), "uid", String.valueOf(applied
                    .getMetadata().getUid())));
            context.progress().accept("applied Deployment " + namespace + "/" + name + " (generation " + generation
                    + ", " + replicas + (replicas == 1 ? " replica" : " replicas") + ") on " + cluster.server());
            return new Rollout(client, namespace, name, generation, replicas, progressDeadline(applied));
        } catch (CodeException e) {
            if (e instanceof UnavailableException && e.getMessage() != null && e.getMessage().startsWith(UNREACHABLE)) {
                String server = clusters.of(w.cluster()).server(); // made before any request could fail
                e = new UnavailableException(UNREACHABLE + " at " + server + " (context "
                        + (w.cluster().context() == null ? "current" : "'" + w.cluster().context() + "'")
                        + "; is the cluster up?): " + e
                                .getMessage().substring(UNREACHABLE.length() + 2),
                        null, e);
            }
            throw StepErrors.withService(service, e);
        }
    }

    private static Map<String, String> where(Workload w, Clusters.Connected cluster, String namespace) {
        Map<String, String> where = new LinkedHashMap<>();
        where.put("namespace", namespace);
        where.put("server", cluster.server());
        if (w.cluster().kubeconfig() != null) {
            where.put("kubeconfig", w.cluster().kubeconfig());
        }
        if (w.cluster().context() != null) {
            where.put("context", w.cluster().context());
        }
        where.put("slots", Boolean.toString(w.slots()));
        where.put("apply", w.serverSideApply() ? "server-side" : "replace");
        return where;
    }

    /** Undoes of one Deployment's instances take turns: a Deployment's name picks one of these. */
    private static final Object[] UNDO_LOCKS = new Object[64];

    static {
        for (int i = 0; i < UNDO_LOCKS.length; i++) {
            UNDO_LOCKS[i] = new Object();
        }
    }

    @Override
    public void undo(StepRecord record, StepContext context) {
        Map<String, String> out = record.outputs();
        String name = out.get("deployment");
        if (name == null) {
            return; // nothing was recorded, so nothing was applied
        }
        String namespace = out.get("namespace");
        // the engine undoes a step's instances at once; here they are replicas of one Deployment, so one at a time:
        // instance 0 restores or deletes it, the others scale it down, and either order ends the same
        synchronized (UNDO_LOCKS[Math.floorMod((namespace + "/" + name).hashCode(), UNDO_LOCKS.length)]) {
            undoOne(record, context, name, namespace);
        }
    }

    private void undoOne(StepRecord record, StepContext context, String name, String namespace) {
        Map<String, String> out = record.outputs();
        KubernetesClient client = clientFor(record);
        boolean ssa = !"replace".equals(out.get("apply"));
        var deployments = client.apps().deployments().inNamespace(namespace);
        Deployment current = call(() -> deployments.withName(name).get());
        boolean ours = current != null && record.runId().equals(Labels.runOf(current));
        if (context.instance() > 0) {
            int keep = context.instance();
            if (ours && current.getSpec().getReplicas() != null && current.getSpec().getReplicas() > keep) {
                callFresh(() -> deployments.withName(name).edit(d -> {
                    d.getSpec().setReplicas(keep);
                    return d;
                }));
            }
            return;
        }
        String previous = out.get("previous");
        if (previous != null && (current == null || ours)) {
            Deployment restored = Workload.SERIAL.unmarshal(previous, Deployment.class);
            apply(client, restored, ssa);
            context.progress().accept("restored the Deployment " + namespace + "/" + name + " that was there before"
                    + " run " + record.runId());
        } else if (ours) {
            call(() -> deployments.withName(name).delete());
        }
        undoService(client, record, namespace, ssa, context.slot());
    }

    private static void undoService(KubernetesClient client, StepRecord record, String namespace, boolean ssa,
            String slot) {
        Map<String, String> out = record.outputs();
        String name = out.get("service");
        if (name == null) {
            return;
        }
        var services = client.services().inNamespace(namespace);
        Service current = call(() -> services.withName(name).get());
        if (current == null) {
            return;
        }
        String selected = current.getSpec().getSelector() == null
                ? null
                : current.getSpec().getSelector().get(
                        Labels.SLOT);
        if (Boolean.parseBoolean(out.get("slots"))) {
            String before = out.get("servicePreviousSlot");
            if (slot.equals(selected) && before != null) {
                select(client, namespace, name, before);
            } else if (slot.equals(selected) && "true".equals(out.get("serviceCreated"))) {
                call(() -> services.withName(name).delete());
            }
            return; // another slot serves: its Service stays as it is
        }
        String previous = out.get("previousService");
        if (previous != null) {
            apply(client, Workload.SERIAL.unmarshal(previous, Service.class), ssa);
        } else if ("true".equals(out.get("serviceCreated")) && record.runId().equals(Labels.runOf(current))) {
            call(() -> services.withName(name).delete());
        }
    }

    /**
     * Says whether the recorded Deployment is still this run's and its rollout has reached this instance's replica:
     * a rollout in progress is awaited (at most its progress deadline), so a resumed run neither gives up on a rollout
     * a killed engine left going nor applies it again. The run's own annotation on the Deployment is what makes it
     * this run's, so an engine killed between the apply and the record of its generation is re-attached too.
     */
    @Override
    public boolean alive(StepRecord record) {
        Map<String, String> out = record.outputs();
        String name = out.get("deployment");
        String generation = out.get("generation"); // absent if the engine was killed between apply and record
        if (name == null) {
            return false;
        }
        KubernetesClient client = clientFor(record);
        Deployment current = call(() -> client.apps().deployments().inNamespace(out.get("namespace")).withName(name)
                .get());
        if (current == null || !record.runId().equals(Labels.runOf(current)) || (generation != null && current
                .getMetadata().getGeneration() < Long.parseLong(generation))) {
            return false;
        }
        int replicas = Integer.parseInt(out.getOrDefault("replicas", "1"));
        Rollout rollout = new Rollout(client, out.get("namespace"), name, current.getMetadata().getGeneration(),
                replicas, progressDeadline(current));
        rollout.deadline = System.nanoTime() + rollout.progressDeadline.plusSeconds(30).toNanos();
        return rollout.alive();
    }

    /** Points the Service's selector at the instance's slot; the slot it pointed at before is recorded first. */
    @Override
    public void promote(StepRecord record, StepContext context) {
        Map<String, String> out = record.outputs();
        String name = out.get("service");
        if (context.instance() != 0 || name == null || !Boolean.parseBoolean(out.get("slots"))) {
            return; // one Service per service: instance 0 switches it
        }
        KubernetesClient client = clientFor(record);
        String namespace = out.get("namespace");
        Service current = call(() -> client.services().inNamespace(namespace).withName(name).get());
        if (current == null) {
            throw new UnavailableException("service '" + record.service() + "': Service " + namespace + "/" + name
                    + " is gone, so traffic cannot be switched to slot " + context.slot(), null, null);
        }
        String before = current.getSpec().getSelector() == null
                ? null
                : current.getSpec().getSelector().get(
                        Labels.SLOT);
        if (context.slot().equals(before)) {
            return;
        }
        if (before != null && !out.containsKey("servicePreviousSlot")) {
            context.record(Map.of("servicePreviousSlot", before));
        }
        select(client, namespace, name, context.slot());
        context.progress().accept("Service " + namespace + "/" + name + " now selects slot " + context.slot()
                + (before == null ? "" : " (was " + before + ")"));
    }

    private static void select(KubernetesClient client, String namespace, String name, String slot) {
        callFresh(() -> client.services().inNamespace(namespace).withName(name).edit(s -> {
            Map<String, String> selector = new HashMap<>(s.getSpec().getSelector() == null
                    ? Map.of()
                    : s.getSpec()
                            .getSelector());
            selector.put(Labels.SLOT, slot);
            s.getSpec().setSelector(selector);
            return s;
        }));
    }

    private KubernetesClient clientFor(StepRecord record) {
        return clusters.of(new Workload.Cluster(record.outputs().get("kubeconfig"), record.outputs().get("context")))
                .client();
    }

    /**
     * Applies an object. Server-side: an object that is absent is created (what an apply does to it), one that exists
     * is patched with server-side apply, field manager {@code code}, taking the fields it sets; else created or
     * replaced whole.
     */
    private static <T extends HasMetadata> T apply(KubernetesClient client, T object, boolean serverSide) {
        if (!serverSide) {
            return callFresh(() -> client.resource(object).createOr(NonDeletingOperation::update));
        }
        if (call(() -> client.resource(object).get()) == null) {
            try {
                return client.resource(object).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw mapped(e);
                } // made meanwhile: apply over it
            }
        }
        return call(() -> client.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply());
    }

    /** What was there before, as it can be applied again: its spec and its own metadata, without the server's. */
    private static <T extends HasMetadata> T cleaned(T object) {
        T copy = Workload.SERIAL.clone(object);
        ObjectMeta meta = copy.getMetadata();
        ObjectMeta kept = new ObjectMeta();
        kept.setName(meta.getName());
        kept.setNamespace(meta.getNamespace());
        kept.setLabels(meta.getLabels());
        kept.setAnnotations(meta.getAnnotations());
        copy.setMetadata(kept);
        if (copy instanceof Deployment d) {
            d.setStatus(null);
        } else if (copy instanceof Service s) {
            s.setStatus(null);
        }
        return copy;
    }

    private static Duration progressDeadline(Deployment d) {
        Integer seconds = d.getSpec() == null ? null : d.getSpec().getProgressDeadlineSeconds();
        return Duration.ofSeconds(seconds == null ? DEFAULT_PROGRESS_DEADLINE_SECONDS : seconds);
    }

    /** Runs one call to the API server, mapping fabric8's exception onto CODE's. */
    static <T> T call(Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw mapped(e);
        }
    }

    /**
     * Runs a read-modify-write call, again on a conflict (HTTP 409: the object changed between the read and the write,
     * for example its status by a controller), up to {@value #CONFLICT_TRIES} times; each try reads the object anew.
     */
    static <T> T callFresh(Supplier<T> request) {
        for (int attempt = 1;; attempt++) {
            try {
                return request.get();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == CONFLICT_TRIES) {
                    throw mapped(e);
                }
                try {
                    Thread.sleep(10L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw mapped(e);
                }
            }
        }
    }

    static CodeException mapped(KubernetesClientException e) {
        Throwable io = e;
        while (io != null && !(io instanceof java.io.IOException)) {
            io = io.getCause();
        }
        if (io != null || e.getCode() <= 0) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return new UnavailableException(UNREACHABLE + ": " + root, null, e);
        }
        String message = "the Kubernetes API server said: " + e.getMessage();
        return switch (e.getCode()) {
            case 401 -> new AuthenticationException(message, null);
            case 403 -> new PolicyDeniedException(message, null);
            case 404 -> new NotFoundException(message, null);
            case 400, 409, 422 -> new InvalidRequestException(message, null);
            default -> new UnavailableException(message, null, e);
        };
    }

    /**
     * A rollout this executor applied. {@link #awaitStarted} returns once the Deployment is applied (the API server
     * took it); {@link #alive} waits for the rollout to reach this instance's replica, for as long as the step's
     * deadline allows, and says no once it has failed.
     */
    private static final class Rollout implements StepHandle {
        private final KubernetesClient client;
        private final String namespace;
        private final String name;
        private final long generation;
        private final int replicas;
        final Duration progressDeadline;
        volatile long deadline;
        private volatile boolean cancelled;
        private volatile @Nullable String failure;

        Rollout(KubernetesClient client, String namespace, String name, long generation, int replicas,
                Duration progressDeadline) {
            this.client = client;
            this.namespace = namespace;
            this.name = name;
            this.generation = generation;
            this.replicas = replicas;
            this.progressDeadline = progressDeadline;
            this.deadline = System.nanoTime() + progressDeadline.toNanos();
        }

        @Override
        public void awaitStarted(Duration timeout) {
            deadline = System.nanoTime() + Math.min(timeout.toNanos(), progressDeadline.plusSeconds(30).toNanos());
            RolloutStatus now = status();
            if (now.state() == RolloutStatus.State.FAILED) {
                failure = now.detail();
            }
        }

        private RolloutStatus status() {
            return RolloutStatus.of(call(() -> client.apps().deployments().inNamespace(namespace).withName(name)
                    .get()), generation, replicas);
        }

        @Override
        public boolean alive() {
            if (failure != null) {
                return false;
            }
            RolloutStatus now = status();
            while (now.state() == RolloutStatus.State.PROGRESSING && !cancelled && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(POLL);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return true; // the caller stops waiting; nothing has said the rollout failed
                }
                now = status();
            }
            return switch (now.state()) {
                case COMPLETE -> true;
                case FAILED -> {
                    failure = "Deployment " + namespace + "/" + name + ": " + now.detail();
                    yield false;
                }
                case PROGRESSING -> {
                    if (cancelled) {
                        yield true;
                    }
                    failure = "Deployment " + namespace + "/" + name + ": rollout not complete in time: " + now
                            .detail();
                    yield false;
                }
            };
        }

        @Override
        public Optional<String> exitDetail() {
            return Optional.ofNullable(failure);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}
