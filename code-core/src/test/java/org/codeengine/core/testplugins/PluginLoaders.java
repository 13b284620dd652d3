package org.codeengine.core.testplugins;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.StoreProvider;

/** Class loaders whose class path holds exactly the given expert provider plugins, or no store provider. */
public final class PluginLoaders {
    private PluginLoaders() {}

    /**
     * @param dir an empty folder to put the service file in
     * @param providers the plugin classes, registered in this order
     */
    public static ClassLoader withExpertProviders(Path dir, Class<?>... providers) {
        try {
            Path services = Files.createDirectories(dir.resolve("META-INF/services"));
            Files.write(services.resolve(ExpertProvider.class.getName()),
                    Arrays.stream(providers).map(Class::getName).toList());
            return new URLClassLoader(new URL[]{dir.toUri().toURL()}, PluginLoaders.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return a class loader that finds what the tests' own finds, except any store provider plugin} */
    public static ClassLoader withoutStoreProviders() {
        String services = "META-INF/services/" + StoreProvider.class.getName();
        return new ClassLoader(PluginLoaders.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.equals(services) ? Collections.emptyEnumeration() : super.getResources(name);
            }
        };
    }
}
