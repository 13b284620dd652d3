package org.codeengine.plugin.tools.files;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.codeengine.plugin.tools.files.Posix.Errno;

/**
 * The folders the file tools may touch, each held open as a directory descriptor, and the one way to reach a file
 * beneath them: the path's text is checked for what no file name should hold, then the kernel resolves it relative to
 * the root's descriptor with {@code openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)}, so that neither {@code ..} nor a
 * symbolic link, however it changes meanwhile, leads out. Where the kernel has no openat2, each component is opened
 * with {@code O_NOFOLLOW} from its parent's descriptor instead (symbolic links are then not followed at all). A path
 * is never checked and then opened again by name.
 */
final class Roots {
    static final int MAX_PATH_BYTES = 4096;
    static final int MAX_NAME_BYTES = 255;
    private static final int AT_FDCWD = -100;

    /** A configured root: its real path and its directory descriptor. */
    record Root(Path path, int fd) {}

    /** A path the rules accept, relative to its root; {@code relative} is empty for the root itself. */
    record Target(Root root, String relative, String argument) {
        String shown() {
            return relative.isEmpty() ? root.path().toString() : root.path().resolve(relative).toString();
        }
    }

    /** A parent folder held open, and the last component of the path beneath it. */
    record Parent(int fd, String name) {}

    private final Posix posix;
    private final List<Root> roots;
    private final boolean openat2;

    /**
     * @param paths the roots' real paths, each an existing folder
     * @param useOpenat2 false to resolve component by component even where the kernel has openat2
     * @throws Refused if a root cannot be opened
     */
    Roots(Posix posix, List<Path> paths, boolean useOpenat2) {
        this.posix = posix;
        this.roots = paths.stream().map(p -> new Root(p, openRoot(posix, p))).toList();
        this.openat2 = useOpenat2 && probeOpenat2(posix, roots.getFirst().fd());
    }

    private static int openRoot(Posix posix, Path path) {
        try {
            return posix.openat(AT_FDCWD, path.toString(), Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_CLOEXEC, 0);
        } catch (Errno e) {
            throw new Refused("root " + path + " cannot be opened as a folder (errno " + e.errno + ")");
        }
    }

    private static boolean probeOpenat2(Posix posix, int rootFd) {
        try {
            posix.close(posix.openat2(rootFd, ".", Posix.O_PATH | Posix.O_CLOEXEC, Posix.RESOLVE_BENEATH));
            return true;
        } catch (Errno e) {
            return false; // ENOSYS on kernels before 5.6, EPERM under some seccomp filters
        }
    }

    List<Root> roots() {
        return roots;
    }

    /** {@return how paths are confined here, for a person} */
    String mode() {
        return openat2
                ? "openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS)"
                : "per-component openat(O_NOFOLLOW)";
    }

    /**
     * Applies the rules a path's text must meet and picks its root: a relative path lies in the first root, an
     * absolute one in the root whose path holds it component by component ({@code /r} never holds {@code /r-evil}).
     *
     * @param argument the argument's name, for the error
     * @throws Refused naming the argument and the rule it breaks
     */
    Target target(String argument, String path) {
        if (path.isEmpty()) {
            throw new Refused(argument + " must not be empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw new Refused(argument + " must not contain a NUL character");
        }
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PATH_BYTES) {
            throw new Refused(argument + " is " + bytes.length + " bytes long; the limit is " + MAX_PATH_BYTES);
        }
        for (String part : path.split("/")) {
            if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new Refused(argument + " has a component longer than " + MAX_NAME_BYTES + " bytes");
            }
        }
        boolean ascii = path.chars().allMatch(c -> c < 0x80);
        if (!ascii && !Normalizer.isNormalized(path, Normalizer.Form.NFC)) {
            throw new Refused(argument + " must be in Unicode normal form NFC (it holds decomposed characters)");
        }
        (ascii ? java.util.stream.IntStream.empty() : path.codePoints().filter(c -> c > 0x7f)).forEach(c -> {
            String folded = Normalizer.normalize(Character.toString(c), Normalizer.Form.NFKC);
            if (folded.contains(".") || folded.contains("/") || folded.contains("\\")) {
                throw new Refused(argument + " holds U+" + String.format("%04X", c) + ", a look-alike of '.', '/' "
                        + "or '\\'; write the ASCII character");
            }
        });
        if (path.startsWith("/")) {
            Path absolute = Path.of(path);
            for (Root root : roots) {
                if (absolute.startsWith(root.path())) {
                    return new Target(root, root.path().relativize(absolute).toString(), argument);
                }
            }
            throw new Refused(argument + " " + path + " is outside every root (" + roots.stream().map(r -> r.path()
                    .toString()).toList() + ")");
        }
        return new Target(roots.getFirst(), path, argument);
    }

    /**
     * Opens the target beneath its root.
     *
     * @param flags open flags; {@code O_CLOEXEC} is added
     * @return the new descriptor, which the caller closes
     * @throws Refused naming the rule when the kernel refuses
     */
    int open(Target target, int flags) {
        String relative = target.relative().isEmpty() ? "." : target.relative();
        try {
            if (openat2) {
                return posix.openat2(target.root().fd(), relative, flags | Posix.O_CLOEXEC,
                        Posix.RESOLVE_BENEATH | Posix.RESOLVE_NO_MAGICLINKS);
            }
            return walk(target.root().fd(), relative, flags | Posix.O_CLOEXEC);
        } catch (Errno e) {
            throw refusal(target, e.errno);
        }
    }

    /**
     * Opens the folder that holds the target, for creating or renaming its last component there.
     *
     * @throws Refused if the path names no file (the root, {@code .} or {@code ..} last) or its folder cannot be
     *         reached beneath the root
     */
    Parent parent(Target target) {
        String relative = target.relative();
        int slash = relative.lastIndexOf('/');
        String name = relative.substring(slash + 1);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new Refused(target.argument() + " must name a file, not a folder ('" + relative + "')");
        }
        String folder = slash < 0 ? "" : relative.substring(0, slash);
        int fd = open(new Target(target.root(), folder, target.argument()), Posix.O_PATH | Posix.O_DIRECTORY);
        return new Parent(fd, name);
    }

    /** Resolves one component at a time from the root's descriptor, never following a symbolic link. */
    private int walk(int rootFd, String relative, int flags) throws Errno {
        Deque<Integer> stack = new ArrayDeque<>();
        stack.push(posix.dup(rootFd));
        try {
            String[] parts = relative.split("/");
            int last = parts.length - 1;
            while (last > 0 && (parts[last].isEmpty() || parts[last].equals("."))) {
                last--;
            }
            for (int i = 0; i <= last; i++) {
                String part = parts[i];
                boolean isLast = i == last;
                if (part.isEmpty() || part.equals(".")) {
                    if (isLast) {
                        return posix.openat(stack.peek(), ".", flags, 0);
                    }
                    continue;
                }
                if (part.equals("..")) {
                    if (stack.size() == 1) {
                        throw new Errno("walk", Posix.EXDEV);
                    }
                    posix.close(stack.pop());
                    if (isLast) {
                        return posix.openat(stack.peek(), ".", flags, 0);
                    }
                    continue;
                }
                int fd = openNoFollow(stack.peek(), part, isLast
                        ? flags
                        : Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_CLOEXEC);
                if (isLast) {
                    return fd;
                }
                stack.push(fd);
            }
            return posix.openat(stack.peek(), ".", flags, 0);
        } finally {
            stack.forEach(posix::close);
        }
    }

    /** Opens one component without following it; a symbolic link there is reported as ELOOP, whatever the flags. */
    private int openNoFollow(int dirFd, String name, int flags) throws Errno {
        try {
            return posix.openat(dirFd, name, flags | Posix.O_NOFOLLOW, 0);
        } catch (Errno e) {
            if (e.errno == Posix.ENOTDIR && posix.statAt(dirFd, name, 0).symlink()) {
                throw new Errno("walk", Posix.ELOOP);
            }
            throw e;
        }
    }

    /** {@return the kernel's refusal as the rule it enforces} */
    Refused refusal(Target target, int errno) {
        String arg = target.argument();
        String path = target.relative().isEmpty() ? "." : target.relative();
        return new Refused(switch (errno) {
            case Posix.EXDEV -> arg + " '" + path + "' leads outside its root " + target.root().path()
                    + " (through '..' or a symbolic link); paths are confined to the roots";
            case Posix.ELOOP -> arg + " '" + path + "' goes through a symbolic link that is not followed " + (openat2
                    ? "(a loop, or a /proc magic link)"
                    : "(paths are resolved here without following symbolic links)");
            case Posix.ENOENT -> arg + " '" + path + "' does not exist";
            case Posix.ENOTDIR -> arg + " '" + path + "' goes through something that is not a folder";
            case Posix.EISDIR -> arg + " '" + path + "' is a folder";
            case Posix.EACCES, Posix.EPERM -> arg + " '" + path + "' may not be opened (permission denied)";
            case Posix.ENAMETOOLONG -> arg + " is too long for the file system";
            case Posix.EEXIST -> arg + " '" + path + "' already exists";
            default -> arg + " '" + path + "' cannot be opened (errno " + errno + ")";
        });
    }
}
