package org.codeengine.plugin.tools.infra;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.support.CatalogueTools;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.ToolKit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code kubernetes} tool provider, through fabric8's client on the JDK's HTTP client as the kubernetes plugin:
 * {@code kubernetes_get}, {@code kubernetes_apply}, {@code kubernetes_logs}, {@code kubernetes_rollout_status}. Every
 * call stays in the namespaces the host allows; apply takes only namespaced kinds, and a Secret's values are never
 * shown.
 *
 * <p>Settings ({@code tools.kubernetes}): {@code kubeconfig} (KUBECONFIG or ~/.kube/config), {@code context} (the
 * current one), {@code namespaces} (the context's namespace).
 */
public final class KubernetesToolProvider extends CatalogueTools {
    static final String WHERE = "tools.kubernetes";
    /** The kinds kubernetes_get reads, with their API versions. */
    private static final Map<String, String> KINDS = Map.ofEntries(Map.entry("Pod", "v1"), Map.entry("Service",
            "v1"), Map.entry("ConfigMap", "v1"), Map.entry("Secret", "v1"), Map.entry("Event", "v1"),
            Map.entry(
                    "PersistentVolumeClaim", "v1"),
            Map.entry("ServiceAccount", "v1"), Map.entry("Deployment",
                    "apps/v1"),
            Map.entry("StatefulSet", "apps/v1"), Map.entry("DaemonSet", "apps/v1"), Map
                    .entry("ReplicaSet", "apps/v1"),
            Map.entry("Job", "batch/v1"), Map.entry(
                    "CronJob", "batch/v1"),
            Map.entry("Ingress", "networking.k8s.io/v1"));
    /** Kinds that live outside any namespace, which apply refuses: they reach past the namespaces allowed. */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node", "PersistentVolume", "ClusterRole",
            "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass", "PriorityClass",
            "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService", "CSIDriver", "RuntimeClass",
            "IngressClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");

    private final @Nullable KubernetesClient client;
    private final List<String> namespaces;

    /** The provider as ServiceLoader makes it: not configured. */
    public KubernetesToolProvider() {
        this(null, List.of());
    }

    private KubernetesToolProvider(@Nullable KubernetesClient client, List<String> namespaces) {
        super("kubernetes");
        this.client = client;
        this.namespaces = List.copyOf(namespaces);
    }

    @Override
    public ToolProvider configured(ToolSettings settings) {
        JsonNode s = settings.settings();
        String kubeconfig = ToolKit.settingText(s, WHERE, "kubeconfig");
        String context = ToolKit.settingText(s, WHERE, "context");
        Config config;
        try {
            config = kubeconfig != null
                    ? Config.fromKubeconfig(context, new File(settings.home().resolve(kubeconfig).toString()))
                    : Config.autoConfigure(context);
        } catch (RuntimeException e) {
            throw new ConfigurationException("setting " + WHERE + ".kubeconfig: the kubeconfig cannot be read: " + e
                    .getMessage(), null);
        }
        if (context != null && (config.getCurrentContext() == null || !context.equals(config.getCurrentContext()
                .getName()))) {
            throw new ConfigurationException("setting " + WHERE + ".context names '" + context + "', which is not a"
                    + " context of the kubeconfig", null);
        }
        config.setRequestRetryBackoffLimit(1);
        config.setConnectionTimeout(5000);
        List<String> allowed = ToolKit.settingList(s, WHERE, "namespaces");
        if (allowed.isEmpty()) {
            allowed = List.of(config.getNamespace() == null ? "default" : config.getNamespace());
        }
        return new KubernetesToolProvider(new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(
                new JdkHttpClientFactory()).build(), allowed);
    }

    @Override
    protected boolean configuredYet() {
        return client != null;
    }

    @Override
    public Optional<String> unavailable() {
        if (client == null) {
            return Optional.of("no cluster configured: set " + WHERE + ".kubeconfig and context");
        }
        try {
            client.getKubernetesVersion();
            return Optional.empty();
        } catch (KubernetesClientException e) {
            return Optional.of("the cluster at " + client.getMasterUrl() + " does not answer: " + e.getMessage());
        }
    }

    @Override
    public List<ToolDescriptor> tools() {
        String ns = "The namespace (default: the first one allowed)";
        ToolKit.Schema get = ToolKit.schema();
        get.property("kind", "string", "The kind", true).putArray("enum").addAll(KINDS.keySet().stream().sorted()
                .map(k -> JsonBodies.JSON.getNodeFactory().stringNode(k)).toList());
        get.string("name", "One object's name (default: all of the kind)", false).string("namespace", ns, false);
        ObjectNode apply = ToolKit.schema().string("manifest", "YAML or JSON of one or more namespaced objects", true)
                .string("namespace", ns, false).build();
        ObjectNode logs = ToolKit.schema().string("pod", "The pod", true).string("container",
                "The container (default: the pod's only one)", false).string("namespace", ns, false).integer(
                        "tail_lines", "Lines from the end (default 200)", 1, 10_000)
                .build();
        ObjectNode rollout = ToolKit.schema().string("deployment", "The Deployment", true).string("namespace", ns,
                false).build();
        ObjectNode items = ToolKit.schema().build();
        items.withObject("properties").putObject("items").put("type", "array");
        ObjectNode applied = ToolKit.schema().build();
        applied.withObject("properties").putObject("applied").put("type", "array");
        ObjectNode logsOut = ToolKit.schema().string("logs", "The log", true).build();
        ObjectNode rolloutOut = ToolKit.schema().flag("complete", "Whether the rollout is done").string("message",
                "What kubectl rollout status would say", true).build();
        return List.of(new ToolDescriptor("kubernetes_get", "Reads objects of a kind in an allowed namespace (a"
                + " Secret's values are never shown).", get.build(), items, ToolAnnotations.readOnly(false)),
                new ToolDescriptor("kubernetes_apply", "Creates or updates namespaced objects from a manifest.",
                        apply, applied, ToolAnnotations.destructive(true, false)),
                new ToolDescriptor(
                        "kubernetes_logs", "Reads a pod's log.", logs, logsOut, ToolAnnotations.readOnly(
                                false)),
                new ToolDescriptor("kubernetes_rollout_status",
                        "Says whether a Deployment's rollout is complete.", rollout,
                        rolloutOut, ToolAnnotations.readOnly(false)));
    }

    @Override
    protected ToolResult run(String tool, JsonNode args, ToolContext context) {
        KubernetesClient k8s = java.util.Objects.requireNonNull(client);
        try {
            return ToolKit.success(switch (tool) {
                case "kubernetes_get" -> get(k8s, args);
                case "kubernetes_apply" -> apply(k8s, args);
                case "kubernetes_logs" -> logs(k8s, args);
                default -> rollout(k8s, args);
            });
        } catch (KubernetesClientException e) {
            return ToolKit.failure(tool + " failed: the cluster answered " + e.getCode() + ": " + e.getMessage());
        }
    }

    private String namespace(JsonNode args, @Nullable String inManifest) {
        String asked = ToolKit.optionalText(args, "namespace");
        String ns = inManifest != null ? inManifest : asked != null ? asked : namespaces.getFirst();
        if (!namespaces.contains(ns)) {
            throw ToolKit.fail((inManifest != null ? "argument 'manifest'" : "argument 'namespace'") + " names"
                    + " namespace '" + ns + "', which is not one the host allows (" + String.join(", ", namespaces)
                    + ")");
        }
        return ns;
    }

    private ObjectNode get(KubernetesClient k8s, JsonNode args) {
        String kind = ToolKit.text(args, "kind");
        String apiVersion = KINDS.get(kind);
        if (apiVersion == null) {
            throw ToolKit.fail("argument 'kind' must be one of " + KINDS.keySet().stream().sorted().toList());
        }
        String ns = namespace(args, null);
        String name = ToolKit.optionalText(args, "name");
        var objects = k8s.genericKubernetesResources(apiVersion, kind).inNamespace(ns);
        List<GenericKubernetesResource> found = name == null
                ? objects.list().getItems()
                : Optional.ofNullable(objects.withName(name).get()).map(List::of).orElseThrow(() -> ToolKit.fail(
                        "argument 'name' names '" + name + "', which is no " + kind + " in namespace " + ns));
        ObjectNode out = JsonBodies.object();
        ArrayNode items = out.putArray("items");
        for (GenericKubernetesResource object : found) {
            ObjectNode json = (ObjectNode) JsonBodies.parse(k8s.getKubernetesSerialization().asJson(object),
                    "the cluster");
            if (kind.equals("Secret")) {
                for (String field : List.of("data", "stringData")) {
                    if (json.path(field).isObject()) {
                        json.path(field).propertyNames().forEach(key -> ((ObjectNode) json.path(field)).put(key,
                                "(redacted)"));
                    }
                }
                if (json.path("metadata").path("annotations").isObject()) {
                    ((ObjectNode) json.path("metadata").path("annotations")).remove(
                            "kubectl.kubernetes.io/last-applied-configuration");
                }
            }
            if (json.path("metadata").isObject()) {
                ((ObjectNode) json.path("metadata")).remove("managedFields");
            }
            items.add(json);
        }
        return out;
    }

    private ObjectNode apply(KubernetesClient k8s, JsonNode args) {
        String manifest = ToolKit.text(args, "manifest");
        List<HasMetadata> objects;
        try {
            objects = k8s.load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))).items();
        } catch (RuntimeException e) {
            throw ToolKit.fail("argument 'manifest' is not a Kubernetes manifest: " + e.getMessage());
        }
        if (objects.isEmpty()) {
            throw ToolKit.fail("argument 'manifest' holds no object");
        }
        for (HasMetadata object : objects) {
            if (CLUSTER_SCOPED.contains(object.getKind())) {
                throw ToolKit.fail("argument 'manifest' holds a " + object.getKind() + ", which lives outside any"
                        + " namespace; kubernetes_apply applies only namespaced objects");
            }
            object.getMetadata().setNamespace(namespace(args, object.getMetadata().getNamespace()));
        }
        ObjectNode out = JsonBodies.object();
        ArrayNode applied = out.putArray("applied");
        for (HasMetadata object : objects) {
            HasMetadata result = k8s.resource(object).inNamespace(object.getMetadata().getNamespace()).createOr(
                    NonDeletingOperation::update);
            applied.addObject().put("kind", result.getKind()).put("name", result.getMetadata().getName()).put(
                    "namespace", result.getMetadata().getNamespace());
        }
        return out;
    }

    private ObjectNode logs(KubernetesClient k8s, JsonNode args) {
        String pod = ToolKit.text(args, "pod");
        String container = ToolKit.optionalText(args, "container");
        int tail = (int) ToolKit.number(args, "tail_lines", 200, 1, 10_000);
        var resource = k8s.pods().inNamespace(namespace(args, null)).withName(pod);
        String log = container == null
                ? resource.tailingLines(tail).getLog()
                : resource.inContainer(container).tailingLines(tail).getLog();
        return JsonBodies.object().put("pod", pod).put("logs", log == null ? "" : log);
    }

    /** As {@code kubectl rollout status} judges a Deployment. */
    private ObjectNode rollout(KubernetesClient k8s, JsonNode args) {
        String name = ToolKit.text(args, "deployment");
        String ns = namespace(args, null);
        Deployment d = k8s.apps().deployments().inNamespace(ns).withName(name).get();
        if (d == null) {
            throw ToolKit.fail("argument 'deployment' names '" + name + "', which is no Deployment in namespace "
                    + ns);
        }
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        var status = d.getStatus();
        int wanted = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        long observed = status == null || status.getObservedGeneration() == null
                ? 0
                : status
                        .getObservedGeneration();
        int updated = status == null || status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas();
        int total = status == null || status.getReplicas() == null ? 0 : status.getReplicas();
        int available = status == null || status.getAvailableReplicas() == null ? 0 : status.getAvailableReplicas();
        String message;
        boolean complete = false;
        if (observed < generation) {
            message = "Waiting for deployment spec update to be observed...";
        } else if (updated < wanted) {
            message = "Waiting for deployment \"" + name + "\" rollout to finish: " + updated + " out of " + wanted
                    + " new replicas have been updated...";
        } else if (total > updated) {
            message = "Waiting for deployment \"" + name + "\" rollout to finish: " + (total - updated)
                    + " old replicas are pending termination...";
        } else if (available < updated) {
            message = "Waiting for deployment \"" + name + "\" rollout to finish: " + available + " of " + updated
                    + " updated replicas are available...";
        } else {
            complete = true;
            message = "deployment \"" + name + "\" successfully rolled out";
        }
        return JsonBodies.object().put("complete", complete).put("message", message).put("replicas", wanted).put(
                "updated", updated).put("available", available);
    }
}
