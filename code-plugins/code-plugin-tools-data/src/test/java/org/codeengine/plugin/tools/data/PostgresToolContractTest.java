package org.codeengine.plugin.tools.data;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.plugin.testkit.ToolProviderContract;
import tools.jackson.databind.JsonNode;

/** The postgres tools pass the kit every tool provider passes, on the local PostgreSQL. */
class PostgresToolContractTest extends ToolProviderContract {
    @Override
    protected ToolProvider provider() {
        return new PostgresToolProvider().configured(new ToolSettings(JSON.readTree("""
                {"url": "%s", "user": "%s", "allow-privileged-role": true, "statement-timeout-ms": 60000}"""
                .formatted(PostgresToolsTest.URL, PostgresToolsTest.ADMIN)), ref -> {
                    throw new NotFoundException("no secrets here", null);
                }, Path.of(".")));
    }

    @Override
    protected Map<String, JsonNode> sampleArguments() {
        return Map.of("postgres_query", JSON.readTree("{\"sql\": \"select ? as one\", \"params\": [1],"
                + " \"max_rows\": 10}"), "postgres_schema", JSON.readTree("{\"schema\": \"public\"}"));
    }

    @Override
    protected Call failingCall() {
        return Call.of("postgres_query", "{\"sql\": \"select * from no_such_table_anywhere\"}");
    }

    @Override
    protected Optional<Call> slowCall() {
        return Optional.of(Call.of("postgres_query", "{\"sql\": \"select pg_sleep(30)\"}"));
    }
}
