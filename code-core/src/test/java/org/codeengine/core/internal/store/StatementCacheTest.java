package org.codeengine.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.codeengine.api.StoreException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Statements kept per pooled connection between transactions, on H2 (whose driver keeps none). */
class StatementCacheTest {
    private HikariDataSource pool;
    private Sql sql;

    @BeforeEach
    void openPool() {
        pool = pool(1);
        sql = new Sql(pool, false);
        sql.tx("making a table", c -> {
            try (PreparedStatement s = c.prepareStatement("create table t (k int primary key, v varchar)")) {
                s.execute();
            }
            try (PreparedStatement s = c.prepareStatement("insert into t values (1, 'a'), (2, 'b'), (3, 'c')")) {
                s.execute();
            }
            return null;
        });
    }

    @AfterEach
    void closePool() {
        pool.close();
    }

    private static HikariDataSource pool(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:cache" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1");
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }

    /** {@return the driver's statement behind the one a transaction prepared for {@code text}} */
    private PreparedStatement prepared(String text) {
        return sql.tx("preparing", c -> {
            try (PreparedStatement s = c.prepareStatement(text)) {
                return s.unwrap(PreparedStatement.class);
            }
        });
    }

    @Test
    void aStatement_isPreparedOnce_andReusedByTheNextTransactionOnItsConnection() {
        PreparedStatement first = prepared("update t set v = ? where k = ?");
        PreparedStatement second = prepared("update t set v = ? where k = ?");

        assertThat(second).isSameAs(first);
        assertThat(prepared("select v from t where k = ? for update")).isNotSameAs(first);
    }

    @Test
    void closingAKeptStatement_clearsItsParametersAndBatch_soTheNextTransactionSeesNoneOfThem() {
        sql.tx("binding", c -> {
            try (PreparedStatement s = c.prepareStatement("update t set v = ? where k = ?")) {
                s.setString(1, "x");
                s.setInt(2, 1);
                s.addBatch();
                s.setString(1, "y");
                s.setInt(2, 2);
            }
            return null;
        });

        assertThatThrownBy(() -> sql.tx("executing unbound", c -> {
            try (PreparedStatement s = c.prepareStatement("update t set v = ? where k = ?")) {
                return s.executeUpdate();
            }
        })).isInstanceOf(StoreException.class).hasMessageContaining("Parameter \"#1\" is not set");
        int[] counts = sql.tx("executing an empty batch", c -> {
            try (PreparedStatement s = c.prepareStatement("update t set v = ? where k = ?")) {
                return s.executeBatch();
            }
        });
        assertThat(counts).isEmpty();
        assertThat(values()).containsExactly("a", "b", "c");
    }

    @Test
    void theSameText_preparedAgainWhileItsStatementIsOpen_getsAStatementOfItsOwn_andTheFirstResultsStayReadable() {
        String text = "select k, v from t where k >= ? order by k";
        List<String> read = sql.tx("reading nested", c -> {
            List<String> seen = new ArrayList<>();
            try (PreparedStatement outer = c.prepareStatement(text)) {
                outer.setInt(1, 1);
                try (ResultSet rows = outer.executeQuery()) {
                    while (rows.next()) {
                        try (PreparedStatement inner = c.prepareStatement(text)) {
                            assertThat(inner.unwrap(PreparedStatement.class)).isNotSameAs(outer.unwrap(
                                    PreparedStatement.class));
                            inner.setInt(1, 3);
                            try (ResultSet last = inner.executeQuery()) {
                                last.next();
                                seen.add(rows.getString(2) + last.getString(2));
                            }
                        }
                    }
                }
            }
            return seen;
        });

        assertThat(read).containsExactly("ac", "bc", "cc");
        assertThat(prepared(text)).isSameAs(prepared(text));
    }

    @Test
    void aClosedStatement_refusesWork_andSaysItIsClosed() throws SQLException {
        PreparedStatement[] handed = new PreparedStatement[1];
        sql.tx("preparing", c -> {
            try (PreparedStatement s = c.prepareStatement("select v from t")) {
                handed[0] = s;
            }
            return null;
        });

        assertThat(handed[0].toString()).isNotEmpty();
        assertThat(handed[0].isClosed()).isTrue();
        assertThatThrownBy(handed[0]::executeQuery).isInstanceOf(SQLException.class).hasMessageContaining(
                "statement is closed");
    }

    @Test
    void aTransactionsConnection_preparesNothingOnceItsTransactionHasEnded() {
        Connection[] escaped = new Connection[1];
        sql.tx("letting the connection out", c -> {
            escaped[0] = c;
            return null;
        });

        assertThatThrownBy(() -> escaped[0].prepareStatement("select v from t")).isInstanceOf(SQLException.class)
                .hasMessageContaining("transaction has ended");
    }

    @Test
    void aConnectionKeepsTheStatementsUsedLast_andClosesTheOnesItDrops() throws SQLException {
        PreparedStatement oldest = prepared("select v from t where k = 0");
        for (int i = 1; i <= StatementCache.PER_CONNECTION; i++) {
            prepared("select v from t where k = " + i);
        }

        assertThat(oldest.isClosed()).isTrue();
        PreparedStatement again = prepared("select v from t where k = 0");
        assertThat(again).isNotSameAs(oldest);
        assertThat(again.isClosed()).isFalse();
    }

    @Test
    void theStatementsOfAConnectionThatWasClosed_areDropped_whenANewConnectionComes() throws SQLException {
        JdbcDataSource unpooled = new JdbcDataSource();
        unpooled.setURL(pool.getJdbcUrl());
        StatementCache cache = new StatementCache();
        List<PreparedStatement> prepared = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (Connection c = unpooled.getConnection();
                    PreparedStatement s = cache.reusing(c).prepareStatement("select v from t")) {
                prepared.add(s.unwrap(PreparedStatement.class));
            }
        }

        assertThat(cache.connections()).isEqualTo(1);
        assertThat(prepared).doesNotHaveDuplicates();
    }

    private List<String> values() {
        return sql.tx("reading", c -> {
            List<String> all = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("select v from t order by k");
                    ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    all.add(rows.getString(1));
                }
            }
            return all;
        });
    }
}
