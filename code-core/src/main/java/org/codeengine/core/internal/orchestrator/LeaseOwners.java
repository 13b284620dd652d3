package org.codeengine.core.internal.orchestrator;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names engines hold run leases under: {@code <pid>@<host>/<process start, epoch ms>/<random>}. From a name an
 * engine on the same host tells whether the holder's process is gone (no process has the id, or one that started at
 * another time does), and may then take the run over at once rather than wait for the lease to expire.
 */
public final class LeaseOwners {
    private static final Pattern NAME = Pattern.compile("(\\d+)@([^/]+)/(\\d+)/[^/]+");

    private LeaseOwners() {}

    /** {@return a new name for an engine in this process} */
    public static String forThisProcess() {
        ProcessHandle self = ProcessHandle.current();
        long started = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return self.pid() + "@" + host() + "/" + started + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * {@return whether it names a process on this host that is gone; false when that cannot be told (another host, an
     *         older form of name, a process whose start time cannot be read)}
     *
     * @param owner a lease owner's name, as stored
     */
    public static boolean goneFromThisHost(String owner) {
        Matcher m = NAME.matcher(owner);
        if (!m.matches() || !m.group(2).equals(host())) {
            return false;
        }
        long started = Long.parseLong(m.group(3));
        Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(m.group(1))).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return true;
        }
        Optional<Instant> start = process.get().info().startInstant();
        return started != 0 && start.isPresent() && start.get().toEpochMilli() != started; // the id was reused
    }

    /** {@return this host's name, as the JVM reports it in its runtime name ({@code pid@host})} */
    private static String host() {
        String name = ManagementFactory.getRuntimeMXBean().getName();
        int at = name.indexOf('@');
        return at < 0 ? name : name.substring(at + 1);
    }
}
