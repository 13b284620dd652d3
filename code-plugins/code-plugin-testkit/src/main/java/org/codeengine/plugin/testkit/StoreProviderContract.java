package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.codeengine.api.spi.StoreProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link StoreProvider} passes: it is found by {@link java.util.ServiceLoader}, it accepts its
 * database's URLs and no other, and its driver connects to a live database. The engine owns the pool, the migrations
 * and the SQL, so this is all a store plugin brings.
 *
 * <p>A plugin's test extends this class and names a live database on 127.0.0.1. When it cannot be reached the
 * connecting test is skipped, unless the environment variable {@code CI} is {@code true}: then it fails.
 */
public abstract class StoreProviderContract {
    /** For the test class that extends the contract. */
    protected StoreProviderContract() {}

    private static final List<String> OTHER_DATABASES = List.of("jdbc:h2:mem:contract",
            "jdbc:postgresql://127.0.0.1:5432/contract", "jdbc:mariadb://127.0.0.1:3306/contract",
            "jdbc:mysql://127.0.0.1:3306/contract", "jdbc:sqlite:contract.db", "jdbc:oracle:thin:@127.0.0.1:1521/c",
            "jdbc:sqlserver://127.0.0.1:1433", "postgresql://127.0.0.1/contract", "");

    /** {@return the provider under test} */
    protected abstract StoreProvider provider();

    /** {@return the URL of a live database of this provider's kind} */
    protected abstract String jdbcUrl();

    /** {@return the properties to connect with (user, password); none by default} */
    protected Properties connectionProperties() {
        return new Properties();
    }

    /** {@return URLs of other databases, which the provider must not accept: those of other kinds by default} */
    protected List<String> otherUrls() {
        String prefix = jdbcUrl().substring(0, jdbcUrl().indexOf(':', "jdbc:".length()) + 1);
        return OTHER_DATABASES.stream().filter(url -> !url.startsWith(prefix)).toList();
    }

    @Test
    void serviceLoader_findsTheProvider_withALowerCaseName_andTheCurrentApiVersion() {
        Plugins.checkRegistered(StoreProvider.class, provider());
    }

    @Test
    void accepts_itsDatabasesUrl_andNoOther() {
        assertThat(provider().accepts(jdbcUrl())).as("accepts %s", jdbcUrl()).isTrue();
        assertThat(otherUrls()).isNotEmpty().allSatisfy(url -> assertThat(provider().accepts(url)).as("accepts %s",
                url).isFalse());
    }

    @Test
    void theDriver_acceptsTheUrl_andConnects() throws SQLException {
        assertThat(provider().driver().acceptsURL(jdbcUrl())).isTrue();
        Connection connection;
        try {
            connection = provider().driver().connect(jdbcUrl(), connectionProperties());
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("the database at " + jdbcUrl() + " cannot be reached (CI=true)", e);
            }
            Assumptions.abort("the database at " + jdbcUrl() + " cannot be reached: " + e.getMessage());
            return;
        }
        try (Connection c = connection;
                Statement statement = c.createStatement();
                ResultSet one = statement.executeQuery("SELECT 1")) {
            assertThat(one.next()).isTrue();
            assertThat(one.getInt(1)).isEqualTo(1);
        }
    }
}
