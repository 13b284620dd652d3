package org.codeengine.core.internal.executors;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Creates files and the folders above them readable by their owner only, where the file system has POSIX rights. */
final class OwnerOnly {
    private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {}

    /**
     * Creates the file (empty) and its missing folders; an existing file is kept as it is.
     *
     * @throws IOException if a folder or the file cannot be created
     */
    static void file(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        boolean posix = absolute.getFileSystem().supportedFileAttributeViews().contains("posix");
        folders(absolute.getParent(), posix);
        try {
            Files.createFile(absolute, posix
                    ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(FILE)}
                    : new FileAttribute<?>[0]);
        } catch (FileAlreadyExistsException e) {
            // appended to: a retry of the same instance
        }
    }

    /** Creates the missing folders from the top down, each for its owner only (the umask cannot widen them). */
    private static void folders(Path folder, boolean posix) throws IOException {
        if (Files.isDirectory(folder)) {
            return;
        }
        folders(folder.getParent(), posix);
        try {
            Files.createDirectory(folder, posix
                    ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(FOLDER)}
                    : new FileAttribute<?>[0]);
        } catch (FileAlreadyExistsException e) {
            return; // made meanwhile by another start
        }
        if (posix) {
            Files.setPosixFilePermissions(folder, FOLDER); // asFileAttribute is narrowed by the umask, never widened
        }
    }
}
