/**
 * The {@code postgres} and {@code redis} tool providers. Redis is spoken with a small RESP client on the JDK: the tools
 * send three commands, which does not justify a client library and its pool.
 */
module org.codeengine.plugin.tools.data {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;
    requires org.postgresql.jdbc;
    requires com.zaxxer.hikari;

    provides org.codeengine.api.spi.ToolProvider with org.codeengine.plugin.tools.data.PostgresToolProvider,
            org.codeengine.plugin.tools.data.RedisToolProvider;
}
