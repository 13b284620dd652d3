package org.codeengine.plugin.docker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.security.SecretRef;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.Settings;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A docker service's settings, checked. Every message names the setting and the rule it breaks.
 *
 * @param image the image to run
 * @param pull when to pull it
 * @param command replaces the image's entrypoint, or {@code null} to keep it
 * @param args replaces the image's command (the entrypoint's arguments), or {@code null} to keep it
 * @param env environment variables
 * @param secretEnv environment variables whose values are secrets, by reference ({@code secretEnv.NAME=vault:name}):
 *        resolved when the container is created, never recorded
 * @param registryAuth the registry credential for pulls, by reference ({@code registryAuth=vault:name}; the secret is
 *        {@code user:password} or Docker's auth JSON), or {@code null} for anonymous pulls
 * @param labels labels beside the ones CODE sets
 * @param network {@code host} or {@code none}
 * @param stopGrace how long a container gets to exit after SIGTERM before SIGKILL
 * @param host the daemon, from the setting {@code host}, else {@code DOCKER_HOST}, else the default socket
 * @param log the file the container's output is copied to when it is undone, or {@code null} for the default
 * @param init whether a small init process (the daemon's docker-init) runs as PID 1, passing SIGTERM on to the
 *        service and reaping zombies; without one, a service that installs no SIGTERM handler is stopped only by SIGKILL
 *        once {@code stopGrace} has passed
 */
record ContainerSettings(ImageName image, PullPolicy pull, @Nullable List<String> command, @Nullable List<String> args,
        Map<String, String> env, Map<String, SecretRef> secretEnv, @Nullable SecretRef registryAuth,
        Map<String, String> labels, String network, Duration stopGrace, DockerHost host, @Nullable String log,
        boolean init) {
    static final Set<String> KEYS = Set.of("image", "pull", "command", "args", "network", "stopGrace", "host", "log",
            "init", "registryAuth");
    static final Set<String> PREFIXES = Set.of("env.", "secretEnv.", "label.");
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");

    /** When the image is pulled from its registry. */
    enum PullPolicy {
        /** Never: the image must be on the daemon already. */
        NEVER,
        /** Only when the daemon does not have it. */
        IF_MISSING,
        /** Before every start, so a moved tag is followed. */
        ALWAYS;

        static PullPolicy parse(@Nullable String text) {
            if (text == null || text.isBlank()) {
                return IF_MISSING;
            }
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "never" -> NEVER;
                case "if-missing" -> IF_MISSING;
                case "always" -> ALWAYS;
                default -> throw new InvalidRequestException("setting 'pull' must be never, if-missing or always but"
                        + " was '" + text + "'", null);
            };
        }
    }

    /**
     * @param settings the service's executor settings, placeholders filled
     * @param environment the process environment, for {@code DOCKER_HOST}
     * @throws InvalidRequestException naming the setting and the rule it breaks
     */
    static ContainerSettings parse(Map<String, String> settings, Map<String, String> environment) {
        onlyKnown(settings, KEYS, PREFIXES);
        String image = settings.get("image");
        if (image == null || image.isBlank()) {
            throw new InvalidRequestException("setting 'image' is required", null);
        }
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, SecretRef> secretEnv = secretEnv(settings);
        settings.forEach((key, value) -> {
            if (key.startsWith("env.")) {
                env.put(envName(key, 4), value);
                if (secretEnv.containsKey(key.substring(4))) {
                    throw new InvalidRequestException("setting '" + key + "' and 'secretEnv." + key.substring(4)
                            + "' set one variable twice", null);
                }
            } else if (key.startsWith("label.")) {
                String name = key.substring(6);
                if (!LABEL.matcher(name).matches() || name.startsWith(Labels.PREFIX)) {
                    throw new InvalidRequestException("setting '" + key + "' must name a label of letters, digits,"
                            + " '.', '_', '/' and '-' that does not start with '" + Labels.PREFIX + "' (CODE's own)",
                            null);
                }
                labels.put(name, value);
            }
        });
        String network = settings.getOrDefault("network", "host").strip();
        if (!network.equals("host") && !network.equals("none")) {
            throw new InvalidRequestException("setting 'network' must be host (the container shares the host's"
                    + " network; bind 127.0.0.1:${port}) or none but was '" + network + "'", null);
        }
        String log = settings.get("log");
        return new ContainerSettings(ImageName.parse(image), PullPolicy.parse(settings.get("pull")), words(settings,
                "command"), words(settings, "args"), env, secretEnv, registryAuth(settings), labels, network,
                Settings.duration(settings, "stopGrace",
                        DEFAULT_GRACE),
                DockerHost.of(settings.get("host"), environment), log == null || log.isBlank()
                        ? null
                        : log,
                Settings.flag(settings, "init", false));
    }

    /**
     * Reads only the settings that refer to secrets, so that the references can be checked before placeholders in
     * other settings are filled.
     *
     * @return the references in {@code secretEnv.*} and {@code registryAuth}
     * @throws InvalidRequestException naming the setting if a reference is malformed
     */
    static Set<SecretRef> secretRefs(Map<String, String> settings) {
        Set<SecretRef> refs = new LinkedHashSet<>(secretEnv(settings).values());
        SecretRef auth = registryAuth(settings);
        if (auth != null) {
            refs.add(auth);
        }
        return refs;
    }

    private static Map<String, SecretRef> secretEnv(Map<String, String> settings) {
        Map<String, SecretRef> refs = new LinkedHashMap<>();
        new TreeMap<>(settings).forEach((key, value) -> {
            if (key.startsWith("secretEnv.")) {
                refs.put(envName(key, "secretEnv.".length()), SecretRef.inSetting(key, value));
            }
        });
        return refs;
    }

    private static @Nullable SecretRef registryAuth(Map<String, String> settings) {
        String text = settings.get("registryAuth");
        return text == null ? null : SecretRef.inSetting("registryAuth", text);
    }

    private static String envName(String key, int from) {
        String name = key.substring(from);
        if (!ENV_NAME.matcher(name).matches()) {
            throw new InvalidRequestException("setting '" + key + "' must name an environment variable:"
                    + " letters, digits and '_', not starting with a digit", null);
        }
        return name;
    }

    /** @throws InvalidRequestException if a key is neither in {@code known} nor starts with one of {@code prefixes} */
    static void onlyKnown(Map<String, String> settings, Set<String> known, Set<String> prefixes) {
        for (String key : settings.keySet()) {
            if (!known.contains(key) && prefixes.stream().noneMatch(key::startsWith)) {
                TreeSet<String> all = new TreeSet<>(known);
                prefixes.forEach(p -> all.add(p + "*"));
                throw new InvalidRequestException("unknown setting '" + key + "'; the settings are " + all, null);
            }
        }
    }

    /**
     * A list of words: a JSON array of strings ({@code ["sh", "-c", "exit 3"]}), or words separated by blanks.
     */
    static @Nullable List<String> words(Map<String, String> settings, String key) {
        String text = settings.get(key);
        if (text == null) {
            return null;
        }
        String stripped = text.strip();
        List<String> words = new ArrayList<>();
        if (stripped.startsWith("[")) {
            try {
                JsonNode array = JsonBodies.JSON.readTree(stripped);
                for (JsonNode word : array) {
                    if (!word.isString()) {
                        throw new InvalidRequestException("setting '" + key + "' must be a JSON array of strings or"
                                + " words separated by blanks, but an element is " + word, null);
                    }
                    words.add(word.asString());
                }
            } catch (JacksonException e) {
                throw new InvalidRequestException("setting '" + key + "' starts with '[' but is not a JSON array of"
                        + " strings: " + e.getOriginalMessage(), null);
            }
        } else {
            for (String word : stripped.split("\\s+")) {
                if (!word.isEmpty()) {
                    words.add(word);
                }
            }
        }
        if (words.isEmpty()) {
            throw new InvalidRequestException("setting '" + key + "' must hold at least one word", null);
        }
        return List.copyOf(words);
    }

    /** {@return what the output of this record shows: never the environment's values, which may be secrets} */
    @Override
    public String toString() {
        return "ContainerSettings[image=" + image + ", pull=" + pull + ", env=" + env.keySet() + ", secretEnv="
                + secretEnv + ", registryAuth=" + registryAuth + ", network="
                + network + ", host=" + host + "]";
    }
}
