/**
 * The {@code files} tool provider: {@code files_read}, {@code files_list}, {@code files_search}, {@code files_write},
 * {@code files_edit}, {@code files_move} and {@code files_info}, confined to configured roots where each file is
 * opened. It calls Linux's openat2 through the FFM API: start the JVM with
 * {@code --enable-native-access=org.codeengine.plugin.tools.files} (or {@code ALL-UNNAMED} on the class path) to keep
 * the JDK from warning.
 */
module org.codeengine.plugin.tools.files {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;
    requires re2j;

    provides org.codeengine.api.spi.ToolProvider with org.codeengine.plugin.tools.files.FilesToolProvider;
}
