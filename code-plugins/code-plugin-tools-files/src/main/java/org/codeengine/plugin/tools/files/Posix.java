package org.codeengine.plugin.tools.files;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The few Linux system calls the file tools make, through the FFM API: every file is opened relative to a directory
 * descriptor, so that what was checked is what is used. Each call returns its result or throws {@link Errno} with the
 * call's errno; nothing here knows about roots or rules.
 */
final class Posix {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_NOFOLLOW = 0400000;
    static final int O_DIRECTORY = 0200000;
    static final int O_CLOEXEC = 02000000;
    static final int O_PATH = 010000000;
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_BENEATH = 0x08;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_REMOVEDIR = 0x200;
    static final int RENAME_NOREPLACE = 1;
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;

    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int EXDEV = 18;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int EPERM = 1;
    static final int ENAMETOOLONG = 36;
    static final int ENOSYS = 38;
    static final int ELOOP = 40;
    static final int E2BIG = 7;
    static final int EAGAIN = 11;

    /** A failed call and its errno. */
    static final class Errno extends Exception {
        private static final long serialVersionUID = 1L;
        final int errno;

        Errno(String call, int errno) {
            super(call + " failed with errno " + errno, null, false, false);
            this.errno = errno;
        }
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout PTR = ValueLayout.ADDRESS;

    private static final long SYS_OPENAT2 = 437;

    private final MethodHandle syscall4;
    private final MethodHandle openat;
    private final MethodHandle read;
    private final MethodHandle write;
    private final MethodHandle close;
    private final MethodHandle fsync;
    private final MethodHandle statx;
    private final MethodHandle renameat2;
    private final MethodHandle unlinkat;
    private final MethodHandle fdopendir;
    private final MethodHandle readdir;
    private final MethodHandle closedir;
    private final MethodHandle dup;

    private Posix() {
        SymbolLookup libc = LINKER.defaultLookup();
        // long syscall(long number, ...): openat2(dirfd, path, struct open_how *, size)
        syscall4 = handle(libc, "syscall", FunctionDescriptor.of(LONG, LONG, INT, PTR, PTR, LONG), CAPTURE,
                Linker.Option.firstVariadicArg(1));
        openat = handle(libc, "openat", FunctionDescriptor.of(INT, INT, PTR, INT, INT), CAPTURE, Linker.Option
                .firstVariadicArg(3));
        read = handle(libc, "read", FunctionDescriptor.of(LONG, INT, PTR, LONG), CAPTURE);
        write = handle(libc, "write", FunctionDescriptor.of(LONG, INT, PTR, LONG), CAPTURE);
        close = handle(libc, "close", FunctionDescriptor.of(INT, INT), CAPTURE);
        fsync = handle(libc, "fsync", FunctionDescriptor.of(INT, INT), CAPTURE);
        statx = handle(libc, "statx", FunctionDescriptor.of(INT, INT, PTR, INT, INT, PTR), CAPTURE);
        renameat2 = handle(libc, "renameat2", FunctionDescriptor.of(INT, INT, PTR, INT, PTR, INT), CAPTURE);
        unlinkat = handle(libc, "unlinkat", FunctionDescriptor.of(INT, INT, PTR, INT), CAPTURE);
        fdopendir = handle(libc, "fdopendir", FunctionDescriptor.of(PTR, INT), CAPTURE);
        readdir = handle(libc, "readdir", FunctionDescriptor.of(PTR, PTR), CAPTURE);
        closedir = handle(libc, "closedir", FunctionDescriptor.of(INT, PTR), CAPTURE);
        dup = handle(libc, "fcntl", FunctionDescriptor.of(INT, INT, INT, INT), CAPTURE, Linker.Option
                .firstVariadicArg(2));
    }

    @SuppressWarnings("restricted") // the JDK warns once unless the module is granted native access
    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
            Linker.Option... options) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no " + name
                + " in the C library"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** The one instance, or why there is none on this machine. */
    private static final class Holder {
        static final Posix INSTANCE;
        static final String UNAVAILABLE;

        static {
            Posix posix = null;
            String why = null;
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch", "");
            if (!os.contains("linux")) {
                why = "the file tools confine paths with Linux system calls (openat2, openat with O_NOFOLLOW), and "
                        + "this is " + System.getProperty("os.name");
            } else if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
                why = "the file tools know the system calls of x86_64 and aarch64 Linux, and this is " + arch;
            } else {
                try {
                    posix = new Posix();
                } catch (RuntimeException | UnsatisfiedLinkError e) {
                    why = "native access is denied (" + e.getMessage() + "): start the JVM with "
                            + "--enable-native-access=" + moduleName();
                }
            }
            INSTANCE = posix;
            UNAVAILABLE = why;
        }
    }

    private static String moduleName() {
        Module module = Posix.class.getModule();
        return module.isNamed() ? module.getName() : "ALL-UNNAMED";
    }

    /** {@return the bindings, or null when {@link #unavailable()} says why not} */
    static Posix get() {
        return Holder.INSTANCE;
    }

    /** {@return why the bindings cannot be used here, or null} */
    static String unavailable() {
        return Holder.UNAVAILABLE;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * openat2(2) with {@code RESOLVE_*} flags.
     *
     * @return the new descriptor
     * @throws Errno with ENOSYS when the kernel has no openat2
     */
    int openat2(int dirFd, String path, int flags, long resolve) throws Errno {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment how = arena.allocate(24, 8);
            how.set(LONG, 0, Integer.toUnsignedLong(flags));
            how.set(LONG, 8, 0L);
            how.set(LONG, 16, resolve);
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                long fd = (long) syscall4.invokeExact(state, SYS_OPENAT2, dirFd, arena.allocateFrom(path), how,
                        24L);
                if (fd >= 0) {
                    return (int) fd;
                }
                if (errno(state) != EINTR && errno(state) != EAGAIN) {
                    throw new Errno("openat2", errno(state));
                }
            }
        } catch (Errno e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** openat(2); {@code mode} matters only with {@link #O_CREAT}. */
    int openat(int dirFd, String path, int flags, int mode) throws Errno {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                int fd = (int) openat.invokeExact(state, dirFd, arena.allocateFrom(path), flags, mode);
                if (fd >= 0) {
                    return fd;
                }
                if (errno(state) != EINTR) {
                    throw new Errno("openat", errno(state));
                }
            }
        } catch (Errno e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return a second descriptor of the same open file (F_DUPFD_CLOEXEC)} */
    int dup(int fd) throws Errno {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int copy = (int) dup.invokeExact(state, fd, 1030, 3);
            if (copy < 0) {
                throw new Errno("fcntl", errno(state));
            }
            return copy;
        } catch (Errno e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Reads up to {@code max} bytes from the descriptor's current position.
     *
     * @param expected how many bytes the file holds, as its size says; the buffer is sized to it
     *
     * @return the bytes read; fewer than {@code max} only at the end of the file
     */
    byte[] readAll(int fd, int max, long expected) throws Errno {
        try (Arena arena = Arena.ofConfined()) {
            // a buffer the size of the file (one more byte to see its end), never more than 1 MiB at a time
            int chunk = (int) Math.max(1, Math.min(Math.min(max, 1 << 20), expected + 1));
            MemorySegment buffer = arena.allocate(chunk);
            MemorySegment state = arena.allocate(CALL_STATE);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(chunk);
            while (out.size() < max) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new Errno("read", EINTR);
                }
                long n = (long) read.invokeExact(state, fd, buffer, (long) Math.min(chunk, max - out.size()));
                if (n < 0) {
                    if (errno(state) == EINTR) {
                        continue;
                    }
                    throw new Errno("read", errno(state));
                }
                if (n == 0) {
                    break;
                }
                out.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
            }
            return out.toByteArray();
        } catch (Errno e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Writes all of {@code data}, then flushes it to the disk. */
    void writeAll(int fd, byte[] data) throws Errno {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
            MemorySegment state = arena.allocate(CALL_STATE);
            long done = 0;
            while (done < data.length) {
                long n = (long) write.invokeExact(state, fd, buffer.asSlice(done), data.length - done);
                if (n < 0) {
                    if (errno(state) == EINTR) {
                        continue;
                    }
                    throw new Errno("write", errno(state));
                }
                done += n;
            }
            if ((int) fsync.invokeExact(state, fd) != 0) {
                throw new Errno("fsync", errno(state));
            }
        } catch (Errno e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Closes a descriptor; a failure to close is ignored, as nothing more can be done. */
    void close(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) close.invokeExact(arena.allocate(CALL_STATE), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** What statx(2) says of a file. */
    record Stat(int mode, int links, long size, long modifiedSeconds, long inode, int uid) {
        int type() {
            return mode & S_IFMT;
        }

        boolean regular() {
            return type() == S_IFREG;
        }

        boolean directory() {
            return type() == S_IFDIR;
        }

        boolean symlink() {
            return type() == S_IFLNK;
        }
    }

    /** {@return statx of the open descriptor itself} */
    Stat stat(int fd) throws Errno {
        return statAt(fd, "", AT_EMPTY_PATH);
    }

    /** {@return statx of {@code name} in the directory, a symbolic link itself rather than its target} */
    Stat statAt(int dirFd, String name, int flags) throws Errno {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256, 8);
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) statx.invokeExact(state, dirFd, arena.allocateFrom(name), flags | AT_SYMLINK_NOFOLLOW,
                    STATX_BASIC_STATS, buf);
            if (rc != 0) {
                throw new Errno("statx", errno(state));
            }
            return new Stat(Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, 28)), buf.get(INT, 16), buf.get(
                    LONG, 40), buf.get(LONG, 112), buf.get(LONG, 32), buf.get(INT, 20));
        } catch (Errno e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** renameat2(2) between two directories; a symbolic link is renamed, never followed. */
    void rename(int fromDir, String from, int toDir, String to, int flags) throws Errno {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) renameat2.invokeExact(state, fromDir, arena.allocateFrom(from), toDir, arena.allocateFrom(
                    to), flags);
            if (rc != 0) {
                throw new Errno("renameat2", errno(state));
            }
        } catch (Errno e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** unlinkat(2): removes a name from the directory. */
    void unlink(int dirFd, String name) throws Errno {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if ((int) unlinkat.invokeExact(state, dirFd, arena.allocateFrom(name), 0) != 0) {
                throw new Errno("unlinkat", errno(state));
            }
        } catch (Errno e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A directory entry: its name and its d_type (4 directory, 8 regular file, 10 symbolic link, 0 unknown). */
    record Entry(String name, int type) {}

    /**
     * Lists a directory through a copy of its descriptor; the caller keeps and closes {@code dirFd}.
     *
     * @return its entries but {@code .} and {@code ..}, in the order the file system gives them
     */
    @SuppressWarnings("restricted") // readdir's pointer is read within the size of struct dirent
    java.util.List<Entry> list(int dirFd) throws Errno {
        int copy = dup(dirFd);
        java.util.List<Entry> entries = new java.util.ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment dir = (MemorySegment) fdopendir.invokeExact(state, copy);
            if (dir.equals(MemorySegment.NULL)) {
                close(copy);
                throw new Errno("fdopendir", errno(state));
            }
            try {
                while (true) {
                    MemorySegment entry = (MemorySegment) readdir.invokeExact(state, dir);
                    if (entry.equals(MemorySegment.NULL)) {
                        break;
                    }
                    // struct dirent on 64-bit Linux: d_ino 8, d_off 8, d_reclen 2, d_type 1, d_name at 19
                    MemorySegment d = entry.reinterpret(19 + 256);
                    String name = d.getString(19);
                    if (!name.equals(".") && !name.equals("..")) {
                        entries.add(new Entry(name, Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, 18))));
                    }
                }
            } finally {
                int ignored = (int) closedir.invokeExact(state, dir);
            }
            return entries;
        } catch (Errno e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
