package org.codeengine.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.core.internal.config.ConfigNode;
import org.codeengine.core.internal.orchestrator.SpecCodec;

/**
 * Deployment specs in YAML or JSON. A spec names the deployment and lists its services:
 *
 * <pre>{@code
 * name: shop
 * environment: dev
 * maxParallelism: 4                # optional, 16 by default
 * capacity: {cpu: 4, memory: 8Gi}  # optional, unlimited by default
 * services:
 *   - name: db
 *     executor: process
 *     settings: {command: "java -jar db.jar --port ${port}", env: {MODE: dev}}
 *     resources: {cpu: 500m, memory: 256Mi}
 *     health: {probe: http, settings: {url: "http://127.0.0.1:${port}/health"}, interval: 250ms}
 *     retry: {maxAttempts: 3, initialBackoff: 200ms}
 *     timeout: 30s
 *   - name: web
 *     executor: process
 *     dependsOn: [db]
 *     rollout: blue-green          # all-at-once (default), blue-green or canary
 *     instances: 2
 *     settings: {command: "java -jar web.jar --port ${port}"}
 * }</pre>
 *
 * Errors name the field by its path ({@code services[1].timeout}) and the rule it broke; unknown fields are errors.
 */
public final class DeploymentSpecs {
    private static final SpecCodec CODEC = new SpecCodec();

    private DeploymentSpecs() {}

    /**
     * {@return the spec it holds}
     *
     * @param file a YAML or JSON file
     * @throws NotFoundException if the file does not exist
     * @throws InvalidRequestException if it cannot be read, is not well-formed, or a field breaks its rule
     */
    public static DeploymentSpec read(Path file) {
        return CODEC.read(ConfigNode.readFile(file, "deployment spec"), file.toString());
    }

    /**
     * {@return the spec}
     *
     * @param text a spec in YAML or JSON (text that starts with '{' is read as JSON)
     * @throws InvalidRequestException if the text is not well-formed or a field breaks its rule
     */
    public static DeploymentSpec parse(String text) {
        return CODEC.read(text, "the deployment spec");
    }

    /**
     * {@return it as JSON, in the form {@link #parse} reads}
     *
     * @param spec a spec
     */
    public static String toJson(DeploymentSpec spec) {
        return CODEC.write(spec);
    }

    /**
     * {@return it as indented JSON: the deployment's name and environment, the phases and the spec}
     *
     * @param plan a plan from {@link org.codeengine.api.orchestrator.Orchestrator#plan}
     */
    public static String toJson(Plan plan) {
        return CODEC.write(plan);
    }
}
