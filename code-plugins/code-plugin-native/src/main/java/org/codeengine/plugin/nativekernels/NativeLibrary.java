package org.codeengine.plugin.nativekernels;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Finds the library for this platform among the jar's resources, extracts it to a temporary file and loads it. */
final class NativeLibrary {
    private NativeLibrary() {}

    /** {@return {@code <os>-<arch>} as the build names its folder, such as {@code linux-x86_64}} */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macos" : os.replace(' ', '_');
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return o + "-" + a;
    }

    /** {@return where the library for this platform lies among the resources} */
    static String resource() {
        return "/META-INF/native/" + platform() + "/libcodekernels.so";
    }

    /** {@return whether the jar holds a library for this platform} */
    static boolean packaged() {
        return NativeLibrary.class.getResource(resource()) != null;
    }

    /**
     * Extracts the library to a temporary file, loads it for the life of the JVM, and deletes the file (on Linux and
     * macOS a loaded library needs no file; elsewhere the file goes when the JVM exits).
     *
     * @return the library's symbols
     * @throws IOException if the library is missing or cannot be written
     */
    @SuppressWarnings("restricted") // native access is checked by NativeKernels first
    static SymbolLookup load() throws IOException {
        Path file = Files.createTempFile("codekernels-", ".so");
        try (@Nullable
        InputStream in = NativeLibrary.class.getResourceAsStream(resource())) {
            if (in == null) {
                throw new IOException("no " + resource() + " in this jar");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            SymbolLookup lookup = SymbolLookup.libraryLookup(file, Arena.global());
            if (platform().startsWith("linux") || platform().startsWith("macos")) {
                Files.deleteIfExists(file);
            } else {
                file.toFile().deleteOnExit();
            }
            return lookup;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }
}
