package org.codeengine.core.internal.executors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The marks the process executor puts in each child's environment (run, service, instance), and the search for live
 * processes by them. A process started but not yet recorded in the journal when its engine died is found by its marks,
 * so that a later engine can stop it. The search reads {@code /proc/<pid>/environ}: on systems without it, and for
 * processes of other OS users, it finds nothing.
 */
public final class ProcessMarks {
    public static final String RUN = "CODE_RUN";
    public static final String SERVICE = "CODE_SERVICE";
    public static final String INSTANCE = "CODE_INSTANCE";

    private static final Path PROC = Path.of("/proc");

    private ProcessMarks() {}

    /** {@return the marks of one instance, as environment variables} */
    static Map<String, String> of(String runId, String service, int instance) {
        return Map.of(RUN, runId, SERVICE, service, INSTANCE, Integer.toString(instance));
    }

    /**
     * {@return the live processes whose environment holds every one of {@code marks}; one that has exited and only
     *         waits to be reaped is not live}
     */
    public static List<ProcessHandle> find(Map<String, String> marks) {
        if (!Files.isDirectory(PROC)) {
            return List.of();
        }
        List<String> wanted = marks.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self && !ProcessExecutor.gone(p))
                .filter(p -> environ(p.pid())
                        .containsAll(wanted))
                .toList();
    }

    /** {@return the live processes an instance of a service of a run started, by their marks} */
    static List<ProcessHandle> find(String runId, String service, int instance) {
        return find(of(runId, service, instance));
    }

    private static List<String> environ(long pid) {
        try {
            byte[] bytes = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
            return List.of(new String(bytes, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | SecurityException e) {
            return List.of(); // gone meanwhile, or another user's
        }
    }
}
