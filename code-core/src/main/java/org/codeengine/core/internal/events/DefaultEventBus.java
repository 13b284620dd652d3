package org.codeengine.core.internal.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.codeengine.api.CallContext;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.events.EventBus;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.core.internal.store.Outbox;
import org.jspecify.annotations.Nullable;

/** The engine's event face: publishing goes through the outbox, reading through the bus or the outbox. */
public final class DefaultEventBus implements EventBus {
    private static final Permission READ = new Permission("events", "read", "*");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private final Outbox outbox;
    private final EventTransport transport;
    private final SecurityFacade guard;
    private final Runnable published;

    /**
     * @param published told after an event is written, so that the relay looks at once
     */
    public DefaultEventBus(Outbox outbox, EventTransport transport, SecurityFacade guard, Runnable published) {
        this.outbox = outbox;
        this.transport = transport;
        this.guard = guard;
        this.published = published;
    }

    @Override
    public void publish(CallContext context, CloudEvent event) {
        require(context, "context");
        require(event, "event");
        if (!event.type().startsWith(CloudEvent.PREFIX)) {
            throw new IllegalArgumentException("event.type must start with " + CloudEvent.PREFIX + " but was '"
                    + event.type() + "'");
        }
        guard.require(context.principal(), new Permission("events", "publish", event.type().toLowerCase(
                Locale.ROOT)));
        outbox.append(List.of(event));
        published.run();
    }

    @Override
    public Subscription subscribe(CallContext context, String typePattern, Consumer<CloudEvent> handler) {
        Predicate<String> matches = TypePattern.compile(typePattern, "typePattern");
        require(handler, "handler");
        guard.require(require(context, "context").principal(), READ);
        String group = "code-sub-" + UUID.randomUUID();
        EventTransport.Consumer consumer = transport.consume(group, "only", false, deliver(matches, handler));
        return () -> {
            consumer.close();
            transport.dropGroup(group);
        };
    }

    @Override
    public Subscription join(CallContext context, String group, String consumer, String typePattern,
            Consumer<CloudEvent> handler) {
        name(group, "group");
        name(consumer, "consumer");
        Predicate<String> matches = TypePattern.compile(typePattern, "typePattern");
        require(handler, "handler");
        guard.require(require(context, "context").principal(), READ);
        EventTransport.Consumer member = transport.consume(group, consumer, true, deliver(matches, handler));
        return member::close;
    }

    private static EventTransport.Handler deliver(Predicate<String> matches, Consumer<CloudEvent> handler) {
        return message -> {
            if (matches.test(message.type())) {
                handler.accept(CloudEventJson.read(message.json()));
            }
        };
    }

    @Override
    public List<CloudEvent> history(CallContext context, @Nullable String afterId, String typePattern, int limit) {
        Predicate<String> matches = TypePattern.compile(typePattern, "typePattern");
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1 to 10000 but was " + limit);
        }
        guard.require(require(context, "context").principal(), READ);
        if (afterId == null) {
            return outbox.after(null, limit).stream().filter(r -> matches.test(r.type())).map(r -> CloudEventJson.read(
                    r.json())).toList();
        }
        // pages on until it has limit events of the type or read the last event: an empty answer means the end
        List<CloudEvent> found = new ArrayList<>();
        String after = afterId;
        while (true) {
            List<Outbox.Row> page = outbox.after(after, limit);
            for (Outbox.Row r : page) {
                if (matches.test(r.type())) {
                    found.add(CloudEventJson.read(r.json()));
                    if (found.size() == limit) {
                        return found;
                    }
                }
            }
            if (page.size() < limit) {
                return found;
            }
            after = page.getLast().id();
        }
    }

    private static <T> T require(@Nullable T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    private static void name(@Nullable String value, String field) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must match " + NAME + " but was " + (value == null
                    ? "null"
                    : "'" + value + "'"));
        }
    }
}
