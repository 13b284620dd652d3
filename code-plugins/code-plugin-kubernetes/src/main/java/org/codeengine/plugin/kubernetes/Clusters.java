package org.codeengine.plugin.kubernetes;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.File;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.InvalidRequestException;
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
        /** @return the target a start goes to: the API server and the namespace */
        String target(@Nullable String namespace) {
            return server + "/namespaces/" + (namespace == null ? this.namespace : namespace);
        }
    }

    /**
     * @param cluster the kubeconfig and context
     * @return the client for them, made on first use
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
