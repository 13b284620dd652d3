package org.codeengine.api.events;

import java.util.List;
import java.util.function.Consumer;
import org.codeengine.api.CallContext;
import org.codeengine.api.PolicyDeniedException;
import org.jspecify.annotations.Nullable;

/**
 * CODE's events, as a host sees them: every state change the engine writes to its store is written, in the same
 * transaction, to an outbox, and one relay per store (chosen by lease) publishes the outbox to the configured bus: the
 * in-process one by default, or a plugin's (Redis Streams, NATS JetStream). Delivery is at least once: a consumer
 * de-duplicates on {@link CloudEvent#id()}.
 *
 * <p>Reading needs the permission {@code events:read:<type>}; publishing {@code events:publish:<type>}.
 */
public interface EventBus {
    /**
     * Writes an event to the outbox; the relay publishes it.
     *
     * @param context who publishes
     * @param event the event; its type must start with {@link CloudEvent#PREFIX}
     * @throws PolicyDeniedException if the principal may not publish events of that type
     * @throws IllegalArgumentException if the type does not start with {@link CloudEvent#PREFIX}
     */
    void publish(CallContext context, CloudEvent event);

    /**
     * Delivers every event published from now on whose type matches {@code typePattern} to {@code handler}, in the
     * order the relay published them. Each subscription sees every event (it is its own consumer group).
     *
     * @param context who reads
     * @param typePattern a type, or a glob with {@code *} for any run of characters ({@code org.codeengine.deployment.*})
     * @param handler called on one thread per subscription; an exception thrown leaves the event unacknowledged, so
     *        a bus plugin delivers it again
     * @return the subscription; close it to stop
     * @throws PolicyDeniedException if the principal may not read events
     */
    Subscription subscribe(CallContext context, String typePattern, Consumer<CloudEvent> handler);

    /**
     * Joins the durable consumer group {@code group}: each event goes to one member, and an event a member took but
     * never acknowledged (it died) goes to another after a while. The group starts from the oldest event the bus
     * keeps.
     *
     * @param context who reads
     * @param group the group's name: lower case letters, digits, '.', '_' or '-'
     * @param consumer this member's name within the group, same rule
     * @param typePattern as for {@link #subscribe(CallContext, String, Consumer)}
     * @param handler as for {@link #subscribe(CallContext, String, Consumer)}
     * @return the membership; close it to leave
     * @throws PolicyDeniedException if the principal may not read events
     * @throws IllegalArgumentException if a name breaks its rule
     */
    Subscription join(CallContext context, String group, String consumer, String typePattern,
            Consumer<CloudEvent> handler);

    /**
     * Reads the outbox: the events written after {@code afterId}, oldest first, whether sent yet or not. Going on
     * from an event, it returns {@code limit} events of the type unless fewer follow, so that an empty list means the
     * reader is at the end; without one, it filters the latest {@code limit} events of any type.
     *
     * @param context who reads
     * @param afterId the id of the last event already seen, or null for the latest {@code limit} events
     * @param typePattern as for {@link #subscribe(CallContext, String, Consumer)}
     * @param limit at most this many, 1 to 10000
     * @return the events, oldest first
     * @throws PolicyDeniedException if the principal may not read events
     * @throws org.codeengine.api.NotFoundException if no event {@code afterId} is kept: it was pruned (the reader fell
     *         further behind than the history keeps), or never written; read again from the newest ({@code null})
     */
    List<CloudEvent> history(CallContext context, @Nullable String afterId, String typePattern, int limit);

    /** A live subscription. */
    interface Subscription extends AutoCloseable {
        /** Stops delivery; the handler is not called after this returns. */
        @Override
        void close();
    }
}
