package org.codeengine.plugin.redis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.plugin.support.GroupMember;
import org.jspecify.annotations.Nullable;
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
        started.start();
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

    /** {@return the stream's length, for tests and benchmarks} */
    long length() {
        return client.xlen(settings.stream());
    }

    /** {@return how many messages the group's members hold unacknowledged} */
    long pending(String group) {
        return client.xpending(settings.stream(), group).getTotal();
    }

    @Override
    public void close() {
        consumers.forEach(GroupConsumer::close);
        client.close();
    }

    private final class GroupConsumer extends GroupMember<StreamEntry> {
        /** Where to read this member's own pending messages from, or null once they are done. */
        private @Nullable StreamEntryID own = new StreamEntryID(0, 0);
        /** Where the claim under way goes on, or null between claims. */
        private @Nullable StreamEntryID claimCursor;
        private long lastClaim;

        GroupConsumer(String group, String name, Handler handler) {
            super("code-redis-" + group + "-" + name, group, name, "the redis stream " + settings.stream(), handler,
                    settings.block(), LOG::warn);
        }

        /** First what this member itself took before it restarted, then what others left, then new messages. */
        @Override
        protected List<StreamEntry> next() {
            StreamEntryID from = own;
            if (from != null) {
                List<StreamEntry> mine = read(from, false);
                own = mine.isEmpty() ? null : mine.getLast().getID();
                return mine;
            }
            if (claimCursor == null && System.nanoTime() - lastClaim > settings.claimAfter().toNanos() / 2) {
                lastClaim = System.nanoTime();
                claimCursor = new StreamEntryID(0, 0);
            }
            StreamEntryID cursor = claimCursor;
            if (cursor != null) {
                return claim(cursor);
            }
            return read(StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY, true);
        }

        private List<StreamEntry> read(StreamEntryID from, boolean block) {
            XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(settings.batch());
            if (block) {
                params.block((int) settings.block().toMillis());
            }
            var read = client.xreadGroup(group(), name(), params, Map.of(settings.stream(), from));
            return read == null || read.isEmpty() ? List.of() : read.getFirst().getValue();
        }

        /**
         * Takes one page of what other members have held for longer than {@code claimAfter}: they are gone or stuck.
         */
        private List<StreamEntry> claim(StreamEntryID cursor) {
            var claimed = client.xautoclaim(settings.stream(), group(), name(), settings.claimAfter().toMillis(),
                    cursor, XAutoClaimParams.xAutoClaimParams().count(settings.batch()));
            claimCursor = claimed.getKey().equals(new StreamEntryID(0, 0)) ? null : claimed.getKey();
            return claimed.getValue();
        }

        @Override
        protected @Nullable Message message(StreamEntry entry) {
            if (entry == null || entry.getFields() == null) {
                return null; // trimmed away while pending
            }
            Map<String, String> f = entry.getFields();
            return new Message(f.getOrDefault(ID, entry.getID().toString()), f.getOrDefault(TYPE, ""), f
                    .getOrDefault(BODY, ""));
        }

        @Override
        protected void ack(StreamEntry entry) {
            client.xack(settings.stream(), group(), entry.getID());
        }

        @Override
        protected String failed(StreamEntry entry) {
            return "it stays pending";
        }

        @Override
        protected void release() {
            consumers.remove(this);
        }
    }
}
