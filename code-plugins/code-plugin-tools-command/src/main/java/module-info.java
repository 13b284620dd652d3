/**
 * The {@code command} tool provider: {@code command_run} runs an allow-listed executable with an argument vector
 * (never through a shell), in a working directory beneath a root, with a scrubbed environment, a timeout and output
 * caps, and kills the whole process tree on timeout or cancellation. It signals the process group through the FFM
 * API: start the JVM with {@code --enable-native-access=org.codeengine.plugin.tools.command} to keep the JDK from
 * warning.
 */
module org.codeengine.plugin.tools.command {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;

    provides org.codeengine.api.spi.ToolProvider with org.codeengine.plugin.tools.command.CommandToolProvider;
}
