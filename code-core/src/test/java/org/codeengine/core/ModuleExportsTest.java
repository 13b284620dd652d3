package org.codeengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.codeengine.api.CodeException;
import org.junit.jupiter.api.Test;

/** The exported packages are the public surface: a package that leaks, or goes missing, fails here. */
class ModuleExportsTest {
    private static ModuleDescriptor descriptorOf(Class<?> type, String module) throws URISyntaxException {
        Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        return ModuleFinder.of(location).find(module).orElseThrow().descriptor();
    }

    private static Set<String> exports(ModuleDescriptor descriptor) {
        return descriptor.exports().stream().map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : ""))
                .collect(Collectors.toSet());
    }

    @Test
    void codeCore_exportsOnlyThePackageOfCodeEngine() throws Exception {
        ModuleDescriptor core = descriptorOf(CodeEngine.class, "org.codeengine.core");

        assertThat(exports(core)).containsExactly("org.codeengine.core");
        assertThat(core.opens()).isEmpty();
    }

    @Test
    void codeApi_exportsItsSixPublicPackages_andNotItsInternals() throws Exception {
        ModuleDescriptor api = descriptorOf(CodeException.class, "org.codeengine.api");

        assertThat(exports(api)).containsExactlyInAnyOrder("org.codeengine.api", "org.codeengine.api.agents",
                "org.codeengine.api.events",
                "org.codeengine.api.experts",
                "org.codeengine.api.orchestrator", "org.codeengine.api.security", "org.codeengine.api.spi",
                "org.codeengine.api.tools");
        assertThat(api.packages()).contains("org.codeengine.api.internal");
    }
}
