package org.codeengine.api;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * CODE's home folder, where the embedded store, the keys, the configuration and the service logs live by default:
 * {@code $CODE_HOME}, else {@code $HOME/.code}, else {@code .code} in the JVM's {@code user.home}. The environment
 * wins over {@code user.home} because the JVM reads the latter from the account database, so two users sharing one
 * machine account (each with their own {@code HOME}) would otherwise share one store; the {@code code} launcher
 * script resolves the same way.
 */
public final class CodeHome {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private CodeHome() {}

    /** {@return the home folder for this process's environment and system properties, absolute; not created} */
    public static Path current() {
        return of(System::getenv);
    }

    /**
     * {@return {@code CODE_HOME}, else {@code HOME/.code}, else {@code user.home/.code}; blank values count as unset;
     *         absolute and normalized; not created}
     *
     * @param env reads an environment variable; null when it is not set
     */
    public static Path of(Function<String, @Nullable String> env) {
        String code = env.apply("CODE_HOME");
        if (code != null && !code.isBlank()) {
            return Path.of(code).toAbsolutePath().normalize();
        }
        String home = env.apply("HOME");
        String base = home != null && !home.isBlank() ? home : System.getProperty("user.home");
        return Path.of(base, ".code").toAbsolutePath().normalize();
    }

    /**
     * Creates a folder and its missing parents, each one created here readable, writable and searchable by its owner
     * only ({@code rwx------}, whatever the umask) where the file system has POSIX rights. Folders that exist keep
     * their rights.
     *
     * @param folder the folder
     * @return the folder, absolute
     * @throws IOException if a folder cannot be created
     */
    public static Path createOwnerOnly(Path folder) throws IOException {
        Path absolute = folder.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return absolute;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createOwnerOnly(parent);
        }
        boolean posix = absolute.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            Files.createDirectory(absolute, posix
                    ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0]);
        } catch (FileAlreadyExistsException e) {
            return absolute; // made meanwhile by another process
        }
        if (posix) {
            Files.setPosixFilePermissions(absolute, OWNER_ONLY); // the umask narrows asFileAttribute, never widens
        }
        return absolute;
    }
}
