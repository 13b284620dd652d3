package org.codeengine.api.spi;

import java.time.Duration;
import java.util.Map;
import org.codeengine.api.InvalidRequestException;

/** A plugin that checks one kind of health (HTTP status, TCP connect, command exit code). */
public interface HealthProbe extends Plugin {
    /**
     * Probes once. A failing service is a result with {@code healthy} false, not an exception.
     *
     * @param settings the probe's settings from the health check spec
     * @param timeout the longest the probe may take
     * @return the outcome
     * @throws InvalidRequestException if the settings are invalid
     */
    ProbeResult probe(Map<String, String> settings, Duration timeout);

    /**
     * Checks a health check's settings before anything of its deployment starts. Placeholders such as
     * {@code ${port}} are filled with sample values.
     *
     * @param settings the probe's settings from the health check spec
     * @throws InvalidRequestException naming the setting and the rule it breaks
     */
    default void validate(Map<String, String> settings) {}
}
