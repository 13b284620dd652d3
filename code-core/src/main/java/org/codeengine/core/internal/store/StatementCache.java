package org.codeengine.core.internal.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the prepared statements of each pooled connection for the next transaction that holds it, for a driver that
 * keeps none itself. H2 parses a statement again at every {@code prepareStatement} unless its session's query cache
 * takes it, and that cache takes neither an {@code update} nor a {@code select ... for update}: a step write spent about
 * a sixth of its time in H2's parser. The PostgreSQL driver keeps its own (server-side) statements per connection, so
 * this is not used there.
 *
 * <p>A transaction's connection is wrapped ({@link #reusing}); its {@code prepareStatement(String)} hands out the
 * connection's kept statement for that text, and closing what it handed out clears the parameters and the batch and
 * keeps the statement. A text whose statement is still open in the transaction (a statement prepared again while the
 * first one's results are read) gets a new statement of its own, closed as usual. Each connection keeps the
 * {@value #PER_CONNECTION} texts used last; statements of connections the pool has closed are dropped when a new
 * connection appears.
 */
final class StatementCache {
    /** Statements kept per connection, at most. */
    static final int PER_CONNECTION = 64;

    private static final Class<?>[] CONNECTION = {Connection.class};
    private static final Class<?>[] STATEMENT = {PreparedStatement.class};

    private final Map<Connection, Kept> byConnection = new ConcurrentHashMap<>();

    /**
     * {@return a connection that sends everything to {@code pooled}, except {@code prepareStatement(String)}: that reuses
     * the statements kept for the connection underneath it}
     *
     * @param pooled a connection the pool handed out, used by one thread until it goes back
     */
    Connection reusing(Connection pooled) throws SQLException {
        Connection physical = pooled.unwrap(Connection.class);
        Kept kept = byConnection.get(physical);
        if (kept == null) {
            byConnection.values().removeIf(Kept::closed); // a new connection: the pool may have closed an old one
            kept = new Kept(physical);
            byConnection.put(physical, kept);
        }
        return (Connection) Proxy.newProxyInstance(StatementCache.class.getClassLoader(), CONNECTION, new View(kept,
                pooled));
    }

    /** {@return how many connections have statements kept} */
    int connections() {
        return byConnection.size();
    }

    /**
     * A transaction's connection: statements from the kept ones, everything else to the pool's wrapper, so that the
     * pool sees the commits and the closing. Once the pool has the connection back, it prepares nothing more.
     */
    private record View(Kept kept, Connection pooled) implements InvocationHandler {
        @Override
        public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
            if (method.getName().equals("prepareStatement") && args != null && args.length == 1
                    && args[0] instanceof String text) {
                if (pooled.isClosed()) {
                    throw new SQLException("the connection is closed: its transaction has ended");
                }
                PreparedStatement reused = kept.take(text);
                return reused != null ? reused : pooled.prepareStatement(text);
            }
            return forward(pooled, method, args);
        }
    }

    /** The statements kept for one connection, the ones used last first. */
    private static final class Kept {
        final Connection physical;
        final Map<String, Statement> statements = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Statement> eldest) {
                if (size() <= PER_CONNECTION) {
                    return false;
                }
                eldest.getValue().evict();
                return true;
            }
        };

        Kept(Connection physical) {
            this.physical = physical;
        }

        boolean closed() {
            try {
                return physical.isClosed();
            } catch (SQLException e) {
                return true;
            }
        }

        /** {@return the kept statement for the text, now open; null if it is open already (the caller makes one)} */
        @Nullable
        PreparedStatement take(String text) throws SQLException {
            Statement kept = statements.get(text);
            if (kept != null && kept.open) {
                return null;
            }
            if (kept == null || kept.statement.isClosed()) {
                kept = new Statement(physical.prepareStatement(text));
                statements.put(text, kept);
            }
            kept.open = true;
            return kept.view;
        }
    }

    /** One kept statement and the wrapper handed out for it, which keeps it on close. */
    private static final class Statement implements InvocationHandler {
        final PreparedStatement statement;
        final PreparedStatement view;
        boolean open;
        boolean evicted;

        Statement(PreparedStatement statement) {
            this.statement = statement;
            this.view = (PreparedStatement) Proxy.newProxyInstance(StatementCache.class.getClassLoader(), STATEMENT,
                    this);
        }

        /** Dropped from the connection's statements: closed now, or when the transaction using it closes it. */
        void evict() {
            evicted = true;
            if (!open) {
                closeQuietly();
            }
        }

        private void closeQuietly() {
            try {
                statement.close();
            } catch (SQLException e) {
                // the connection is gone: its statements with it
            }
        }

        @Override
        public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return forward(statement, method, args);
            }
            switch (method.getName()) {
                case "close" -> {
                    if (open) {
                        open = false;
                        if (!evicted) {
                            try {
                                statement.clearParameters();
                                statement.clearBatch();
                                return null;
                            } catch (SQLException e) {
                                evicted = true; // the connection failed: the next transaction prepares it again
                            }
                        }
                        closeQuietly();
                    }
                    return null;
                }
                case "isClosed" -> {
                    return !open;
                }
                default -> {
                    if (!open) {
                        throw new SQLException("the statement is closed");
                    }
                    return forward(statement, method, args);
                }
            }
        }
    }

    private static @Nullable Object forward(Object target, Method method, @Nullable Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
