package org.codeengine.plugin.redis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.EventTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Events on one Redis stream. Publishing pipelines one {@code XADD ... MAXLEN ~ cap} per message and waits for all
 * replies. A consumer reads its group with {@code XREADGROUP}, acknowledges each message with {@code XACK} once its
 * handler returned, and, between reads, takes over with {@code XAUTOCLAIM} what another member of the group has held
 * unacknowledged for longer than {@code claimAfter}: the messages of a consumer that died.
 */
final class RedisTransport implements EventTransport {
    private static final Logger LOG = LoggerFactory.getLogger(RedisTransport.class);
    static final String ID = "id";
    static final String TYPE = "type";
    static final String BODY = "event";

    private final RedisSettings settings;
    private final RedisClient client;
    private final List<GroupConsumer> consumers = new CopyOnWriteArrayList<>();

    RedisTransport(RedisSettings settings) {
        this.settings = settings;
        this.client = RedisClient.create(settings.url());
        try {
            client.ping();
        } catch (JedisException e) {
            client.close();
            throw new UnavailableException("the redis bus at " + settings.redactedUrl() + " cannot be reached: " + e
                    .getMessage(), null, e);
        }
    }

    @Override
    public void publish(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        XAddParams params = XAddParams.xAddParams().maxLen(settings.maxLength()).approximateTrimming();
        try (Pipeline pipeline = client.pipelined()) {
            for (Message m : messages) {
                pipeline.xadd(settings.stream(), params, Map.of(ID, m.id(), TYPE, m.type(), BODY, m.json()));
            }
            pipeline.sync();
        } catch (JedisException e) {
            throw new UnavailableException("publishing " + messages.size() + " events to the redis stream "
                    + settings.stream() + " at " + settings.redactedUrl() + " failed: " + e.getMessage(), null, e);
        }
    }

    @Override
    public Consumer consume(String group, String consumer, boolean fromStart, Handler handler) {
        try {
            client.xgroupCreate(settings.stream(), group, fromStart
                    ? new StreamEntryID(0, 0)
                    : StreamEntryID.XGROUP_LAST_ENTRY, true);
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
                throw new UnavailableException("creating the consumer group " + group + " on the redis stream "
                        + settings.stream() + " failed: " + e.getMessage(), null, e);
            }
        } catch (JedisException e) {
            throw new UnavailableException("the redis bus at " + settings.redactedUrl() + " cannot be reached: " + e
                    .getMessage(), null, e);
        }
        GroupConsumer started = new GroupConsumer(group, consumer, handler);
        consumers.add(started);
        started.thread.start();
        return started;
    }

    @Override
    public void dropGroup(String group) {
        try {
            client.xgroupDestroy(settings.stream(), group);
        } catch (JedisException e) {
            LOG.debug("dropping consumer group {} failed: {}", group, e.getMessage());
        }
    }

    /** @return the stream's length, for tests and benchmarks */
    long length() {
        return client.xlen(settings.stream());
    }

    /** @return how many messages the group's members hold unacknowledged */
    long pending(String group) {
        return client.xpending(settings.stream(), group).getTotal();
    }

    @Override
    public void close() {
        consumers.forEach(GroupConsumer::close);
        client.close();
    }

    private final class GroupConsumer implements Consumer {
        private final String group;
        private final String name;
        private final Handler handler;
        private final Thread thread;
        private volatile boolean closed;

        GroupConsumer(String group, String name, Handler handler) {
            this.group = group;
            this.name = name;
            this.handler = handler;
            this.thread = Thread.ofVirtual().name("code-redis-" + group + "-" + name).unstarted(this::run);
        }

        private void run() {
            // first what this member itself took before it restarted, then what others left, then new messages
            StreamEntryID own = new StreamEntryID(0, 0);
            long lastClaim = 0;
            while (!closed) {
                try {
                    if (own != null) {
                        List<StreamEntry> mine = read(own, false);
                        own = mine.isEmpty() ? null : mine.getLast().getID();
                        handleAll(mine);
                        continue;
                    }
                    if (System.nanoTime() - lastClaim > settings.claimAfter().toNanos() / 2) {
                        lastClaim = System.nanoTime();
                        claim();
                    }
                    handleAll(read(StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY, true));
                } catch (JedisException e) {
                    if (!closed) {
                        LOG.warn("reading the redis stream {} as {}/{} failed; trying again: {}", settings.stream(),
                                group, name, e.getMessage());
                        pause();
                    }
                }
            }
        }

        private List<StreamEntry> read(StreamEntryID from, boolean block) {
            XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(settings.batch());
            if (block) {
                params.block((int) settings.block().toMillis());
            }
            var read = client.xreadGroup(group, name, params, Map.of(settings.stream(), from));
            return read == null || read.isEmpty() ? List.of() : read.getFirst().getValue();
        }

        /** Takes what other members have held for longer than {@code claimAfter}: they are gone or stuck. */
        private void claim() {
            StreamEntryID cursor = new StreamEntryID(0, 0);
            do {
                var claimed = client.xautoclaim(settings.stream(), group, name, settings.claimAfter().toMillis(),
                        cursor, XAutoClaimParams.xAutoClaimParams().count(settings.batch()));
                handleAll(claimed.getValue());
                cursor = claimed.getKey();
            } while (!closed && !cursor.equals(new StreamEntryID(0, 0)));
        }

        private void handleAll(List<StreamEntry> entries) {
            for (StreamEntry entry : entries) {
                if (closed) {
                    return; // unacknowledged: it stays pending for the group
                }
                if (entry == null || entry.getFields() == null) {
                    continue; // trimmed away while pending
                }
                Map<String, String> f = entry.getFields();
                try {
                    handler.handle(new Message(f.getOrDefault(ID, entry.getID().toString()), f.getOrDefault(TYPE,
                            ""), f.getOrDefault(BODY, "")));
                } catch (RuntimeException e) {
                    if (!closed) {
                        LOG.warn("a handler of group {} failed on event {}; it stays pending: {}", group, f.get(ID), e
                                .toString());
                    }
                    continue;
                }
                if (closed) {
                    return; // closed while it was handled: it stays pending, another member takes it
                }
                client.xack(settings.stream(), group, entry.getID());
            }
        }

        private void pause() {
            try {
                Thread.sleep(settings.block().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }

        @Override
        public void close() {
            closed = true;
            consumers.remove(this);
            try {
                thread.join(settings.block().multipliedBy(4));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
