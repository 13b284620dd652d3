package com.example.sampleplugin;

import java.util.List;
import java.util.Map;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.plugin.testkit.BadSetting;
import org.codeengine.plugin.testkit.RecordingStepContext;
import org.codeengine.plugin.testkit.StepExecutorContract;

class ScriptExecutorTest extends StepExecutorContract {
    @Override
    protected StepExecutor executor() {
        return new ScriptExecutor();
    }

    @Override
    protected Map<String, String> runningSettings(RecordingStepContext context) {
        return Map.of("script", "echo ready; exec sleep 60", "grace", "2");
    }

    @Override
    protected List<BadSetting> badSettings() {
        return List.of(BadSetting.of("script"), BadSetting.of("grace", "script", "true", "grace", "soon"),
                BadSetting.of("colour", "script", "true", "colour", "blue"));
    }
}
