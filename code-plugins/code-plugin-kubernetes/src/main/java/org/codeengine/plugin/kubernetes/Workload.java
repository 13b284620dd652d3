package org.codeengine.plugin.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.codeengine.api.InvalidRequestException;
import org.jspecify.annotations.Nullable;

/**
 * A service's settings for the kubernetes executor, checked: what to deploy (a manifest holding one Deployment and at
 * most one Service, inline or in a file, or the short form {@code image} + {@code port}), where (kubeconfig, context,
 * namespace), and how ({@code slots}, {@code apply}).
 *
 * @param deployment the Deployment as the user wrote it (or as the short form makes it); never mutated
 * @param service the Service, or null
 * @param namespace the namespace from the settings or the manifest, or null for the context's own
 * @param cluster the kubeconfig and context to reach the cluster with
 * @param slots whether the Deployment is named and selected per slot, so blue-green and canary run two side by side
 *     and promote switches the Service's selector
 * @param serverSideApply whether objects are applied with server-side apply (field manager {@code code}), else
 *     created or replaced
 */
record Workload(Deployment deployment, @Nullable Service service, @Nullable String namespace, Cluster cluster,
        boolean slots, boolean serverSideApply) {
    /** Reads and writes Kubernetes objects (fabric8's, on Jackson 3). */
    static final KubernetesSerialization SERIAL = new KubernetesSerialization();
    static final Set<String> SETTINGS = Set.of("manifest", "manifestFile", "image", "port", "namespace", "context",
            "kubeconfig", "slots", "apply");
    /** A DNS-1123 label: what Kubernetes accepts as a Deployment's or a Service's name. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Image references: an optional registry and path, a tag and/or a digest; no blanks, no upper case path. */
    private static final Pattern IMAGE = Pattern.compile(
            "[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
                    + "(@sha256:[a-f0-9]{64})?");

    /**
     * {@return the checked workload}
     *
     * @param service the service's name, used as the short form's Deployment name
     * @param settings the executor's settings
     * @throws InvalidRequestException naming the setting and the rule it breaks
     */
    static Workload parse(String service, Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (!SETTINGS.contains(key) && !key.startsWith("env.")) {
                throw new InvalidRequestException("unknown setting '" + key + "'; the settings are " + new TreeSet<>(
                        SETTINGS) + " and env.NAME", null);
            }
        }
        String manifest = settings.get("manifest");
        String file = settings.get("manifestFile");
        String image = settings.get("image");
        int given = (manifest != null ? 1 : 0) + (file != null ? 1 : 0) + (image != null ? 1 : 0);
        if (given != 1) {
            throw new InvalidRequestException("exactly one of the settings 'manifest', 'manifestFile' and 'image' must"
                    + " be given (" + (given == 0 ? "none is" : given + " are") + ")", null);
        }
        Deployment deployment;
        Service svc;
        if (image != null) {
            checkImage(image);
            Integer port = port(settings.get("port"));
            deployment = shortForm(service, image, port, env(settings));
            svc = port == null ? null : shortFormService(service, port);
        } else {
            if (settings.containsKey("port") || settings.keySet().stream().anyMatch(k -> k.startsWith("env."))) {
                throw new InvalidRequestException("settings 'port' and 'env.*' belong to the short form with 'image';"
                        + " with a manifest, write them in the manifest", null);
            }
            String key = manifest != null ? "manifest" : "manifestFile";
            String text = manifest != null ? manifest : read(file);
            List<HasMetadata> objects = objects(key, text);
            List<Deployment> deployments = objects.stream().filter(Deployment.class::isInstance).map(
                    Deployment.class::cast).toList();
            List<Service> services = objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
                    .toList();
            if (deployments.isEmpty()) {
                throw new InvalidRequestException("setting '" + key + "' holds no Deployment (it holds " + kinds(
                        objects) + ")", null);
            }
            if (deployments.size() > 1 || services.size() > 1 || deployments.size() + services.size() < objects
                    .size()) {
                throw new InvalidRequestException("setting '" + key + "' may hold one Deployment and at most one"
                        + " Service, but holds " + kinds(objects), null);
            }
            deployment = deployments.getFirst();
            svc = services.isEmpty() ? null : services.getFirst();
            checkDeployment(key, deployment);
            if (svc != null) {
                checkName(key + "' Service's metadata.name", svc.getMetadata() == null
                        ? null
                        : svc.getMetadata()
                                .getName());
            }
        }
        String namespace = settings.get("namespace");
        if (namespace != null) {
            checkName("namespace", namespace);
        } else if (deployment.getMetadata().getNamespace() != null) {
            namespace = deployment.getMetadata().getNamespace();
        }
        boolean slots = bool(settings, "slots");
        if (slots && svc == null) {
            throw new InvalidRequestException("setting 'slots' is true but there is no Service whose selector a"
                    + " promote could switch: add a Service to the manifest, or 'port' to the short form", null);
        }
        String apply = settings.getOrDefault("apply", "server-side");
        if (!apply.equals("server-side") && !apply.equals("replace")) {
            throw new InvalidRequestException("setting 'apply' must be server-side or replace but is '" + apply + "'",
                    null);
        }
        String context = settings.get("context");
        if (context != null && context.isBlank()) {
            throw new InvalidRequestException("setting 'context' must name a context of the kubeconfig", null);
        }
        String kubeconfig = settings.get("kubeconfig");
        if (kubeconfig != null && !Files.isRegularFile(Path.of(kubeconfig))) {
            throw new InvalidRequestException("setting 'kubeconfig' names '" + kubeconfig + "', which is not a file",
                    null);
        }
        return new Workload(deployment, svc, namespace, new Cluster(kubeconfig, context), slots, apply.equals(
                "server-side"));
    }

    /** The name the Deployment gets: its own, with {@code -<slot>} when slots are on. */
    String deploymentName(String slot) {
        String name = deployment.getMetadata().getName();
        return slots ? name + "-" + slot : name;
    }

    /**
     * The Deployment to apply for one instance: CODE's labels and annotations on it and on its pods, the slot in its
     * selector when slots are on, and {@code replicas} replicas (instance {@code k} of a service is its replica
     * {@code k + 1}).
     */
    Deployment desired(String namespace, String slot, Labels labels, int replicas) {
        Deployment d = SERIAL.clone(deployment);
        d.getMetadata().setName(deploymentName(slot));
        d.getMetadata().setNamespace(namespace);
        d.getMetadata().setResourceVersion(null);
        d.getMetadata().setLabels(merged(d.getMetadata().getLabels(), labels.object()));
        d.getMetadata().setAnnotations(merged(d.getMetadata().getAnnotations(), labels.object()));
        d.getSpec().setReplicas(replicas);
        Map<String, String> pods = labels.pods(slots);
        d.getSpec().getTemplate().getMetadata().setLabels(merged(d.getSpec().getTemplate().getMetadata().getLabels(),
                pods));
        if (slots) {
            d.getSpec().getSelector().setMatchLabels(merged(d.getSpec().getSelector().getMatchLabels(), Map.of(
                    Labels.SLOT, slot)));
        }
        return d;
    }

    /** The Service to create when none exists: its selector picks the slot that is deploying. */
    @Nullable
    Service desiredService(String namespace, String slot, Labels labels) {
        if (service == null) {
            return null;
        }
        Service s = SERIAL.clone(service);
        s.getMetadata().setNamespace(namespace);
        s.getMetadata().setResourceVersion(null);
        s.getMetadata().setLabels(merged(s.getMetadata().getLabels(), labels.object()));
        s.getMetadata().setAnnotations(merged(s.getMetadata().getAnnotations(), labels.object()));
        if (slots) {
            s.getSpec().setSelector(merged(s.getSpec().getSelector(), Map.of(Labels.SLOT, slot)));
        }
        return s;
    }

    private static Map<String, String> merged(@Nullable Map<String, String> base, Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(base == null ? Map.of() : base);
        all.putAll(extra);
        return all;
    }

    private static Deployment shortForm(String service, String image, @Nullable Integer port, List<EnvVar> env) {
        ContainerBuilder container = new ContainerBuilder().withName(service).withImage(image).withEnv(env);
        if (port != null) {
            container.withPorts(new ContainerPortBuilder().withContainerPort(port).build());
        }
        return new DeploymentBuilder().withNewMetadata().withName(service).endMetadata().withNewSpec().withReplicas(1)
                .withNewSelector().addToMatchLabels("app", service).endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", service).endMetadata().withNewSpec().withContainers(container.build()).endSpec()
                .endTemplate().endSpec().build();
    }

    private static Service shortFormService(String service, int port) {
        return new ServiceBuilder().withNewMetadata().withName(service).endMetadata().withNewSpec().addToSelector(
                "app", service).addNewPort().withPort(port).withTargetPort(new IntOrString(port)).endPort().endSpec()
                .build();
    }

    private static List<EnvVar> env(Map<String, String> settings) {
        List<EnvVar> env = new ArrayList<>();
        settings.entrySet().stream().filter(e -> e.getKey().startsWith("env.")).sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    String name = e.getKey().substring(4);
                    if (!ENV.matcher(name).matches()) {
                        throw new InvalidRequestException("setting '" + e.getKey() + "' must name an environment"
                                + " variable: letters, digits and _, not starting with a digit", null);
                    }
                    env.add(new EnvVar(name, e.getValue(), null));
                });
        return env;
    }

    private static @Nullable Integer port(@Nullable String value) {
        if (value == null) {
            return null;
        }
        try {
            int port = Integer.parseInt(value.strip());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new InvalidRequestException("setting 'port' must be a port from 1 to 65535 but is '" + value + "'",
                null);
    }

    private static void checkImage(String image) {
        if (!IMAGE.matcher(image).matches()) {
            throw new InvalidRequestException("setting 'image' must be an image reference such as"
                    + " registry.example.com/shop/web:1.4 but is '" + image + "'", null);
        }
    }

    private static void checkDeployment(String key, Deployment d) {
        checkName(key + "' Deployment's metadata.name", d.getMetadata() == null ? null : d.getMetadata().getName());
        if (d.getSpec() == null || d.getSpec().getTemplate() == null || d.getSpec().getTemplate().getSpec() == null
                || d.getSpec().getTemplate().getSpec().getContainers() == null || d.getSpec().getTemplate().getSpec()
                        .getContainers().isEmpty()) {
            throw new InvalidRequestException("setting '" + key + "': the Deployment's spec.template.spec.containers"
                    + " must hold at least one container", null);
        }
        if (d.getSpec().getSelector() == null || d.getSpec().getSelector().getMatchLabels() == null || d.getSpec()
                .getSelector().getMatchLabels().isEmpty()) {
            throw new InvalidRequestException("setting '" + key + "': the Deployment's spec.selector.matchLabels must"
                    + " select its pods", null);
        }
        if (d.getSpec().getTemplate().getMetadata() == null) {
            d.getSpec().getTemplate().setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        }
        for (var c : d.getSpec().getTemplate().getSpec().getContainers()) {
            if (c.getImage() == null || !IMAGE.matcher(c.getImage()).matches()) {
                throw new InvalidRequestException("setting '" + key + "': container '" + c.getName() + "' must have"
                        + " an image reference such as registry.example.com/shop/web:1.4 but has '" + c.getImage()
                        + "'", null);
            }
        }
    }

    private static void checkName(String key, @Nullable String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidRequestException("setting '" + key + "' must be a Kubernetes name (lower-case letters,"
                    + " digits and '-', at most 63) but is '" + name + "'", null);
        }
    }

    private static boolean bool(Map<String, String> settings, String key) {
        String value = settings.getOrDefault(key, "false");
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidRequestException("setting '" + key + "' must be true or false but is '"
                    + value + "'", null);
        };
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new InvalidRequestException("setting 'manifestFile' names '" + file + "', which cannot be read: "
                    + e.getMessage(), null);
        }
    }

    private static List<HasMetadata> objects(String key, String text) {
        Object parsed;
        try {
            parsed = SERIAL.unmarshal(text);
        } catch (RuntimeException e) {
            throw new InvalidRequestException("setting '" + key + "' is not a Kubernetes manifest in YAML or JSON: "
                    + firstLine(e.getMessage()), null);
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (Object o : parsed instanceof List<?> list ? list : java.util.Collections.singletonList(parsed)) {
            if (o instanceof HasMetadata h) {
                objects.add(h);
            } else if (o != null) {
                throw new InvalidRequestException("setting '" + key + "' holds something that is not a Kubernetes"
                        + " object: " + o.getClass().getSimpleName(), null);
            }
        }
        if (objects.isEmpty()) {
            throw new InvalidRequestException("setting '" + key + "' holds no Kubernetes object", null);
        }
        return objects;
    }

    private static String kinds(List<HasMetadata> objects) {
        return objects.stream().map(HasMetadata::getKind).toList().toString();
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /**
     * How the cluster is reached.
     *
     * @param kubeconfig the kubeconfig file, or null for {@code KUBECONFIG}, {@code ~/.kube/config} or the pod's
     *     service account, as kubectl finds them
     * @param context the context, or null for the kubeconfig's current one
     */
    record Cluster(@Nullable String kubeconfig, @Nullable String context) {}
}
