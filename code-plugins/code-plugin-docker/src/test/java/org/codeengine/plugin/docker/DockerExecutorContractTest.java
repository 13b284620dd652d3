package org.codeengine.plugin.docker;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.plugin.testkit.BadSetting;
import org.codeengine.plugin.testkit.RecordingStepContext;
import org.codeengine.plugin.testkit.StepExecutorContract;
import org.junit.jupiter.api.BeforeEach;

/** The docker executor passes the kit every step executor passes, against the real daemon. */
class DockerExecutorContractTest extends StepExecutorContract {
    final DockerExecutor executor = new DockerExecutor();

    @BeforeEach
    void daemonAndImage() throws IOException {
        TestDocker.image(TestDocker.daemon());
    }

    @Override
    protected StepExecutor executor() {
        return executor;
    }

    @Override
    protected Map<String, String> runningSettings(RecordingStepContext context) {
        try {
            return DockerExecutorTest.web(DockerExecutorTest.freePort());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected List<BadSetting> badSettings() {
        return List.of(BadSetting.of("image"), BadSetting.of("image", "image", "Busybox:latest"), BadSetting.of("pull",
                "image", "busybox", "pull", "sometimes"),
                BadSetting.of("network", "image", "busybox", "network",
                        "bridge"),
                BadSetting.of("host", "image", "busybox", "host", "http://docker:2375"), BadSetting
                        .of("ports", "image", "busybox", "ports", "80:80"));
    }
}
