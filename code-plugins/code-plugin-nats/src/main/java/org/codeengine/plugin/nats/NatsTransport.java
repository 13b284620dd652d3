package org.codeengine.plugin.nats;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.plugin.support.GroupMember;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events on one JetStream stream. Publishing sends every message asynchronously with its event id as the JetStream
 * message id (a republished event inside the stream's duplicate window is stored once) and waits for every
 * acknowledgement. A group is a durable pull consumer with explicit acks: each member pulls, acknowledges a message
 * once its handler returned, and a message left unacknowledged for {@code ackWait} (its member died or failed) is
 * delivered again, to whichever member pulls next.
 */
final class NatsTransport implements EventTransport {
    private static final Logger LOG = LoggerFactory.getLogger(NatsTransport.class);
    static final String ID = "ce-id";
    static final String TYPE = "ce-type";

    private final NatsSettings settings;
    private final Connection connection;
    private final JetStream jetStream;
    private final JetStreamManagement management;
    private final List<Member> members = new CopyOnWriteArrayList<>();

    NatsTransport(NatsSettings settings) {
        this.settings = settings;
        // the user and password go apart from the address, so that no message of the client shows them
        Options.Builder options = Options.builder().server(settings.redactedUrl()).connectionTimeout(Duration
                .ofSeconds(5)).maxReconnects(-1).noRandomize();
        String userInfo = settings.url().getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = java.net.URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon),
                    StandardCharsets.UTF_8);
            if (colon < 0) {
                options.token(user.toCharArray());
            } else {
                options.userInfo(user.toCharArray(), java.net.URLDecoder.decode(userInfo.substring(colon + 1),
                        StandardCharsets.UTF_8).toCharArray());
            }
        }
        try {
            this.connection = Nats.connect(options.build());
        } catch (IOException | RuntimeException e) {
            throw unavailable("connecting", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("connecting", e);
        }
        try {
            this.jetStream = connection.jetStream();
            this.management = connection.jetStreamManagement();
            ensureStream();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            closeQuietly();
            throw unavailable("opening the stream " + settings.stream(), e);
        }
    }

    private void ensureStream() throws IOException, JetStreamApiException {
        try {
            management.getStreamInfo(settings.stream());
        } catch (JetStreamApiException missing) {
            if (missing.getApiErrorCode() != 10059) { // stream not found
                throw missing;
            }
            management.addStream(StreamConfiguration.builder().name(settings.stream()).subjects(settings.subject())
                    .maxMessages(settings.maxMessages()).storageType(StorageType.File).duplicateWindow(Duration
                            .ofMinutes(2))
                    .build());
        }
    }

    private UnavailableException unavailable(String what, Exception e) {
        return new UnavailableException(what + " on the nats bus at " + settings.redactedUrl() + " failed: " + e
                .getMessage(), null, e);
    }

    @Override
    public void publish(List<Message> messages) {
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Headers headers = new Headers().add(ID, m.id()).add(TYPE, m.type());
            acks.add(jetStream.publishAsync(settings.subject(), headers, m.json().getBytes(StandardCharsets.UTF_8),
                    PublishOptions.builder().messageId(m.id()).build()));
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable("publishing " + messages.size() + " events", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("publishing " + messages.size() + " events", e);
        }
    }

    /** NATS consumer names may not hold '.', '*' or '>'. */
    static String durable(String group) {
        return group.replace('.', '_');
    }

    @Override
    public Consumer consume(String group, String consumer, boolean fromStart, Handler handler) {
        String durable = durable(group);
        try {
            try {
                management.getConsumerInfo(settings.stream(), durable);
            } catch (JetStreamApiException missing) {
                management.addOrUpdateConsumer(settings.stream(), ConsumerConfiguration.builder().durable(durable)
                        .ackPolicy(AckPolicy.Explicit).ackWait(settings.ackWait()).deliverPolicy(fromStart
                                ? DeliverPolicy.All
                                : DeliverPolicy.New)
                        .filterSubject(settings.subject()).maxAckPending(10_000).build());
            }
            JetStreamSubscription subscription = jetStream.subscribe(settings.subject(), PullSubscribeOptions.bind(
                    settings.stream(), durable));
            Member member = new Member(group, consumer, subscription, handler);
            members.add(member);
            member.start();
            return member;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            throw unavailable("joining group " + group, e);
        }
    }

    @Override
    public void dropGroup(String group) {
        try {
            management.deleteConsumer(settings.stream(), durable(group));
        } catch (IOException | JetStreamApiException e) {
            LOG.debug("dropping consumer {} failed: {}", group, e.getMessage());
        }
    }

    /** {@return how many messages the group holds delivered and unacknowledged} */
    long pending(String group) {
        try {
            return management.getConsumerInfo(settings.stream(), durable(group)).getNumAckPending();
        } catch (IOException | JetStreamApiException e) {
            throw unavailable("reading group " + group, e);
        }
    }

    /** {@return how many messages the stream holds} */
    long length() {
        try {
            return management.getStreamInfo(settings.stream()).getStreamState().getMsgCount();
        } catch (IOException | JetStreamApiException e) {
            throw unavailable("reading the stream", e);
        }
    }

    @Override
    public void close() {
        members.forEach(Member::close);
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("closing the nats connection failed: {}", e.getMessage());
        }
    }

    private final class Member extends GroupMember<io.nats.client.Message> {
        private final JetStreamSubscription subscription;

        Member(String group, String name, JetStreamSubscription subscription, Handler handler) {
            super("code-nats-" + group + "-" + name, group, name, "the nats stream " + settings.stream(), handler,
                    settings.fetchWait(), LOG::warn);
            this.subscription = subscription;
        }

        @Override
        protected List<io.nats.client.Message> next() {
            return subscription.fetch(settings.batch(), settings.fetchWait());
        }

        @Override
        protected Message message(io.nats.client.Message m) {
            Headers h = m.getHeaders();
            String id = h == null ? null : h.getFirst(ID);
            String type = h == null ? null : h.getFirst(TYPE);
            return new Message(id == null ? "" : id, type == null ? "" : type, new String(m.getData(),
                    StandardCharsets.UTF_8));
        }

        @Override
        protected void ack(io.nats.client.Message m) {
            m.ack();
        }

        @Override
        protected String failed(io.nats.client.Message m) {
            m.nak();
            return "it is delivered again";
        }

        @Override
        protected void release() {
            members.remove(this);
            try {
                subscription.unsubscribe();
            } catch (RuntimeException e) {
                LOG.debug("unsubscribing {}/{} failed: {}", group(), name(), e.getMessage());
            }
        }
    }
}
