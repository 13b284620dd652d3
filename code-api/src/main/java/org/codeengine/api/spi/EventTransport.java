package org.codeengine.api.spi;

import java.util.List;
import org.codeengine.api.UnavailableException;

/**
 * A connection to an event broker, opened by an {@link EventBusProvider}. Events travel as their CloudEvents JSON; the
 * broker keeps them until every consumer group acknowledged them or its retention ends.
 */
public interface EventTransport extends AutoCloseable {
    /**
     * One event on the wire.
     *
     * @param id the CloudEvent's id, stable across redeliveries
     * @param type the CloudEvent's type
     * @param json the CloudEvent in its JSON form
     */
    record Message(String id, String type, String json) {
        /**
         * Checks the components against their rules.
         *
         * @throws NullPointerException if an argument is null
         */
        public Message {
            java.util.Objects.requireNonNull(id, "id must not be null");
            java.util.Objects.requireNonNull(type, "type must not be null");
            java.util.Objects.requireNonNull(json, "json must not be null");
        }
    }

    /** What a consumer does with a message. */
    @FunctionalInterface
    interface Handler {
        /**
         * Handles one message; returning acknowledges it.
         *
         * @param message the message
         * @throws RuntimeException to leave it unacknowledged, so that it is delivered again
         */
        void handle(Message message);
    }

    /** A consumer started by {@link #consume}. */
    interface Consumer extends AutoCloseable {
        /** Stops consuming; what it took and did not acknowledge stays pending for the group. */
        @Override
        void close();
    }

    /**
     * Publishes messages in order, returning once the broker has stored every one.
     *
     * @param messages the messages, in the order they are to be delivered
     * @throws UnavailableException if the broker cannot be reached or did not store them all; publishing the same
     *         messages again is safe (consumers de-duplicate on the id)
     */
    void publish(List<Message> messages);

    /**
     * Starts consuming as member {@code consumer} of the durable group {@code group}, on a thread of its own. Each
     * message goes to one member of the group; one a member took and did not acknowledge in time goes to another.
     *
     * @param group the group; created if missing, starting at the oldest message kept ({@code fromStart}) or at
     *        the next one published
     * @param consumer the member's name, unique within the group
     * @param fromStart where a group created now starts
     * @param handler called for each message, one at a time
     * @return the consumer
     * @throws UnavailableException if the broker cannot be reached
     */
    Consumer consume(String group, String consumer, boolean fromStart, Handler handler);

    /**
     * Drops a group made for one subscription; by default nothing.
     *
     * @param group the group's name
     */
    default void dropGroup(String group) {}

    @Override
    void close();
}
