package org.codeengine.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Accounts, API keys, sessions, failed-attempt counters and vault rows. Holds only hashes and ciphertexts. */
public final class SecurityRepository {
    public record Account(String username, String passwordHash, String roles, boolean disabled,
            @Nullable String totpSecret, long totpLast) {}

    public record ApiKeyRow(String keyId, String owner, String hash, String roles, @Nullable Instant expiresAt,
            boolean revoked) {}

    public record SessionRow(String tokenHash, String username, Instant createdAt, Instant lastSeenAt,
            Instant expiresAt) {}

    public record Failures(int count, Instant last, @Nullable Instant lockedUntil) {}

    public record VaultKey(String keyId, String wrapped, boolean active) {}

    public record VaultSecret(String name, String keyId, String sealed) {}

    /** A role as stored: grants and inherited role names, each joined with ','. */
    public record RoleRow(String name, String grants, String inherits) {}

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private final Sql sql;

    SecurityRepository(Sql sql) {
        this.sql = sql;
    }

    private int update(String what, String statement, @Nullable Object... args) {
        return sql.tx(what, c -> {
            try (PreparedStatement s = prepare(c, statement, args)) {
                return s.executeUpdate();
            }
        });
    }

    private <T> List<T> query(String what, String statement, Row<T> row, @Nullable Object... args) {
        return sql.tx(what, c -> {
            try (PreparedStatement s = prepare(c, statement, args); ResultSet rows = s.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rows.next()) {
                    out.add(row.read(rows));
                }
                return out;
            }
        });
    }

    private static PreparedStatement prepare(Connection c, String statement, @Nullable Object... args)
            throws SQLException {
        PreparedStatement s = c.prepareStatement(statement);
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Instant instant) {
                Sql.setInstant(s, i + 1, instant);
            } else {
                s.setObject(i + 1, args[i]);
            }
        }
        return s;
    }

    // roles

    /** Adds the role, or replaces the one of that name. */
    public void putRole(String name, String grants, String inherits, Instant now) {
        String replace = "update code_role set grants = ?, inherits = ?, updated_at = ? where name = ?";
        if (update("defining role " + name, replace, grants, inherits, now, name) == 0) {
            try {
                update("defining role " + name, "insert into code_role (name, grants, inherits, updated_at)"
                        + " values (?, ?, ?, ?)", name, grants, inherits, now);
            } catch (Sql.DuplicateKey meanwhile) {
                update("defining role " + name, replace, grants, inherits, now, name);
            }
        }
    }

    /** {@return false if no role has that name} */
    public boolean deleteRole(String name) {
        return update("deleting role " + name, "delete from code_role where name = ?", name) == 1;
    }

    /** {@return the stored roles, by name} */
    public List<RoleRow> roles() {
        return query("reading roles", "select name, grants, inherits from code_role order by name", r -> new RoleRow(r
                .getString("name"), r.getString("grants"), r.getString("inherits")));
    }

    // accounts

    /** {@return false if the name is taken} */
    public boolean addAccount(String username, String passwordHash, String roles, Instant now) {
        try {
            update("adding account " + username, "insert into code_account (username, password_hash, roles,"
                    + " disabled, totp_secret, totp_last, created_at) values (?, ?, ?, false, null, -1, ?)", username,
                    passwordHash, roles, now);
            return true;
        } catch (Sql.DuplicateKey taken) {
            return false;
        }
    }

    public Optional<Account> account(String username) {
        return query("reading account " + username, "select * from code_account where username = ?",
                r -> new Account(r.getString("username"), r.getString("password_hash"), r.getString("roles"), r
                        .getBoolean("disabled"), r.getString("totp_secret"), r.getLong("totp_last")),
                username)
                .stream().findFirst();
    }

    public boolean setPassword(String username, String passwordHash) {
        return update("changing the password of " + username,
                "update code_account set password_hash = ? where username = ?", passwordHash, username) == 1;
    }

    public boolean disable(String username) {
        return update("disabling " + username, "update code_account set disabled = true where username = ?",
                username) == 1;
    }

    public boolean setTotp(String username, String sealedSecret) {
        return update("enrolling TOTP for " + username,
                "update code_account set totp_secret = ?, totp_last = -1 where username = ?", sealedSecret,
                username) == 1;
    }

    /** Records the step of an accepted code, only if no later or equal step was accepted meanwhile. */
    public boolean useTotpStep(String username, long step) {
        return update("recording a TOTP step", "update code_account set totp_last = ? where username = ?"
                + " and totp_last < ?", step, username, step) == 1;
    }

    // API keys

    public void addApiKey(String keyId, String owner, String hash, String roles, @Nullable Instant expiresAt,
            Instant now) {
        update("adding API key " + keyId, "insert into code_api_key (key_id, owner, hash, roles, expires_at,"
                + " revoked, created_at) values (?, ?, ?, ?, ?, false, ?)", keyId, owner, hash, roles, expiresAt, now);
    }

    public Optional<ApiKeyRow> apiKey(String keyId) {
        return query("reading API key " + keyId, "select * from code_api_key where key_id = ?", r -> new ApiKeyRow(r
                .getString("key_id"), r.getString("owner"), r.getString("hash"), r.getString("roles"),
                Sql.getInstant(r,
                        "expires_at"),
                r.getBoolean("revoked")), keyId).stream().findFirst();
    }

    public boolean revokeApiKey(String keyId) {
        return update("revoking API key " + keyId, "update code_api_key set revoked = true where key_id = ?",
                keyId) == 1;
    }

    // sessions

    public void addSession(String tokenHash, String username, Instant now, Instant expiresAt) {
        update("opening a session", "insert into code_session (token_hash, username, created_at, last_seen_at,"
                + " expires_at) values (?, ?, ?, ?, ?)", tokenHash, username, now, now, expiresAt);
    }

    public Optional<SessionRow> session(String tokenHash) {
        return query("reading a session", "select * from code_session where token_hash = ?", r -> new SessionRow(r
                .getString("token_hash"), r.getString("username"), Sql.getRequiredInstant(r, "created_at"),
                Sql
                        .getRequiredInstant(r, "last_seen_at"),
                Sql.getRequiredInstant(r, "expires_at")), tokenHash)
                .stream().findFirst();
    }

    public void touchSession(String tokenHash, Instant now) {
        update("touching a session", "update code_session set last_seen_at = ? where token_hash = ?", now, tokenHash);
    }

    public void deleteSession(String tokenHash) {
        update("ending a session", "delete from code_session where token_hash = ?", tokenHash);
    }

    public void deleteSessionsOf(String username) {
        update("ending the sessions of " + username, "delete from code_session where username = ?", username);
    }

    // failed attempts

    public Optional<Failures> failures(String subject) {
        return query("reading failed attempts", "select * from code_auth_failure where subject = ?", r -> new Failures(
                r.getInt("failures"), Sql.getRequiredInstant(r, "last_failure"), Sql.getInstant(r, "locked_until")),
                subject).stream().findFirst();
    }

    public void saveFailures(String subject, Failures failures) {
        sql.tx("recording a failed attempt", c -> {
            try (PreparedStatement s = prepare(c, "update code_auth_failure set failures = ?, last_failure = ?,"
                    + " locked_until = ? where subject = ?", failures.count(), failures.last(), failures.lockedUntil(),
                    subject)) {
                if (s.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement s = prepare(c, "insert into code_auth_failure (subject, failures, last_failure,"
                    + " locked_until) values (?, ?, ?, ?)", subject, failures.count(), failures.last(),
                    failures
                            .lockedUntil())) {
                s.executeUpdate();
            }
            return null;
        });
    }

    public void clearFailures(String subject) {
        update("clearing failed attempts", "delete from code_auth_failure where subject = ?", subject);
    }

    // vault

    public List<VaultKey> vaultKeys() {
        return query("reading vault keys", "select * from code_vault_key order by created_at", r -> new VaultKey(r
                .getString("key_id"), r.getString("wrapped"), r.getBoolean("active")));
    }

    /** Adds a data key and makes it the only active one. */
    public void addVaultKey(String keyId, String wrapped, Instant now) {
        sql.tx("adding a vault key", c -> {
            try (PreparedStatement s = prepare(c, "update code_vault_key set active = false")) {
                s.executeUpdate();
            }
            try (PreparedStatement s = prepare(c, "insert into code_vault_key (key_id, wrapped, active, created_at)"
                    + " values (?, ?, true, ?)", keyId, wrapped, now)) {
                return s.executeUpdate();
            }
        });
    }

    /** Replaces the wrapping of every data key at once. */
    public void rewrapVaultKeys(List<VaultKey> keys) {
        sql.tx("re-wrapping vault keys", c -> {
            try (PreparedStatement s = c.prepareStatement("update code_vault_key set wrapped = ? where key_id = ?")) {
                for (VaultKey key : keys) {
                    s.setString(1, key.wrapped());
                    s.setString(2, key.keyId());
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    public void putSecret(String name, String keyId, String sealed, Instant now) {
        sql.tx("storing secret " + name, c -> {
            try (PreparedStatement s = prepare(c, "update code_vault_secret set key_id = ?, sealed = ?, updated_at = ?"
                    + " where name = ?", keyId, sealed, now, name)) {
                if (s.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement s = prepare(c, "insert into code_vault_secret (name, key_id, sealed, updated_at)"
                    + " values (?, ?, ?, ?)", name, keyId, sealed, now)) {
                s.executeUpdate();
            }
            return null;
        });
    }

    public Optional<VaultSecret> secret(String name) {
        return query("reading secret " + name, "select * from code_vault_secret where name = ?", r -> new VaultSecret(r
                .getString("name"), r.getString("key_id"), r.getString("sealed")), name).stream().findFirst();
    }

    public List<VaultSecret> secrets() {
        return query("reading secrets", "select * from code_vault_secret order by name", r -> new VaultSecret(r
                .getString("name"), r.getString("key_id"), r.getString("sealed")));
    }

    public void deleteSecret(String name) {
        update("deleting secret " + name, "delete from code_vault_secret where name = ?", name);
    }
}
