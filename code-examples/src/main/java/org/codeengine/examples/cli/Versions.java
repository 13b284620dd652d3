package org.codeengine.examples.cli;

import org.codeengine.core.CodeEngine;
import picocli.CommandLine.IVersionProvider;

/** {@code code --version}: the app's and the engine's versions, from their jars. */
final class Versions implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[]{"code " + version(CodeApp.class), "engine " + version(CodeEngine.class), "java "
                + Runtime.version()};
    }

    static String version(Class<?> type) {
        Module module = type.getModule();
        if (module.isNamed() && module.getDescriptor().rawVersion().isPresent()) {
            return module.getDescriptor().rawVersion().get();
        }
        String version = type.getPackage().getImplementationVersion();
        return version == null ? "dev (not from a jar)" : version;
    }
}
