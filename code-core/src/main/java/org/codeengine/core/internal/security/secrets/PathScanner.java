package org.codeengine.core.internal.security.secrets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.codeengine.api.security.ScanNotice;
import org.codeengine.api.security.ScanNotice.Kind;
import org.codeengine.api.security.ScanOptions;
import org.codeengine.api.security.ScanReport;
import org.codeengine.api.security.SecretFinding;
import org.jspecify.annotations.Nullable;

/**
 * Scans files and folders with an engine: walks the folders (symbolic links inside them not followed), then streams
 * the files through the engine on several platform threads (the work is all processor), decoding each as UTF-8,
 * UTF-16 with a byte order mark, or Latin-1. Whatever it does not read, or reads only after decoding it another way,
 * becomes a {@link ScanNotice}.
 */
public final class PathScanner {
    /** How many bytes are looked at to tell text from binary and find a byte order mark. */
    static final int SNIFF = 8192;

    private final ScanEngine engine;

    /** @param engine the rules */
    public PathScanner(ScanEngine engine) {
        this.engine = engine;
    }

    private record FileResult(List<SecretFinding> findings, @Nullable ScanNotice notice, long bytes, boolean read) {}

    /**
     * {@return the findings and notices}
     *
     * @param paths files and folders; a symbolic link named here is followed
     * @param options the size limit, excluded folders and threads
     */
    public ScanReport scan(List<Path> paths, ScanOptions options) {
        List<Path> files = new ArrayList<>();
        List<ScanNotice> notices = new ArrayList<>();
        for (Path root : paths) {
            walk(root, options, files, notices);
        }
        List<SecretFinding> findings = new ArrayList<>();
        int read = 0;
        long bytes = 0;
        int threads = Math.min(options.threads(), Math.max(1, files.size()));
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<FileResult>> results = new ArrayList<>();
            for (Path file : files) {
                results.add(pool.submit(() -> scanFile(file)));
            }
            for (Future<FileResult> f : results) {
                FileResult r = f.get();
                findings.addAll(r.findings());
                if (r.notice() != null) {
                    notices.add(r.notice());
                }
                read += r.read() ? 1 : 0;
                bytes += r.bytes();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the scan was interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        findings.sort(Comparator.comparing(SecretFinding::source).thenComparingInt(SecretFinding::line)
                .thenComparingInt(SecretFinding::column));
        notices.sort(Comparator.comparing(ScanNotice::path));
        return new ScanReport(read, bytes, findings, notices);
    }

    private void walk(Path root, ScanOptions options, List<Path> files, List<ScanNotice> notices) {
        Path start = root;
        if (Files.isSymbolicLink(root)) {
            try {
                start = root.toRealPath(); // a link named on the command line is followed, once
            } catch (IOException e) {
                notices.add(new ScanNotice(root.toString(), Kind.UNREADABLE, "a symbolic link that does not resolve: "
                        + why(e)));
                return;
            }
        }
        Path top = start;
        try {
            Files.walkFileTree(top, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            return !dir.equals(top) && options.excludedFolders().contains(String.valueOf(dir
                                    .getFileName())) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isSymbolicLink()) {
                                notices.add(new ScanNotice(file.toString(), Kind.SYMLINK,
                                        "a symbolic link: not followed"));
                            } else if (!attrs.isRegularFile()) {
                                notices.add(new ScanNotice(file.toString(), Kind.NOT_A_FILE,
                                        "not a regular file (a FIFO, socket or device): not read"));
                            } else if (attrs.size() > options.maxFileBytes()) {
                                notices.add(new ScanNotice(file.toString(), Kind.OVER_SIZE, attrs.size()
                                        + " bytes, over the limit of " + options.maxFileBytes() + ": not read"));
                            } else {
                                files.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            notices.add(new ScanNotice(file.toString(), Kind.UNREADABLE, why(e)));
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException e) {
                            if (e != null) {
                                notices.add(new ScanNotice(dir.toString(), Kind.UNREADABLE,
                                        "the folder could not be listed to its end: " + why(e)));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            notices.add(new ScanNotice(root.toString(), Kind.UNREADABLE, why(e)));
        }
    }

    /** Scans one file, deciding its encoding from its first bytes; falls back to Latin-1 when UTF-8 breaks. */
    private FileResult scanFile(Path file) {
        String source = file.toString();
        try {
            byte[] head = new byte[SNIFF];
            int n;
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                n = in.readNBytes(head, 0, SNIFF);
            }
            Encoding enc = Encoding.sniff(head, n);
            if (enc.charset() != StandardCharsets.UTF_8) {
                return read(file, source, enc.charset(), enc.skip(), new ScanNotice(source, enc.binary()
                        ? Kind.BINARY
                        : Kind.DECODED, enc.why()));
            }
            try {
                return read(file, source, StandardCharsets.UTF_8, enc.skip(), null);
            } catch (CharacterCodingException e) {
                return read(file, source, StandardCharsets.ISO_8859_1, 0, new ScanNotice(source, Kind.DECODED,
                        "not UTF-8: read as Latin-1"));
            }
        } catch (IOException e) {
            return new FileResult(List.of(), new ScanNotice(source, Kind.UNREADABLE, why(e)), 0, false);
        } catch (UncheckedIOException e) {
            return new FileResult(List.of(), new ScanNotice(source, Kind.UNREADABLE, why(e.getCause())), 0, false);
        }
    }

    private FileResult read(Path file, String source, Charset charset, int skip, @Nullable ScanNotice notice)
            throws IOException {
        try (CountingStream counted = new CountingStream(new BufferedInputStream(Files.newInputStream(file,
                LinkOption.NOFOLLOW_LINKS), 1 << 16));
                Reader reader = new InputStreamReader(counted, decoder(
                        charset))) {
            counted.skipNBytes(skip);
            List<SecretFinding> findings = engine.scan(reader, source);
            return new FileResult(findings, notice, counted.count(), true);
        }
    }

    /** UTF-8 reports a malformed byte (the file is then read as Latin-1); UTF-16 replaces one. */
    private static CharsetDecoder decoder(Charset charset) {
        CodingErrorAction onError = charset == StandardCharsets.UTF_8
                ? CodingErrorAction.REPORT
                : CodingErrorAction.REPLACE;
        return charset.newDecoder().onMalformedInput(onError).onUnmappableCharacter(onError);
    }

    /** Why an I/O operation failed, in words; never the file's content. */
    static String why(IOException e) {
        return switch (e) {
            case AccessDeniedException x -> "permission denied";
            case FileSystemLoopException x -> "a symbolic link loop";
            case NoSuchFileException x -> "no such file or folder";
            default -> e.getMessage() != null && e.getMessage().contains("Too many levels of symbolic links")
                    ? "a symbolic link loop"
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        };
    }

    /** A stream that counts the bytes read through it. */
    private static final class CountingStream extends java.io.FilterInputStream {
        private long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b >= 0 ? 1 : 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(0, n);
            return n;
        }

        long count() {
            return count;
        }
    }
}
