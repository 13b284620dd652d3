package org.codeengine.core.internal.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.core.internal.events.AuditCloudEvents;
import org.codeengine.core.internal.security.Merkle;
import org.jspecify.annotations.Nullable;

/**
 * The append-only audit log: a hash chain (each entry's hash covers its fields and the hash before it), a Merkle tree
 * over the entry hashes (RFC 6962) for inclusion and consistency proofs, and checkpoints (tree size and root) signed
 * with Ed25519. Appends lock the one head row, so processes appending at once take turns and the chain never forks;
 * appends that arrive while a commit is in flight share the next one. A repository whose own transaction must hold
 * the entries of what it records (an agent run's journal) appends them in it ({@link #appendIn}).
 */
public final class AuditLog implements AutoCloseable {
    /** The hash before the first entry. */
    public static final String GENESIS = "0".repeat(64);
    private static final int MAX_BATCH = 512;
    private static final HexFormat HEX = HexFormat.of();

    /**
     * The outcome of a verification.
     *
     * @param entries how many entries were checked
     * @param firstBroken the sequence of the first entry that does not match (for a checkpoint that does not match,
     *        its tree size), or null when the log is intact
     * @param reason why it does not match, or empty
     */
    public record Verification(long entries, @Nullable Long firstBroken, String reason) {
        public boolean intact() {
            return firstBroken == null;
        }
    }

    /**
     * A signed statement of the log's size and Merkle root.
     *
     * @param treeSize how many entries the tree covers
     * @param root the Merkle root, hex
     * @param signature Ed25519 over {@link #message()}, base64
     * @param keyId which key signed it
     * @param at when
     */
    public record Checkpoint(long treeSize, String root, String signature, String keyId, Instant at) {
        public byte[] message() {
            return ("CODE audit checkpoint v1\n" + treeSize + "\n" + root + "\n").getBytes(StandardCharsets.UTF_8);
        }

        /** {@return whether {@code key} signed this checkpoint} */
        public boolean signedBy(PublicKey key) {
            try {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(message());
                return verifier.verify(Base64.getDecoder().decode(signature));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return false;
            }
        }
    }

    /** The key checkpoints are signed with. */
    public record Signer(String keyId, PrivateKey privateKey, PublicKey publicKey) {
        @Override
        public String toString() {
            return "Signer[" + keyId + "]";
        }
    }

    /**
     * An entry not appended yet. Texts must hold no secrets.
     *
     * @param principal who acted
     * @param action what they did
     * @param target what they did it to
     * @param outcome how it ended
     * @param detail what else the entry says
     */
    public record Draft(String principal, String action, String target, Outcome outcome, String detail) {}

    private record Pending(Draft draft, CompletableFuture<AuditEntry> done) {}

    /** Entries between checkpoints the log signs by itself. */
    public static final int CHECKPOINT_EVERY = 1000;

    private final Sql sql;
    private final Clock clock;
    private volatile @Nullable Signer signer;
    /** The source of the events entries report, {@code /code/<engine>}. */
    private volatile String eventSource = "/code";
    /** The meters commits are timed and entries counted on, made once; none until {@link #meters} is called. */
    private volatile @Nullable Meters meters;
    private long lastCheckpoint = -1;
    /** The right edge of the tree over the entries checkpoints have covered so far, and the last one's leaf hash. */
    private Merkle.Frontier frontier = new Merkle.Frontier();
    private byte @Nullable [] frontierLast;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    /** Whether this log appended an entry since it opened: only then does closing sign a checkpoint. */
    private volatile boolean appended;
    /** The last sequence appended in another's transaction ({@link #appendIn}), for the writer's checkpoints. */
    private volatile long appendedIn;

    AuditLog(Sql sql, Clock clock) {
        this.sql = sql;
        this.clock = clock;
        this.writer = Thread.ofVirtual().name("code-audit-writer").start(this::write);
    }

    /** Times each commit ({@code code.audit.commits}) and counts each entry by outcome ({@code code.audit.entries}). */
    void meters(MeterRegistry registry) {
        this.meters = new Meters(registry);
    }

    /**
     * The log's meters, registered once: an append counts its entries without a registry lookup each.
     *
     * @param committed times the writer's commits that committed
     * @param failed times the writer's commits that failed
     * @param entries counts entries by outcome, indexed by {@link Outcome#ordinal()}
     */
    private record Meters(Timer committed, Timer failed, Counter[] entries) {
        Meters(MeterRegistry registry) {
            this(commits(registry, "committed"), commits(registry, "failed"), entries(registry));
        }

        private static Timer commits(MeterRegistry registry, String outcome) {
            return Timer.builder("code.audit.commits").tag("outcome", outcome).register(registry);
        }

        private static Counter[] entries(MeterRegistry registry) {
            Outcome[] outcomes = Outcome.values();
            Counter[] counters = new Counter[outcomes.length];
            for (Outcome outcome : outcomes) {
                counters[outcome.ordinal()] = Counter.builder("code.audit.entries").tag("outcome", outcome.name()
                        .toLowerCase(Locale.ROOT)).register(registry);
            }
            return counters;
        }

        void count(Outcome outcome) {
            entries[outcome.ordinal()].increment();
        }
    }

    /** Appends an entry at the end of the chain and returns it once committed. Texts must hold no secrets. */
    public AuditEntry append(String principalId, String action, String target, Outcome outcome, String detail) {
        try {
            return appendAsync(principalId, action, target, outcome, detail).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Queues an entry; the future completes once it is committed, with its sequence number and hash. */
    public CompletableFuture<AuditEntry> appendAsync(String principalId, String action, String target,
            Outcome outcome, String detail) {
        Pending pending = new Pending(new Draft(principalId, action, target, outcome, detail),
                new CompletableFuture<>());
        if (closed) {
            pending.done().completeExceptionally(new UnavailableException("the audit log is closed", null, null));
        } else {
            queue.add(pending);
        }
        return pending.done();
    }

    private void counted(List<Pending> batch, long began, boolean committed) {
        Meters m = meters;
        if (m == null) {
            return;
        }
        (committed ? m.committed() : m.failed()).record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
        if (committed) {
            batch.forEach(p -> m.count(p.draft().outcome()));
        }
    }

    /**
     * Tells the log that entries {@link #appendIn appended in another's transaction} were committed: they count, and
     * the writer's checkpoints and the one at close cover them.
     */
    void committedIn(List<AuditEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        appended = true;
        appendedIn = Math.max(appendedIn, entries.getLast().sequence());
        Meters m = meters;
        if (m != null) {
            entries.forEach(e -> m.count(e.outcome()));
        }
    }

    private void write() {
        List<Pending> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    long in = appendedIn;
                    if (in > 0) {
                        checkpointIfDue(in);
                    }
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            long began = System.nanoTime();
            try {
                List<AuditEntry> entries = commit(batch);
                counted(batch, began, true);
                appended = true;
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(entries.get(i));
                }
                checkpointIfDue(entries.getLast().sequence());
            } catch (RuntimeException e) {
                counted(batch, began, false);
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
            batch.clear();
        }
        Signer current = signer;
        if (current != null && appended) { // a process that only read (verified) leaves the log as it found it
            try {
                checkpoint(current);
            } catch (RuntimeException e) {
                // closing: the next start signs one
            }
        }
        queue.forEach(p -> p.done().completeExceptionally(new UnavailableException("the audit log is closed", null,
                null)));
    }

    private List<AuditEntry> commit(List<Pending> batch) {
        List<Draft> drafts = batch.stream().map(Pending::draft).toList();
        return sql.tx("appending " + batch.size() + " entries to the audit log", c -> appendIn(c, drafts));
    }

    /**
     * Appends entries at the end of the chain inside the caller's transaction: they are committed with it, or not at
     * all. It locks the head row until that transaction ends, so a caller that locks other rows locks them first (the
     * head is always the last lock taken, and no two writers wait on each other). Once it committed, the caller tells
     * the log with {@link #committedIn}.
     *
     * @return the entries, with their sequence numbers and hashes
     */
    List<AuditEntry> appendIn(Connection c, List<Draft> batch) throws SQLException {
        long seq;
        String prev;
        try (PreparedStatement s = c.prepareStatement(
                "select seq, hash from code_audit_head where id = 1 for update");
                ResultSet rows = s.executeQuery()) {
            if (!rows.next()) {
                throw new SQLException("the audit head row is missing; the store's schema was changed by hand");
            }
            seq = rows.getLong(1);
            prev = rows.getString(2);
        }
        Instant at = Sql.truncate(clock.instant());
        List<AuditEntry> entries = new ArrayList<>(batch.size());
        try (PreparedStatement s = c.prepareStatement("insert into code_audit (seq, at, principal, action,"
                + " target, outcome, detail, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Draft p : batch) {
                seq++;
                String hash = hash(seq, at, p.principal(), p.action(), p.target(), p.outcome().name(), p
                        .detail(), prev);
                AuditEntry entry = new AuditEntry(seq, at, p.principal(), p.action(), p.target(), p.outcome(), p
                        .detail(), prev, hash);
                s.setLong(1, seq);
                Sql.setInstant(s, 2, at);
                s.setString(3, p.principal());
                s.setString(4, p.action());
                s.setString(5, p.target());
                s.setString(6, p.outcome().name());
                s.setString(7, p.detail());
                s.setString(8, prev);
                s.setString(9, hash);
                s.addBatch();
                entries.add(entry);
                prev = hash;
            }
            s.executeBatch();
        }
        List<CloudEvent> events = new ArrayList<>();
        String source = eventSource;
        for (AuditEntry entry : entries) {
            AuditCloudEvents.of(entry, source).ifPresent(events::add);
        }
        Outbox.insert(c, events);
        try (PreparedStatement s = c
                .prepareStatement("update code_audit_head set seq = ?, hash = ? where id = 1")) {
            s.setLong(1, seq);
            s.setString(2, prev);
            s.executeUpdate();
        }
        return entries;
    }

    /** {@return up to {@code limit} entries from sequence {@code from} on} */
    public List<AuditEntry> read(long from, int limit) {
        return sql.tx("reading the audit log", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select * from code_audit where seq >= ? order by seq fetch first ? rows only")) {
                s.setLong(1, from);
                s.setInt(2, limit);
                List<AuditEntry> entries = new ArrayList<>();
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        entries.add(new AuditEntry(rows.getLong("seq"), Sql.getRequiredInstant(rows, "at"), rows
                                .getString("principal"), rows.getString("action"), rows.getString("target"),
                                Outcome
                                        .valueOf(rows.getString("outcome")),
                                rows.getString("detail"), rows.getString(
                                        "prev_hash"),
                                rows.getString("hash")));
                    }
                }
                return entries;
            }
        });
    }

    /** {@return the number of entries} */
    public long size() {
        return sql.tx("counting the audit log", c -> {
            try (PreparedStatement s = c.prepareStatement("select seq from code_audit_head where id = 1");
                    ResultSet rows = s.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0L;
            }
        });
    }

    /** {@return the Merkle leaf hashes of the first {@code size} entries, as stored} */
    List<byte[]> leaves(long size) {
        return leaves(0, size);
    }

    /** {@return the leaf hashes of the entries after {@code after} up to {@code size}, in order} */
    private List<byte[]> leaves(long after, long size) {
        return sql.tx("reading audit hashes", c -> {
            List<byte[]> leaves = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "select hash from code_audit where seq > ? and seq <= ? order by seq")) {
                s.setLong(1, after);
                s.setLong(2, size);
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        leaves.add(leaf(rows.getString(1)));
                    }
                }
            }
            return leaves;
        });
    }

    private static byte[] leaf(String hashHex) {
        return Merkle.leafHash(hashHex.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@return the Merkle root of the first {@code size} entries, hex} */
    public String root(long size) {
        List<byte[]> leaves = leaves(size);
        if (leaves.size() < size) {
            throw new IllegalArgumentException("the log has " + leaves.size() + " entries, fewer than " + size);
        }
        return HEX.formatHex(Merkle.root(leaves, (int) size));
    }

    /**
     * {@return the root of the first {@code size} entries, for a checkpoint: the tree's right edge kept in memory grows
     *         by the entries it lacks, so a checkpoint reads the entries since the last one, not the whole log. A log
     *         asked for an older size is read whole; one whose last covered entry changed (rewritten) is read anew}
     */
    private synchronized String checkpointRoot(long size) {
        long from = frontier.size();
        if (from > size) {
            return root(size);
        }
        List<byte[]> read = leaves(Math.max(0, from - 1), size);
        if (from > 0) {
            if (read.isEmpty() || !Arrays.equals(read.getFirst(), frontierLast)) {
                frontier = new Merkle.Frontier();
                frontierLast = null;
                return checkpointRoot(size);
            }
            read = read.subList(1, read.size());
        }
        if (read.size() < size - from) {
            throw new IllegalArgumentException("the log has " + (from + read.size()) + " entries, fewer than "
                    + size);
        }
        read.forEach(frontier::add);
        if (!read.isEmpty()) {
            frontierLast = read.getLast();
        }
        return HEX.formatHex(frontier.root());
    }

    /** {@return the audit path of entry {@code sequence} (from 1) in the tree of the first {@code treeSize} entries} */
    public List<String> inclusionProof(long sequence, long treeSize) {
        return Merkle.inclusionProof(leaves(treeSize), (int) sequence - 1, (int) treeSize).stream().map(HEX::formatHex)
                .toList();
    }

    /** {@return the proof that the tree of {@code first} entries is a prefix of the tree of {@code second}} */
    public List<String> consistencyProof(long first, long second) {
        return Merkle.consistencyProof(leaves(second), (int) first, (int) second).stream().map(HEX::formatHex)
                .toList();
    }

    /** {@return whether entry {@code entry} is the one at its sequence in a tree with {@code root}, by its proof only} */
    public static boolean verifyInclusion(AuditEntry entry, long treeSize, List<String> proof, String root) {
        return Merkle.verifyInclusion(entry.sequence() - 1, treeSize, leaf(entry.hash()), proof.stream().map(
                HEX::parseHex).toList(), HEX.parseHex(root));
    }

    /** {@return whether a log with {@code firstRoot} at {@code first} entries grew into {@code secondRoot}, by proof} */
    public static boolean verifyConsistency(long first, long second, String firstRoot, String secondRoot,
            List<String> proof) {
        return Merkle.verifyConsistency(first, second, HEX.parseHex(firstRoot), HEX.parseHex(secondRoot), proof
                .stream().map(HEX::parseHex).toList());
    }

    /** @param source the source of the events entries report from now on, {@code /code/<engine>} */
    public void eventSource(String source) {
        this.eventSource = source;
    }

    /**
     * From now on, the log signs a checkpoint every {@link #CHECKPOINT_EVERY} entries and when it closes after
     * appending.
     */
    public void signWith(Signer signer) {
        this.signer = signer;
    }

    private void checkpointIfDue(long size) {
        Signer current = signer;
        if (current == null) {
            return;
        }
        if (lastCheckpoint < 0) {
            List<Checkpoint> stored = checkpoints();
            lastCheckpoint = stored.isEmpty() ? 0 : stored.getLast().treeSize();
        }
        if (size - lastCheckpoint >= CHECKPOINT_EVERY) {
            Checkpoint made = checkpoint(current);
            lastCheckpoint = made == null ? lastCheckpoint : made.treeSize();
        }
    }

    /** Signs the log as it is now and stores the checkpoint; a log without entries gets none. */
    public @Nullable Checkpoint checkpoint(Signer signer) {
        long size = size();
        if (size == 0) {
            return null;
        }
        String root = checkpointRoot(size);
        Instant at = Sql.truncate(clock.instant());
        byte[] message = new Checkpoint(size, root, "", signer.keyId(), at).message();
        String signature;
        try {
            Signature ed = Signature.getInstance("Ed25519");
            ed.initSign(signer.privateKey());
            ed.update(message);
            signature = Base64.getEncoder().encodeToString(ed.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing an audit checkpoint failed: " + e.getMessage(), e);
        }
        Checkpoint checkpoint = new Checkpoint(size, root, signature, signer.keyId(), at);
        sql.tx("storing an audit checkpoint", c -> {
            try (PreparedStatement s = c.prepareStatement("insert into code_audit_checkpoint (tree_size, root,"
                    + " signature, key_id, at) select ?, ?, ?, ?, ? where not exists"
                    + " (select 1 from code_audit_checkpoint where tree_size = ?)")) {
                s.setLong(1, size);
                s.setString(2, root);
                s.setString(3, signature);
                s.setString(4, signer.keyId());
                Sql.setInstant(s, 5, at);
                s.setLong(6, size);
                int stored = s.executeUpdate();
                if (stored == 1) {
                    Outbox.insert(c, List.of(AuditCloudEvents.checkpoint(size, root, signer.keyId(), at,
                            eventSource)));
                }
                return stored;
            }
        });
        return checkpoint;
    }

    /** {@return the stored checkpoints, smallest first} */
    public List<Checkpoint> checkpoints() {
        return sql.tx("reading audit checkpoints", c -> {
            List<Checkpoint> checkpoints = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("select * from code_audit_checkpoint order by tree_size");
                    ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    checkpoints.add(new Checkpoint(rows.getLong("tree_size"), rows.getString("root"), rows.getString(
                            "signature"), rows.getString("key_id"), Sql.getRequiredInstant(rows, "at")));
                }
            }
            return checkpoints;
        });
    }

    /** Recomputes the chain; without a pinned key, checkpoints are not consulted. */
    public Verification verify() {
        return verify(null, List.of());
    }

    /**
     * Recomputes the whole chain and the Merkle roots, and reports the first entry that was changed, removed,
     * reordered or forged, or the first checkpoint the log no longer matches: a truncated tail, or a log rewritten
     * by someone who does not hold the private key of {@code pinned}.
     *
     * @param pinned the public key checkpoints must be signed with, or null to skip checkpoints
     * @param known checkpoints the verifier kept from earlier (a witness), checked besides the stored ones
     */
    public Verification verify(@Nullable PublicKey pinned, List<Checkpoint> known) {
        List<String[]> rows = sql.tx("reading the audit log", c -> raw(c));
        List<byte[]> leaves = new ArrayList<>(rows.size());
        String prev = GENESIS;
        long expected = 1;
        for (String[] row : rows) {
            long seq;
            try {
                seq = Long.parseLong(row[0]);
            } catch (NumberFormatException e) {
                return new Verification(expected, expected, "entry " + expected + " has no valid sequence number");
            }
            if (seq != expected) {
                return new Verification(expected, expected, seq > expected
                        ? "entry " + expected + " is missing"
                        : "entry " + seq + " appears out of order");
            }
            if (!prev.equals(row[7])) {
                return new Verification(expected, seq, "its previous hash does not match entry " + (seq - 1));
            }
            String recomputed = hash(seq, row[1], row[2], row[3], row[4], row[5], row[6], row[7]);
            if (!recomputed.equals(row[8])) {
                return new Verification(expected, seq, "its content does not match its hash");
            }
            leaves.add(leaf(recomputed));
            prev = recomputed;
            expected++;
        }
        long size = leaves.size();
        if (pinned != null) {
            List<Checkpoint> all = new ArrayList<>(known);
            all.addAll(checkpoints());
            all.sort(Comparator.comparingLong(Checkpoint::treeSize));
            for (Checkpoint checkpoint : all) {
                if (!checkpoint.signedBy(pinned)) {
                    return new Verification(size, checkpoint.treeSize(), "the checkpoint at size "
                            + checkpoint.treeSize() + " is not signed by the pinned key: the log was rewritten");
                }
                if (checkpoint.treeSize() > size) {
                    return new Verification(size, size + 1, "the log was truncated: a checkpoint covers "
                            + checkpoint.treeSize() + " entries but the log has " + size);
                }
                String root = HEX.formatHex(Merkle.root(leaves, (int) checkpoint.treeSize()));
                if (!root.equals(checkpoint.root())) {
                    return new Verification(size, checkpoint.treeSize(), "the first " + checkpoint.treeSize()
                            + " entries no longer have the root of their checkpoint: the log was rewritten");
                }
            }
        }
        return new Verification(size, null, "");
    }

    /** Rows as text, so that a tampered value cannot stop the verification. */
    private static List<String[]> raw(Connection c) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("select seq, at, principal, action, target, outcome, detail,"
                + " prev_hash, hash from code_audit order by seq"); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                Instant at;
                try {
                    at = Sql.getRequiredInstant(r, "at");
                } catch (RuntimeException e) {
                    at = Instant.EPOCH;
                }
                rows.add(new String[]{Long.toString(r.getLong(1)), at.toString(), r.getString(3), r.getString(4), r
                        .getString(5), r.getString(6), r.getString(7), r.getString(8), r.getString(9)});
            }
        }
        return rows;
    }

    /** SHA-256 over the fields, each prefixed by its length so that no two entries encode alike. */
    static String hash(long seq, Instant at, String principal, String action, String target, String outcome,
            String detail, String previousHash) {
        return hash(seq, at.toString(), principal, action, target, outcome, detail, previousHash);
    }

    private static String hash(long seq, String at, @Nullable String principal, @Nullable String action,
            @Nullable String target, @Nullable String outcome, @Nullable String detail,
            @Nullable String previousHash) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (String field : new String[]{Long.toString(seq), at, principal, action, target, outcome, detail,
                previousHash}) {
            byte[] bytes = (field == null ? "\u0000null" : field).getBytes(StandardCharsets.UTF_8);
            digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            digest.update(bytes);
        }
        return HEX.formatHex(digest.digest());
    }

    /** Commits what is queued, then stops the writer. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
