package org.codeengine.plugin.kubernetes;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.plugin.testkit.BadSetting;
import org.codeengine.plugin.testkit.RecordingStepContext;
import org.codeengine.plugin.testkit.StepExecutorContract;
import org.junit.jupiter.api.BeforeEach;

/** The kubernetes executor passes the kit every step executor passes, against the simulated API server. */
class KubernetesExecutorContractTest extends StepExecutorContract {
    final KubernetesExecutor executor = new KubernetesExecutor();
    SimulatedCluster cluster;

    @BeforeEach
    void startCluster() throws IOException {
        cluster = SimulatedCluster.start(work.resolve("cluster"));
    }

    @Override
    protected void afterUndo() {
        cluster.close();
    }

    @Override
    protected StepExecutor executor() {
        return executor;
    }

    @Override
    protected Map<String, String> runningSettings(RecordingStepContext context) {
        return Map.of("image", "registry.example.com/shop/web:1", "kubeconfig", cluster.kubeconfig.toString(),
                "apply", "replace");
    }

    @Override
    protected List<BadSetting> badSettings() {
        return List.of(BadSetting.of("image", "image", "Shop Web"), BadSetting.of("port", "image", "web:1", "port",
                "70000"), BadSetting.of("replicas", "image", "web:1", "replicas", "3"),
                BadSetting.of("apply",
                        "image", "web:1", "apply", "merge"),
                BadSetting.of("namespace", "image", "web:1",
                        "namespace", "Shop_NS"));
    }
}
