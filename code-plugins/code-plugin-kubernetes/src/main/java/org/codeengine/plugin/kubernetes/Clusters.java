package org.codeengine.plugin.kubernetes;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.plugin.support.Availability;
import org.jspecify.annotations.Nullable;

/**
 * The clusters the executor talks to: one fabric8 client per kubeconfig and context, made once and kept, on the JDK's
 * HTTP client. The kubeconfig is read as kubectl reads it (contexts, exec credential plugins, tokens, client
 * certificates); without one, a pod's service account is used.
 */
final class Clusters {
    /** Requests the client retries after the first, so a dead API server fails a start in seconds, not minutes. */
    private static final int RETRIES = 1;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final Map<Workload.Cluster, Connected> clients = new ConcurrentHashMap<>();

    /**
     * A cluster reached through one context.
     *
     * @param client the client
     * @param server the API server's URL
     * @param namespace the context's namespace, else {@code default}
     */
    record Connected(KubernetesClient client, String server, String namespace) {
        /** {@return the target a start goes to: the API server and the namespace} */
        String target(@Nullable String namespace) {
            return server + "/namespaces/" + (namespace == null ? this.namespace : namespace);
        }
    }

    /**
     * {@return the client for them, made on first use}
     *
     * @param cluster the kubeconfig and context
     * @throws InvalidRequestException if the kubeconfig or the context cannot be read
     */
    Connected of(Workload.Cluster cluster) {
        return clients.computeIfAbsent(cluster, Clusters::connect);
    }

    private static Connected connect(Workload.Cluster cluster) {
        Config config = config(cluster);
        config.setRequestRetryBackoffLimit(RETRIES);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(
                new JdkHttpClientFactory()).build();
        String server = config.getMasterUrl().endsWith("/")
                ? config.getMasterUrl().substring(0, config
                        .getMasterUrl().length() - 1)
                : config.getMasterUrl();
        return new Connected(client, server, config.getNamespace() == null ? "default" : config.getNamespace());
    }

    /**
     * Says whether a service with neither {@code kubeconfig} nor {@code context} could reach a cluster: a kubeconfig
     * (from {@code KUBECONFIG}, else {@code ~/.kube/config}) with a current context, or a pod's service account, and
     * an API server that answers {@code /version} within {@code timeout}.
     *
     * @param environment where {@code KUBECONFIG}, {@code HOME} and {@code KUBERNETES_SERVICE_HOST} are read
     * @param timeout the longest the API server may take to answer
     * @return empty when usable; else why not and what to do
     */
    static Optional<String> unavailable(Map<String, String> environment, Duration timeout) {
        String listed = environment.getOrDefault("KUBECONFIG", "").strip();
        Path file;
        if (!listed.isEmpty()) {
            Optional<Path> first = Arrays.stream(listed.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(
                    Path::of).filter(Files::isRegularFile).findFirst();
            if (first.isEmpty()) {
                return Optional.of("no kubeconfig: KUBECONFIG names " + listed + ", which does not exist; point"
                        + " KUBECONFIG at a cluster's kubeconfig");
            }
            file = first.get();
        } else {
            file = Path.of(environment.getOrDefault("HOME", System.getProperty("user.home")), ".kube", "config");
            if (!Files.isRegularFile(file)) {
                boolean inPod = environment.containsKey("KUBERNETES_SERVICE_HOST") && Files.isReadable(Path.of(
                        "/var/run/secrets/kubernetes.io/serviceaccount/token"));
                if (!inPod) {
                    return Optional.of("no kubeconfig: KUBECONFIG is not set, " + file + " does not exist and this"
                            + " is not a pod with a service account; set KUBECONFIG to a cluster's kubeconfig");
                }
                return answers(Config.autoConfigure(null), "the pod's service account", timeout);
            }
        }
        Config config;
        try {
            config = Config.fromKubeconfig(null, file.toFile());
        } catch (RuntimeException e) {
            return Optional.of("the kubeconfig " + file + " cannot be read: " + e.getMessage());
        }
        if (config.getCurrentContext() == null) {
            return Optional.of("the kubeconfig " + file + " has no current context; choose one with kubectl config"
                    + " use-context NAME");
        }
        return answers(config, "context '" + config.getCurrentContext().getName() + "' of " + file, timeout);
    }

    private static Optional<String> answers(Config config, String where, Duration timeout) {
        String server = config.getMasterUrl();
        String late = "the Kubernetes API server " + server + " (" + where + ") does not answer within " + timeout
                .toSeconds() + " s; start the cluster or choose another context";
        return Availability.within(timeout, late, () -> {
            config.setRequestRetryBackoffLimit(0);
            config.setConnectionTimeout((int) timeout.toMillis());
            config.setRequestTimeout((int) timeout.toMillis());
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(
                    new JdkHttpClientFactory()).build()) {
                client.getKubernetesVersion();
                return Optional.empty();
            } catch (RuntimeException e) {
                return Optional.of("the Kubernetes API server " + server + " (" + where + ") does not answer: " + e
                        .getMessage());
            }
        });
    }

    /** Reads the kubeconfig (or the service account) and checks that the asked context is in it. */
    static Config config(Workload.Cluster cluster) {
        Config config;
        try {
            config = cluster.kubeconfig() != null
                    ? Config.fromKubeconfig(cluster.context(), new File(cluster
                            .kubeconfig()))
                    : Config.autoConfigure(cluster.context());
        } catch (RuntimeException e) {
            throw new InvalidRequestException("setting 'kubeconfig': " + (cluster.kubeconfig() == null
                    ? "the kubeconfig (KUBECONFIG or ~/.kube/config)"
                    : "'" + cluster.kubeconfig() + "'")
                    + " cannot be read: " + e.getMessage(), null);
        }
        if (cluster.context() != null) {
            NamedContext current = config.getCurrentContext();
            if (current == null || !cluster.context().equals(current.getName())) {
                throw new InvalidRequestException("setting 'context' names '" + cluster.context() + "', which is not"
                        + " a context of " + (cluster.kubeconfig() == null
                                ? "the kubeconfig (KUBECONFIG or"
                                        + " ~/.kube/config)"
                                : "'" + cluster.kubeconfig() + "'")
                        + "; its contexts are "
                        + (config.getContexts() == null
                                ? "none"
                                : config.getContexts().stream().map(
                                        NamedContext::getName).toList()),
                        null);
            }
        }
        return config;
    }
}
