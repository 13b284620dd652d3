package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.codeengine.api.spi.EventTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every event bus plugin passes, on its real broker: ordered delivery to a group, acknowledgement, groups
 * that start at the oldest or the next message, members of a group sharing the work, a handler's failure redelivered,
 * and the messages of a member that died with them unacknowledged taken over by another member. A plugin's test
 * extends this class; {@link #open()} gives a transport on a stream of its own whose members give up a message after
 * {@link #CLAIM_AFTER} unacknowledged.
 */
@SuppressWarnings("try") // consumers are held open by try-with-resources
public abstract class EventTransportContract {
    /** For the test class that extends the contract. */
    protected EventTransportContract() {}

    /** How long a message may stay unacknowledged with one member before another gets it. */
    public static final Duration CLAIM_AFTER = Duration.ofMillis(500);
    /** How long the contract waits for a delivery. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final List<EventTransport> opened = new ArrayList<>();

    /** {@return a transport on a new, empty stream, with {@link #CLAIM_AFTER} as its redelivery delay} */
    protected abstract EventTransport openFresh();

    /**
     * {@return how many messages {@code group} holds delivered but unacknowledged}
     *
     * @param transport a transport {@link #open} returned
     * @param group the consumer group
     */
    protected abstract long pending(EventTransport transport, String group);

    /** {@return a transport on a new, empty stream, closed after the test} */
    protected final EventTransport open() {
        EventTransport transport = openFresh();
        opened.add(transport);
        return transport;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(EventTransport::close);
    }

    /**
     * {@return messages with new ids, of three types in turn}
     *
     * @param n how many
     */
    protected static List<EventTransport.Message> messages(int n) {
        return IntStream.range(0, n).mapToObj(i -> {
            String id = UUID.randomUUID().toString();
            return new EventTransport.Message(id, "org.codeengine.test." + (i % 3), "{\"id\":\"" + id + "\",\"n\":" + i
                    + "}");
        }).toList();
    }

    @Test
    void aGroupFromTheStart_getsEveryMessageInOrder_andAcknowledgesEach() {
        EventTransport bus = open();
        List<EventTransport.Message> sent = messages(250);
        bus.publish(sent.subList(0, 100));
        List<EventTransport.Message> seen = Collections.synchronizedList(new ArrayList<>());
        try (EventTransport.Consumer c = bus.consume("g1", "c1", true, seen::add)) {
            bus.publish(sent.subList(100, 250));
            await("all 250 delivered", () -> seen.size() >= 250);
            assertThat(seen).containsExactlyElementsOf(sent);
            await("all acknowledged", () -> pending(bus, "g1") == 0);
        }
    }

    @Test
    void aGroupFromNow_seesOnlyWhatIsPublishedAfterItWasMade() {
        EventTransport bus = open();
        bus.publish(messages(5));
        List<EventTransport.Message> later = messages(5);
        List<EventTransport.Message> seen = Collections.synchronizedList(new ArrayList<>());
        try (EventTransport.Consumer c = bus.consume("g-new", "c1", false, seen::add)) {
            bus.publish(later);
            await("the 5 later ones delivered", () -> seen.size() >= 5);
            assertThat(seen).containsExactlyElementsOf(later);
        }
    }

    @Test
    void twoMembersOfAGroup_shareTheMessages_andTwoGroupsEachGetAll() {
        EventTransport bus = open();
        List<EventTransport.Message> sent = messages(200);
        Set<String> a = Collections.synchronizedSet(new HashSet<>());
        Set<String> b = Collections.synchronizedSet(new HashSet<>());
        List<String> other = Collections.synchronizedList(new ArrayList<>());
        try (EventTransport.Consumer c1 = bus.consume("shared", "a", true, m -> a.add(m.id()));
                EventTransport.Consumer c2 = bus.consume("shared", "b", true, m -> b.add(m.id()));
                EventTransport.Consumer c3 = bus.consume("other", "x", true, m -> other.add(m.id()))) {
            bus.publish(sent);
            await("the group got all 200", () -> a.size() + b.size() >= 200 && other.size() >= 200);
            Set<String> union = new HashSet<>(a);
            union.addAll(b);
            assertThat(union).containsExactlyInAnyOrderElementsOf(sent.stream().map(EventTransport.Message::id)
                    .toList());
            assertThat(other).containsExactlyElementsOf(sent.stream().map(EventTransport.Message::id).toList());
        }
    }

    @Test
    void aHandlerThatFails_getsTheMessageAgain() {
        EventTransport bus = open();
        List<EventTransport.Message> sent = messages(3);
        AtomicInteger tries = new AtomicInteger();
        List<String> handled = Collections.synchronizedList(new ArrayList<>());
        try (EventTransport.Consumer c = bus.consume("flaky", "c1", true, m -> {
            if (m.id().equals(sent.get(1).id()) && tries.getAndIncrement() == 0) {
                throw new IllegalStateException("first try fails");
            }
            handled.add(m.id());
        })) {
            bus.publish(sent);
            await("the failed one delivered again", () -> handled.contains(sent.get(1).id()));
            assertThat(tries.get()).isGreaterThanOrEqualTo(2);
            assertThat(handled).containsAll(sent.stream().map(EventTransport.Message::id).toList());
        }
    }

    @Test
    void aMemberThatDiesWithMessagesPending_hasThemTakenByAnotherMember() throws Exception {
        EventTransport bus = open();
        List<EventTransport.Message> sent = messages(20);
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch took = new CountDownLatch(1);
        EventTransport.Consumer dying = bus.consume("workers", "dying", true, m -> {
            took.countDown();
            try {
                stuck.await(); // holds what it took, unacknowledged, until it is gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("gone");
        });
        bus.publish(sent);
        assertThat(took.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        await("the dying member holds messages", () -> pending(bus, "workers") > 0);
        Thread closing = Thread.ofVirtual().start(dying::close);
        Set<String> rescued = Collections.synchronizedSet(new HashSet<>());
        try (EventTransport.Consumer live = bus.consume("workers", "live", true, m -> rescued.add(m.id()))) {
            await("the live member got every message", () -> rescued.size() >= sent.size());
            assertThat(rescued).containsExactlyInAnyOrderElementsOf(sent.stream().map(EventTransport.Message::id)
                    .toList());
            await("nothing left pending", () -> pending(bus, "workers") == 0);
        } finally {
            stuck.countDown();
            closing.join();
        }
    }

    /**
     * Skips the calling test class when nothing answers at {@code url}'s host and port, except in CI
     * ({@code CI=true}), where it fails.
     *
     * @param url the broker, such as {@code redis://127.0.0.1:6379}
     * @param broker its name, for the message
     */
    public static void requireServer(String url, String broker) {
        java.net.URI uri = java.net.URI.create(url);
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
        } catch (java.io.IOException e) {
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(broker + " at " + url
                        + " is required in CI but cannot be reached: " + e);
            }
            org.junit.jupiter.api.Assumptions.abort(broker + " at " + url + " cannot be reached: " + e);
        }
    }

    /**
     * Polls {@code condition} until it holds or {@link #WAIT} has passed.
     *
     * @param what what is awaited, for the failure's message
     * @param condition the condition
     */
    protected static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline < 0).as("waited %s for: %s", WAIT, what).isTrue();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
