package org.codeengine.core.internal.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.spi.EventTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process bus, used when no bus plugin is configured: each group gets every message published while it exists,
 * handed to one of its members in turn; each member delivers on a virtual thread of its own, in order. Nothing
 * survives the process: the outbox is what makes events durable.
 */
public final class LocalTransport implements EventTransport {
    private static final Logger LOG = LoggerFactory.getLogger(LocalTransport.class);

    private final Map<String, Group> groups = new ConcurrentHashMap<>();

    private static final class Group {
        final List<Member> members = new CopyOnWriteArrayList<>();
        final AtomicInteger next = new AtomicInteger();
    }

    private final class Member implements EventTransport.Consumer {
        final String group;
        final BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
        final Thread thread;
        volatile boolean closed;

        Member(String group, String name, Handler handler) {
            this.group = group;
            this.thread = Thread.ofVirtual().name("code-events-" + group + "-" + name).unstarted(() -> {
                while (!closed) {
                    Message m;
                    try {
                        m = queue.take();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int tries = 1; !closed; tries++) { // at least once within the process
                        try {
                            handler.handle(m);
                            break;
                        } catch (RuntimeException e) {
                            if (tries == 3) {
                                LOG.warn("a handler in group {} failed 3 times on event {}; dropping it: {}", group,
                                        m.id(), e.toString());
                                break;
                            }
                        }
                    }
                }
            });
        }

        @Override
        public void close() {
            closed = true;
            Group g = groups.get(group);
            if (g != null) {
                g.members.remove(this);
            }
            thread.interrupt();
        }
    }

    @Override
    public void publish(List<Message> messages) {
        for (Group g : groups.values()) {
            List<Member> members = new ArrayList<>(g.members);
            if (members.isEmpty()) {
                continue;
            }
            for (Message m : messages) {
                members.get(Math.floorMod(g.next.getAndIncrement(), members.size())).queue.add(m);
            }
        }
    }

    @Override
    public Consumer consume(String group, String consumer, boolean fromStart, Handler handler) {
        Member member = new Member(group, consumer, handler);
        groups.computeIfAbsent(group, g -> new Group()).members.add(member);
        member.thread.start();
        return member;
    }

    @Override
    public void dropGroup(String group) {
        Group g = groups.remove(group);
        if (g != null) {
            g.members.forEach(Member::close);
        }
    }

    @Override
    public void close() {
        groups.keySet().forEach(this::dropGroup);
    }
}
