package org.codeengine.core.internal.executors;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.codeengine.api.CodeHome;

/** Creates files and the folders above them readable by their owner only, where the file system has POSIX rights. */
public final class OwnerOnly {
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {}

    /**
     * Creates the file (empty) and its missing folders; an existing file is kept as it is.
     *
     * @throws IOException if a folder or the file cannot be created
     */
    public static void file(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        boolean posix = absolute.getFileSystem().supportedFileAttributeViews().contains("posix");
        CodeHome.createOwnerOnly(absolute.getParent());
        try {
            Files.createFile(absolute, posix
                    ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(FILE)}
                    : new FileAttribute<?>[0]);
        } catch (FileAlreadyExistsException e) {
            // appended to: a retry of the same instance
        }
    }
}
