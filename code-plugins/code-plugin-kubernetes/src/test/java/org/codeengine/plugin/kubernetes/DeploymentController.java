package org.codeengine.plugin.kubernetes;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the Deployment controller on the simulated API server: it watches Deployments and, for each generation it
 * has not seen, writes the status a real controller would once the replicas are ready (observedGeneration, updated,
 * ready and available replicas, {@code Available} and {@code Progressing} conditions). A Deployment any of whose
 * images has the tag {@code broken} never gets a replica available: its {@code Progressing} condition turns False
 * with reason {@code ProgressDeadlineExceeded}, as when pods stay in ImagePullBackOff past the progress deadline.
 * While {@link #hold() held}, it writes nothing. It counts the creations it sees and keeps each generation's spec.
 */
final class DeploymentController implements AutoCloseable {
    /**
     * One generation of a Deployment as the controller saw it.
     *
     * @param name the Deployment
     * @param generation its generation
     * @param replicas the replicas it asked for
     * @param image its first container's image
     */
    record Seen(String name, long generation, int replicas, String image) {}

    private final KubernetesClient client;
    private final String namespace;
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final Map<String, AtomicInteger> creations = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final java.util.Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile boolean holdAll;
    private Watch watch;

    private DeploymentController(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    static DeploymentController start(KubernetesClient client, String namespace) {
        DeploymentController controller = new DeploymentController(client, namespace);
        controller.watch = client.apps().deployments().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                if (action == Action.ADDED) {
                    controller.creations.computeIfAbsent(d.getMetadata().getName(), n -> new AtomicInteger())
                            .incrementAndGet();
                }
                if (action == Action.ADDED || action == Action.MODIFIED) {
                    controller.worker.execute(() -> controller.reconcile(d.getMetadata().getName()));
                }
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
        return controller;
    }

    /**
     * Stops writing status: rollouts stay in progress until {@link #release()}.
     *
     * @param names the Deployments to hold; none holds them all
     */
    void hold(String... names) {
        if (names.length == 0) {
            holdAll = true;
        }
        held.addAll(List.of(names));
    }

    /** Writes status again, for every Deployment that waits for it. */
    void release() {
        holdAll = false;
        held.clear();
        worker.execute(
                () -> client.apps().deployments().inNamespace(namespace).list().getItems().forEach(d -> reconcile(
                        d.getMetadata().getName())));
    }

    /** {@return how many times a Deployment of this name was created} */
    int creations(String name) {
        AtomicInteger n = creations.get(name);
        return n == null ? 0 : n.get();
    }

    /** {@return the generations seen, in order} */
    List<Seen> seen(String name) {
        return seen.stream().filter(s -> s.name().equals(name)).toList();
    }

    private void reconcile(String name) {
        if (holdAll || held.contains(name)) {
            return;
        }
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
        if (d == null) {
            return;
        }
        long generation = d.getMetadata().getGeneration();
        DeploymentStatus old = d.getStatus();
        if (old != null && old.getObservedGeneration() != null && old.getObservedGeneration() == generation) {
            return;
        }
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        String image = d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
        seen.add(new Seen(name, generation, replicas, image));
        boolean broken = d.getSpec().getTemplate().getSpec().getContainers().stream().anyMatch(c -> c.getImage()
                .endsWith(":broken"));
        DeploymentStatusBuilder status = new DeploymentStatusBuilder().withObservedGeneration(generation)
                .withReplicas(replicas).withUpdatedReplicas(replicas);
        if (broken) {
            status.withReadyReplicas(0).withAvailableReplicas(0).withUnavailableReplicas(replicas).addNewCondition()
                    .withType("Available").withStatus("False").withReason("MinimumReplicasUnavailable").withMessage(
                            "Deployment does not have minimum availability.")
                    .endCondition().addNewCondition()
                    .withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded").withMessage(
                            "ReplicaSet \"" + name + "-5d8f7c\" has timed out progressing. (pods: ImagePullBackOff:"
                                    + " Back-off pulling image \"" + image + "\")")
                    .endCondition();
        } else {
            status.withReadyReplicas(replicas).withAvailableReplicas(replicas).addNewCondition().withType("Available")
                    .withStatus("True").withReason("MinimumReplicasAvailable").endCondition().addNewCondition()
                    .withType("Progressing").withStatus("True").withReason("NewReplicaSetAvailable").withMessage(
                            "ReplicaSet \"" + name + "-5d8f7c\" has successfully progressed.")
                    .endCondition();
        }
        d.setStatus(status.build());
        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        worker.shutdownNow();
    }
}
