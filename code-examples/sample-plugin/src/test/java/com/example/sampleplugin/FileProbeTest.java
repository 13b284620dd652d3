package com.example.sampleplugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.plugin.testkit.BadSetting;
import org.codeengine.plugin.testkit.HealthProbeContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class FileProbeTest extends HealthProbeContract {
    @TempDir
    Path dir;

    @BeforeEach
    void writeTheReadyFile() throws IOException {
        Files.writeString(dir.resolve("ready"), "status: serving\n");
    }

    @Override
    protected HealthProbe probe() {
        return new FileProbe();
    }

    @Override
    protected Map<String, String> healthySettings() {
        return Map.of("path", dir.resolve("ready").toString(), "contains", "serving");
    }

    @Override
    protected Map<String, String> unhealthySettings() {
        return Map.of("path", dir.resolve("ready").toString(), "contains", "draining");
    }

    @Override
    protected List<BadSetting> badSettings() {
        return List.of(BadSetting.of("path"), BadSetting.of("path", "path", "relative/ready"));
    }
}
