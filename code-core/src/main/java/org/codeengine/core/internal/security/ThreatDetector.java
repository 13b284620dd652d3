package org.codeengine.core.internal.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.security.ThreatRule;
import org.codeengine.core.internal.events.AuditCloudEvents;
import org.codeengine.core.internal.store.AuditLog;
import org.codeengine.core.internal.store.SecurityRepository;
import org.codeengine.core.internal.store.SecurityRepository.Failures;
import org.jspecify.annotations.Nullable;

/**
 * Threat detection over the security layer's signals: each rule counts its signals per subject (an account, a source,
 * a principal) in a sliding window; a hit is written to the audit log (whose entry puts
 * {@code security.threat_detected} in the outbox in the same transaction) and takes the rule's responses. Locks and
 * blocks are kept in the store, so every engine on it enforces them. The windows live in memory, capped in the number
 * of subjects (the least recently signalled go first) and each in the number of signals it keeps.
 */
final class ThreatDetector {
    /** The most subjects the windows remember at once, over all rules. */
    static final int MAX_SUBJECTS = 10_000;

    /**
     * A signal the security layer saw.
     *
     * @param rule the id of the rule that counts it
     * @param subject what the rule counts by
     * @param account the account it concerns, or null (for a lock or sessions to revoke)
     * @param source where it came from, or null when unknown (for a block)
     * @param evidence what a reader needs to judge it, never a secret
     */
    record Signal(String rule, String subject, @Nullable String account, @Nullable String source,
            Map<String, String> evidence) {}

    /**
     * A hit, as told to the security layer's listeners.
     *
     * @param rule the rule
     * @param principal who the audit entry names
     * @param evidence the evidence written to the audit log
     */
    record Hit(ThreatRule rule, String principal, Map<String, String> evidence) {}

    private final Map<String, ThreatRule> rules;
    private final Windows windows;
    private final SecurityRepository store;
    private final AuditLog audit;
    private final Clock clock;
    private final UnaryOperator<String> redact;
    private final Consumer<Hit> onHit;

    /**
     * @param rules the rules, at most one per id; ids without one keep their default
     * @param redact masks anything that looks like a secret in evidence
     */
    ThreatDetector(List<ThreatRule> rules, SecurityRepository store, AuditLog audit, Clock clock,
            UnaryOperator<String> redact, Consumer<Hit> onHit) {
        this.rules = merged(rules);
        this.windows = new Windows(MAX_SUBJECTS);
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.redact = redact;
        this.onHit = onHit;
    }

    /**
     * {@return the defaults with the given rules in their place}
     *
     * @throws InvalidRequestException if two of the given rules have one id
     */
    static Map<String, ThreatRule> merged(List<ThreatRule> given) {
        Map<String, ThreatRule> byId = new LinkedHashMap<>();
        ThreatRule.defaults().forEach(r -> byId.put(r.id(), r));
        List<String> seen = new ArrayList<>();
        for (ThreatRule rule : given) {
            if (seen.contains(rule.id())) {
                throw new InvalidRequestException("threat rule " + rule.id() + " is given twice", null);
            }
            seen.add(rule.id());
            byId.put(rule.id(), rule);
        }
        return java.util.Collections.unmodifiableMap(byId);
    }

    List<ThreatRule> rules() {
        return List.copyOf(rules.values());
    }

    /** Counts a signal; on a hit, audits it, reports it and takes the rule's responses. */
    void signal(Signal signal) {
        ThreatRule rule = rules.get(signal.rule());
        if (rule == null) {
            throw new IllegalArgumentException("no threat rule has the id " + signal.rule());
        }
        Instant now = clock.instant();
        String key = rule.id() + "|" + signal.subject();
        int count = windows.add(key, now, rule.window(), rule.threshold());
        if (count < rule.threshold()) {
            return;
        }
        windows.remove(key); // the next hit needs a full threshold of new signals
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("rule", rule.id());
        evidence.put("severity", rule.severity().name());
        evidence.put("count", Integer.toString(count));
        evidence.put("window", rule.window().toString());
        signal.evidence().forEach((k, v) -> evidence.put(k, redact.apply(v)));
        evidence.put("responses", String.join("; ", respond(rule, signal, now)));
        String principal = signal.account() != null ? signal.account() : "security";
        audit.append(principal, AuditCloudEvents.THREAT_ACTION + rule.id(), signal.subject(), Outcome.DENIED,
                AuditCloudEvents.threatDetail(evidence));
        onHit.accept(new Hit(rule, principal, evidence));
    }

    private List<String> respond(ThreatRule rule, Signal signal, Instant now) {
        List<String> taken = new ArrayList<>();
        Instant until = now.plus(rule.responseFor());
        String account = signal.account();
        String source = signal.source();
        for (ThreatRule.Response response : ThreatRule.Response.values()) {
            if (!rule.responses().contains(response)) {
                continue;
            }
            switch (response) {
                case LOCK_ACCOUNT -> {
                    if (account != null) {
                        lock("account:" + account, now, until);
                        taken.add("account locked until " + until);
                    }
                }
                case BLOCK_SOURCE -> {
                    if (source != null) {
                        lock("source:" + source, now, until);
                        taken.add("source blocked until " + until);
                    }
                }
                case REVOKE_SESSIONS -> {
                    if (account != null) {
                        store.deleteSessionsOf(account);
                        taken.add("sessions revoked");
                    }
                }
            }
        }
        return taken.isEmpty() ? List.of("none") : taken;
    }

    /** Locks a subject in the store until {@code until}, keeping a later lock and the failures counted so far. */
    private void lock(String subject, Instant now, Instant until) {
        Optional<Failures> before = store.failures(subject);
        Instant lockedUntil = before.map(Failures::lockedUntil).filter(u -> u.isAfter(until)).orElse(until);
        store.saveFailures(subject, new Failures(before.map(Failures::count).orElse(0), before.map(Failures::last)
                .orElse(now), lockedUntil));
    }

    /**
     * Sliding windows of signal times per key, bounded: at most {@code maxKeys} keys (the least recently used go
     * first), each keeping no more times than its threshold; a key whose newest time left its window is dropped when
     * it comes to the front. Thread-safe.
     */
    static final class Windows {
        private static final class Window {
            final ArrayDeque<Instant> times = new ArrayDeque<>();
            Duration length = Duration.ZERO;
        }

        private final int maxKeys;
        private final LinkedHashMap<String, Window> windows;

        Windows(int maxKeys) {
            this.maxKeys = maxKeys;
            this.windows = new LinkedHashMap<>(16, 0.75f, true);
        }

        /**
         * {@return how many times the key has within {@code length} before {@code now}, this one included}
         *
         * @param keep the most times to keep for the key
         */
        synchronized int add(String key, Instant now, Duration length, int keep) {
            expire(now);
            Window w = windows.computeIfAbsent(key, k -> new Window());
            w.length = length;
            Instant from = now.minus(length);
            while (!w.times.isEmpty() && !w.times.peekFirst().isAfter(from)) {
                w.times.pollFirst();
            }
            w.times.addLast(now);
            while (w.times.size() > keep) {
                w.times.pollFirst();
            }
            if (windows.size() > maxKeys) {
                Iterator<String> eldest = windows.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
            return w.times.size();
        }

        synchronized void remove(String key) {
            windows.remove(key);
        }

        synchronized int size() {
            return windows.size();
        }

        /** Drops keys from the least recently used end while their newest time has left their window. */
        private void expire(Instant now) {
            Iterator<Window> it = windows.values().iterator();
            for (int i = 0; i < 16 && it.hasNext(); i++) {
                Window w = it.next();
                if (!w.times.isEmpty() && w.times.peekLast().plus(w.length).isAfter(now)) {
                    return;
                }
                it.remove();
            }
        }
    }
}
