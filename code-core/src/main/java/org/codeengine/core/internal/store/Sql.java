package org.codeengine.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.codeengine.api.CodeException;
import org.codeengine.api.StoreException;
import org.codeengine.api.UnavailableException;
import org.jspecify.annotations.Nullable;

/** Transactions and the few type conversions the repositories share. */
final class Sql {
    /** Work done inside one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** A unique key was already taken; repositories that expect it catch it. */
    static final class DuplicateKey extends StoreException {
        private static final long serialVersionUID = 1L;

        DuplicateKey(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final DataSource dataSource;
    private final boolean postgres;
    /** Statements kept per connection between transactions; null where the driver keeps them (PostgreSQL's). */
    private final @Nullable StatementCache statements;

    /** @param postgres whether the database is PostgreSQL, whose statements may carry others along (see {@link Outbox}) */
    Sql(DataSource dataSource, boolean postgres) {
        this.dataSource = dataSource;
        this.postgres = postgres;
        this.statements = postgres ? null : new StatementCache();
    }

    /** {@return whether the database is PostgreSQL} */
    boolean postgres() {
        return postgres;
    }

    /**
     * Runs work in a transaction: commits when it returns, rolls back when it throws.
     *
     * @param what what the work does, for error messages
     */
    <T> T tx(String what, Work<T> work) {
        try {
            return once(work);
        } catch (SQLException e) {
            throw map(what, e);
        }
    }

    /** Tries in all of {@link #txRetrying}. */
    static final int TRIES = 4;

    /**
     * Runs work in a transaction like {@link #tx}, and runs it again, up to {@value #TRIES} tries in all, when the
     * database rolled it back to break a deadlock or a serialization conflict. Only for work that does nothing but
     * its statements, so that running it again is safe.
     */
    <T> T txRetrying(String what, Work<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return once(work);
            } catch (SQLException e) {
                if (attempt >= TRIES || !conflict(e)) {
                    throw map(what, e);
                }
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(1, 10L << attempt)); // so they do not meet again
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw map(what, e);
                }
            }
        }
    }

    /**
     * Runs one transaction; on a virtual thread, where no interrupt can reach it. An interrupt that lands in a
     * driver's I/O closes what the I/O used: H2 closes the whole embedded database when a thread is interrupted in a
     * read or write of its file, and a virtual thread interrupted in a socket read drops its PostgreSQL connection,
     * leaving unknown whether the commit landed. CODE interrupts the virtual threads it starts to end their waits (a
     * run's health gates when it is stopped, an agent's tool calls, an MCP request its client cancelled), and such a
     * thread may be writing at that moment; so a virtual thread's transaction runs on a fresh virtual thread that no
     * one interrupts, and the caller waits for it without being interruptible, keeping its interrupt for its next
     * wait. The hand-over costs about a microsecond. A platform thread runs its transaction itself: handing over
     * would cost it ten times that, and a host that interrupts its own threads while they call the store is warned
     * in {@link org.codeengine.core.CodeEngine.Builder#executor}.
     */
    private <T> T once(Work<T> work) throws SQLException {
        if (!Thread.currentThread().isVirtual()) {
            return unshielded(work);
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        Thread.ofVirtual().name("code-store-tx").start(() -> {
            try {
                done.complete(unshielded(work));
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            return done.join(); // not interruptible
        } catch (CompletionException e) {
            switch (e.getCause()) {
                case SQLException s -> throw s;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw e;
            }
        }
    }

    private <T> T unshielded(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(statements == null ? connection : statements.reusing(connection));
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailed) {
                    // a connection the database dropped cannot roll back: what failed first tells what happened
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            }
        }
    }

    /** {@return whether the database aborted the transaction for a deadlock (40P01) or serialization failure (40001)} */
    static boolean conflict(SQLException e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof SQLException s) {
                for (SQLException next = s; next != null && depth < 16; next = next.getNextException(), depth++) {
                    if ("40P01".equals(next.getSQLState()) || "40001".equals(next.getSQLState())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static CodeException map(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("23505")) {
            return new DuplicateKey(what + " failed: a unique key is already taken", e);
        }
        if (state.startsWith("08") || state.equals("40001") || state.equals("40P01") || state.equals("57P01")
                || e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return new UnavailableException(what + " failed, the store may be unavailable: " + e.getMessage(), null,
                    e);
        }
        return new StoreException(what + " failed: " + e.getMessage(), e);
    }

    /** Instants are kept to the microsecond, the finest both H2 and PostgreSQL store. */
    static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    static void setText(PreparedStatement statement, int index, @Nullable String text) throws SQLException {
        if (text == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, text);
        }
    }

    static void setInstant(PreparedStatement statement, int index, @Nullable Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setObject(index, OffsetDateTime.ofInstant(truncate(instant), ZoneOffset.UTC));
        }
    }

    static @Nullable Instant getInstant(ResultSet rows, String column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static Instant getRequiredInstant(ResultSet rows, String column) throws SQLException {
        Instant value = getInstant(rows, column);
        if (value == null) {
            throw new SQLException("column " + column + " is null");
        }
        return value;
    }
}
