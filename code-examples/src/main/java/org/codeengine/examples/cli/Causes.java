package org.codeengine.examples.cli;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;

/** Reads what an exception's causes say, for errors that name the real trouble rather than its last symptom. */
final class Causes {
    private Causes() {}

    /**
     * @param e an exception
     * @return whether it, a cause or a suppressed exception of it says that a device has no space left (ENOSPC, as
     *         the JDK and the databases word it), such as the embedded store's file on a full disk
     */
    static boolean noSpaceLeft(Throwable e) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> next = new ArrayDeque<>();
        next.add(e);
        while (!next.isEmpty()) {
            Throwable t = next.poll();
            if (!seen.add(t)) {
                continue;
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("no space left") || message.contains("disk full") || message.contains(
                    "not enough space")) {
                return true;
            }
            if (t.getCause() != null) {
                next.add(t.getCause());
            }
            Collections.addAll(next, t.getSuppressed());
        }
        return false;
    }
}
