package org.codeengine.core.internal.store;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.codeengine.api.Secret;
import org.jspecify.annotations.Nullable;

/**
 * A data source over a driver instance that a store provider hands over, so the driver need not be visible to
 * {@link java.sql.DriverManager} or to the pool's class loader (it may sit in a plugin's module).
 */
final class DriverDataSource implements DataSource {
    private volatile int loginTimeout = 10;

    private final Driver driver;
    private final String url;
    private final @Nullable String user;
    private final @Nullable Secret password;

    DriverDataSource(Driver driver, String url, @Nullable String user, @Nullable Secret password) {
        this.driver = driver;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password.reveal());
        }
        Connection connection = driver.connect(url, properties);
        if (connection == null) {
            throw new SQLException("the driver " + driver.getClass().getName() + " does not accept this URL", "08001");
        }
        return connection;
    }

    @Override
    public Connection getConnection(String username, String pass) throws SQLException {
        throw new SQLFeatureNotSupportedException("credentials come from the store configuration");
    }

    @Override
    public @Nullable PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(@Nullable PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = Math.max(0, seconds);
    }

    /**
     * {@return the seconds a login may take; Hikari also waits this long, at close, for a connection it is still
     *         adding, so 0 would make it give up at once (and warn)}
     */
    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper for " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
