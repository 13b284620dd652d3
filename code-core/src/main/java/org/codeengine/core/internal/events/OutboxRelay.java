package org.codeengine.core.internal.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.core.internal.store.LeaseRepository;
import org.codeengine.core.internal.store.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the outbox to the bus. One relay per store does the work: the one holding the lease
 * {@value #LEASE}, renewed while it works; the others wait for it to lapse. It reads what waits in the outbox in order,
 * publishes it, and moves it into the event history once the bus has stored it. A relay that dies between the two
 * leaves the events in the outbox, and the next holder publishes them again: delivery is at least once, with the
 * event's id to de-duplicate. The relay keeps no position, so an event whose transaction commits late is published too
 * (see {@link Outbox}). The holder also prunes the history of events published longer ago than the retention, a small
 * batch at a time.
 */
public final class OutboxRelay implements AutoCloseable {
    /** The lease that names the relaying engine. */
    public static final String LEASE = "code-outbox-relay";
    /** Events pruned from the history at once, at most. */
    static final int PRUNE_BATCH = 500;
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    /**
     * @param lease how long the lease lasts unless renewed; another engine takes over this long after a crash
     * @param poll how often an idle relay looks at the outbox and an engine without the lease tries to take it
     * @param batch events published at once, at most
     * @param retention how long a published event stays in the history ({@code code events tail}, {@code history})
     */
    public record Settings(Duration lease, Duration poll, int batch, Duration retention) {
        /** The retention unless one is given: a week. */
        public static final Duration RETENTION = Duration.ofDays(7);
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(10), Duration.ofMillis(100), 256);

        public Settings {
            if (lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("lease must be positive but was " + lease);
            }
            if (poll.isNegative() || poll.isZero() || poll.compareTo(lease) >= 0) {
                throw new IllegalArgumentException("poll must be positive and shorter than the lease but was " + poll);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be at least 1 but was " + batch);
            }
            if (retention.isNegative() || retention.isZero()) {
                throw new IllegalArgumentException("retention must be positive but was " + retention);
            }
        }

        /** Settings with the default retention, {@link #RETENTION}. */
        public Settings(Duration lease, Duration poll, int batch) {
            this(lease, poll, batch, RETENTION);
        }

        /** {@return these settings with another retention} */
        public Settings withRetention(Duration retention) {
            return new Settings(lease, poll, batch, retention);
        }
    }

    private final Outbox outbox;
    private final LeaseRepository leases;
    private final EventTransport transport;
    private final String owner;
    private final Clock clock;
    private final Settings settings;
    private final Counter published;
    private final Counter failures;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean woken;
    private volatile boolean closed;
    private volatile boolean holding;
    private final Thread thread;

    public OutboxRelay(Outbox outbox, LeaseRepository leases, EventTransport transport, String owner, Clock clock,
            Settings settings, MeterRegistry registry) {
        this.outbox = outbox;
        this.leases = leases;
        this.transport = transport;
        this.owner = owner;
        this.clock = clock;
        this.settings = settings;
        this.published = Counter.builder("code.events.published").description(
                "events the relay published to the bus").register(registry);
        this.failures = Counter.builder("code.events.relay.failures").description(
                "relay rounds that failed: the bus or the store did not answer").register(registry);
        registry.gauge("code.events.relay.leader", this, r -> r.holding ? 1 : 0);
        this.thread = Thread.ofVirtual().name("code-outbox-relay").unstarted(this::run);
    }

    /** Starts relaying in the background. */
    public OutboxRelay start() {
        thread.start();
        return this;
    }

    /** {@return whether this relay held the lease at its last look} */
    public boolean leader() {
        return holding;
    }

    /** Asks the relay to look at the outbox now rather than at its next poll. */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Duration pause = settings.poll();
        long renewedAt = 0;
        long prunedAt = System.nanoTime();
        boolean pruneDue = true;
        while (!closed) {
            try {
                long nanos = System.nanoTime();
                if (!holding || nanos - renewedAt > settings.lease().toNanos() / 3) {
                    holding = leases.acquire(LEASE, owner, clock.instant(), settings.lease());
                    renewedAt = nanos;
                }
                int sent = holding ? relayOnce() : 0;
                if (holding && (pruneDue || nanos - prunedAt > PRUNE_EVERY.toNanos())) {
                    pruneDue = pruneOnce() == PRUNE_BATCH; // more may wait: again next round, not in a minute
                    prunedAt = nanos;
                }
                pause = settings.poll();
                if (sent == settings.batch()) {
                    continue; // more may wait
                }
            } catch (RuntimeException e) {
                failures.increment();
                LOG.warn("the outbox relay failed a round; trying again in {} ms: {}", pause.toMillis(), e
                        .getMessage());
                pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                        ? Duration.ofSeconds(5)
                        : pause.multipliedBy(2);
            }
            idle(pause);
        }
    }

    /** Publishes one batch of unsent events, whoever holds the lease (the loop checks it); returns how many. */
    public int relayOnce() {
        List<Outbox.Row> rows = outbox.unsent(settings.batch());
        if (rows.isEmpty()) {
            return 0;
        }
        transport.publish(rows.stream().map(r -> new EventTransport.Message(r.id(), r.type(), r.json())).toList());
        outbox.published(rows.stream().map(Outbox.Row::seq).toList(), clock.instant());
        published.increment(rows.size());
        return rows.size();
    }

    /**
     * Prunes one batch of the history: events published longer than the retention ago, whoever holds the lease (the
     * loop checks it).
     *
     * @return how many were pruned, {@value #PRUNE_BATCH} at most
     */
    public int pruneOnce() {
        return outbox.prune(clock.instant().minus(settings.retention()), PRUNE_BATCH);
    }

    private void idle(Duration pause) {
        lock.lock();
        try {
            long left = pause.toNanos();
            while (!woken && !closed && left > 0) {
                left = wake.awaitNanos(left);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops relaying and gives the lease up, so that another engine takes over at once. */
    @Override
    public void close() {
        closed = true;
        wake();
        try {
            if (thread.getState() != Thread.State.NEW) { // a relay never started has no thread to wait for
                thread.join(Duration.ofSeconds(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (holding) {
            try {
                leases.release(LEASE, owner);
            } catch (RuntimeException e) {
                LOG.debug("releasing the relay lease failed; it lapses by itself: {}", e.getMessage());
            }
        }
    }
}
