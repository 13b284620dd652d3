/** A sample third-party CODE plugin: a step executor, a health probe and a tool provider. */
module com.example.sampleplugin {
    requires org.codeengine.api;

    provides org.codeengine.api.spi.StepExecutor with com.example.sampleplugin.ScriptExecutor;
    provides org.codeengine.api.spi.HealthProbe with com.example.sampleplugin.FileProbe;
    provides org.codeengine.api.spi.ToolProvider with com.example.sampleplugin.MathTools;
}
