package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.ProbeResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link HealthProbe} passes: it is found by {@link java.util.ServiceLoader}, a healthy target is
 * healthy, a failing one is a result (never an exception), a target that does not answer is cut at the timeout, and
 * bad settings are refused naming the setting.
 *
 * <p>A plugin's test extends this class and sets up real targets (a server on 127.0.0.1, a command) in its own
 * {@code @BeforeEach}, before the kit's tests run.
 */
public abstract class HealthProbeContract {
    /** For the test class that extends the contract. */
    protected HealthProbeContract() {}

    /** The timeout every probe of the kit is given. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** {@return the probe under test} */
    protected abstract HealthProbe probe();

    /** {@return settings that point at a healthy target} */
    protected abstract Map<String, String> healthySettings();

    /** {@return settings that point at a target that answers, or fails to, as unhealthy} */
    protected abstract Map<String, String> unhealthySettings();

    /** {@return settings the probe refuses, each with the setting its error must name; at least one} */
    protected abstract List<BadSetting> badSettings();

    /**
     * {@return settings that point at a target that accepts the probe and never answers, so the timeout must cut it;
     *         empty (the default) where the probe's kind has no such target}
     */
    protected Optional<Map<String, String>> stalledSettings() {
        return Optional.empty();
    }

    @Test
    void serviceLoader_findsTheProbe_withALowerCaseName_andTheCurrentApiVersion() {
        Plugins.checkRegistered(HealthProbe.class, probe());
    }

    @Test
    void aHealthyTarget_isHealthy_withinTheTimeout() {
        ProbeResult result = probe().probe(healthySettings(), TIMEOUT);

        assertThat(result.healthy()).as(result.detail()).isTrue();
        assertThat(result.took()).isLessThanOrEqualTo(TIMEOUT.plusSeconds(1));
    }

    @Test
    void aFailingTarget_isAnUnhealthyResult_thatSaysWhy() {
        ProbeResult result = probe().probe(unhealthySettings(), TIMEOUT);

        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).as("what failed").isNotBlank();
    }

    @Test
    void aTargetThatNeverAnswers_isCutByTheTimeout() {
        Optional<Map<String, String>> stalled = stalledSettings();
        Assumptions.assumeTrue(stalled.isPresent(), "the probe's kind has no target that stalls");
        Duration timeout = Duration.ofMillis(300);
        long began = System.nanoTime();

        ProbeResult result = probe().probe(stalled.orElseThrow(), timeout);

        assertThat(result.healthy()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).as("cut at the timeout, with room for a loaded machine")
                .isLessThan(timeout.plusSeconds(3));
    }

    @Test
    void validate_acceptsTheHealthySettings() {
        assertThatCode(() -> probe().validate(healthySettings())).doesNotThrowAnyException();
    }

    @Test
    void badSettings_areRefused_byValidateAndByProbe_namingTheSetting() {
        assertThat(badSettings()).as("bad settings to check").isNotEmpty();
        for (BadSetting bad : badSettings()) {
            assertThatThrownBy(() -> probe().validate(bad.settings())).as("validate %s", bad.settings())
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'" + bad.setting() + "'");
            assertThatThrownBy(() -> probe().probe(bad.settings(), TIMEOUT)).as("probe %s", bad.settings())
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'" + bad.setting() + "'");
        }
    }
}
