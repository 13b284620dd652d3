package org.codeengine.plugin.support;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.codeengine.api.spi.EventTransport;
import org.jspecify.annotations.Nullable;

/**
 * One member of a consumer group of an event transport: a virtual thread that reads a batch from the broker, hands
 * each message to the handler and acknowledges it once the handler returned. A handler that throws leaves its message
 * unacknowledged ({@link #failed} may tell the broker at once); a read or an acknowledgement that fails is logged and
 * retried after a pause. Once closed, a member acknowledges nothing more, so what it held goes to another member.
 * Subclasses say how to read, unwrap and acknowledge a broker's entries.
 *
 * @param <E> the broker's entry type
 */
public abstract class GroupMember<E> implements EventTransport.Consumer {
    private final String group;
    private final String name;
    private final String reading;
    private final EventTransport.Handler handler;
    private final Duration pause;
    private final Consumer<String> warn;
    private final String threadName;
    private volatile @Nullable Thread thread;
    private volatile boolean closed;

    /**
     * Starts the member's thread, which reads and handles entries until {@link #close}.
     *
     * @param thread the name of the member's thread
     * @param group the group it belongs to
     * @param name the member's name in the group
     * @param reading what it reads, for messages ("the redis stream code-events")
     * @param handler what each message goes to
     * @param pause how long to wait after a failed read, and a quarter of how long {@link #close} waits for the
     *        thread; positive
     * @param warn where warnings go (the plugin's logger)
     */
    protected GroupMember(String thread, String group, String name, String reading, EventTransport.Handler handler,
            Duration pause, Consumer<String> warn) {
        this.group = group;
        this.name = name;
        this.reading = reading;
        this.handler = handler;
        this.pause = pause;
        this.warn = warn;
        this.threadName = thread;
    }

    /** Starts reading. */
    public final synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(threadName + " was started already");
        }
        thread = Thread.ofVirtual().name(threadName).start(this::run);
    }

    /** {@return the next entries to handle, waiting a while for them; empty if none came} */
    protected abstract List<E> next();

    /**
     * {@return the message an entry holds, or null to skip it unacknowledged (it was trimmed away)}
     *
     * @param entry an entry {@link #next} returned
     */
    protected abstract EventTransport.@Nullable Message message(E entry);

    /**
     * Acknowledges an entry whose handler returned.
     *
     * @param entry an entry whose handler returned
     */
    protected abstract void ack(E entry);

    /**
     * Called when the handler threw on an entry.
     *
     * @param entry the entry the handler threw on
     * @return what becomes of the entry, for the warning ("it stays pending")
     */
    protected abstract String failed(E entry);

    /** Releases what the member holds, after its thread ended (or did not end in time). */
    protected void release() {}

    /** {@return whether {@link #close} was called} */
    protected final boolean closed() {
        return closed;
    }

    /** {@return the group it belongs to} */
    protected final String group() {
        return group;
    }

    /** {@return its name in the group} */
    protected final String name() {
        return name;
    }

    private void run() {
        while (!closed) {
            try {
                handleAll(next());
            } catch (RuntimeException e) {
                if (!closed) {
                    warn.accept("reading " + reading + " as " + group + "/" + name + " failed; trying again: " + e
                            .getMessage());
                    sleep();
                }
            }
        }
    }

    /** Hands the entries over in order; stops at once when closed, leaving the rest unacknowledged. */
    private void handleAll(List<E> entries) {
        for (E entry : entries) {
            if (closed) {
                return;
            }
            EventTransport.Message message = message(entry);
            if (message == null) {
                continue;
            }
            try {
                handler.handle(message);
            } catch (RuntimeException e) {
                if (!closed) {
                    warn.accept("a handler of group " + group + " failed on event " + message.id() + "; " + failed(
                            entry) + ": " + e);
                }
                continue;
            }
            if (closed) {
                return; // closed while it was handled: another member takes it
            }
            ack(entry);
        }
    }

    private void sleep() {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops reading: waits up to four pauses for the thread, then {@link #release releases}. */
    @Override
    public void close() {
        closed = true;
        Thread running = thread;
        try {
            if (running != null) {
                running.join(pause.multipliedBy(4));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        release();
    }
}
