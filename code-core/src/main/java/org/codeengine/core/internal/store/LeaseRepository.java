package org.codeengine.core.internal.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Named leases, so that several processes on one database agree on who does a piece of work. */
public final class LeaseRepository {
    private final Sql sql;

    LeaseRepository(Sql sql) {
        this.sql = sql;
    }

    /**
     * Takes the lease, or renews it if {@code owner} holds it already.
     *
     * @return whether {@code owner} holds the lease until {@code now + ttl}
     */
    public boolean acquire(String name, String owner, Instant now, Duration ttl) {
        try {
            return sql.tx("acquiring lease " + name, c -> {
                try (PreparedStatement s = c.prepareStatement("update code_lease set owner = ?, expires_at = ?"
                        + " where name = ? and (owner = ? or expires_at <= ?)")) {
                    s.setString(1, owner);
                    Sql.setInstant(s, 2, now.plus(ttl));
                    s.setString(3, name);
                    s.setString(4, owner);
                    Sql.setInstant(s, 5, now);
                    if (s.executeUpdate() == 1) {
                        return true;
                    }
                }
                try (PreparedStatement s = c.prepareStatement(
                        "select count(*) from code_lease where name = ?")) {
                    s.setString(1, name);
                    try (ResultSet rows = s.executeQuery()) {
                        rows.next();
                        if (rows.getLong(1) > 0) {
                            return false; // held by another owner and not expired
                        }
                    }
                }
                try (PreparedStatement s = c.prepareStatement(
                        "insert into code_lease (name, owner, expires_at) values (?, ?, ?)")) {
                    s.setString(1, name);
                    s.setString(2, owner);
                    Sql.setInstant(s, 3, now.plus(ttl));
                    s.executeUpdate();
                }
                return true;
            });
        } catch (Sql.DuplicateKey raced) {
            return false; // another owner inserted it between our update and insert
        }
    }

    /** Gives the lease up if {@code owner} holds it; returns whether it did. */
    public boolean release(String name, String owner) {
        return sql.tx("releasing lease " + name, c -> {
            try (PreparedStatement s = c.prepareStatement("delete from code_lease where name = ? and owner = ?")) {
                s.setString(1, name);
                s.setString(2, owner);
                return s.executeUpdate() == 1;
            }
        });
    }

    /** {@return who holds the lease at {@code now}, if anyone} */
    public Optional<Lease> holder(String name, Instant now) {
        return sql.tx("reading lease " + name, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select * from code_lease where name = ? and expires_at > ?")) {
                s.setString(1, name);
                Sql.setInstant(s, 2, now);
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next()
                            ? Optional.of(new Lease(name, rows.getString("owner"),
                                    Sql.getRequiredInstant(rows, "expires_at")))
                            : Optional.<Lease>empty();
                }
            }
        });
    }
}
