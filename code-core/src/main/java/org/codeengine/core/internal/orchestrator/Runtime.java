package org.codeengine.core.internal.orchestrator;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.codeengine.api.Secret;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.StepExecutor;

/**
 * What every run of one orchestrator shares.
 *
 * @param owner this engine's name in leases
 * @param threads runs steps; one task per step, blocking allowed (virtual threads)
 * @param logFolder where executors keep their services' logs
 * @param secrets resolves the secret references services' settings hold (the caller's permission is checked first)
 */
record Runtime(RunJournal journal, String owner, Clock clock, Executor threads, Map<String, StepExecutor> executors,
        Map<String, HealthProbe> probes, Guards guards, Metrics metrics, SpecCodec codec, Path logFolder,
        Function<SecretRef, Secret> secrets) {}
