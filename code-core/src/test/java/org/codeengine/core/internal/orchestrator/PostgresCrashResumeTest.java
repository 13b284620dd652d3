package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crash and resume on PostgreSQL, and two engines on one database: one dies holding a run, the other takes it over
 * once the lease has expired, and not before.
 */
class PostgresCrashResumeTest extends CrashResumeContract {
    final Pg pg = new Pg();
    final String schema = pg.newSchema();

    @BeforeAll
    static void requireServer() {
        Pg.requireServer();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        tearDown();
        pg.close();
    }

    @Override
    StoreConfig store() {
        return Pg.config(schema);
    }

    @Override
    List<String> storeArgs() {
        return Pg.args(schema);
    }

    @Test
    void secondEngine_takesOverTheRunOfADeadEngine_onlyAfterItsLeaseExpires() throws Exception {
        cDelay = Duration.ofSeconds(10);
        CodeEngine survivor = engine(true); // adopts orphaned runs: at start and every third of the lease
        String runId = deployAndKillMidRunButFirst(id -> {
            // while the host lives, it renews its lease and the survivor leaves the run alone
            String hostOwner = Pg.leaseOwner(schema, id);
            assertThat(hostOwner).isNotNull();
            Thread.sleep(LEASE.multipliedBy(2));
            assertThat(Pg.leaseOwner(schema, id)).isEqualTo(hostOwner);
        });

        TinyServices.await("the survivor to finish the run", WAIT, () -> survivor.orchestrator().inspect(CTX, runId)
                .state() == RunState.SUCCEEDED);
        assertThat(tiny.starts("a")).isEqualTo(1);
        assertThat(tiny.starts("b")).isEqualTo(1);
        assertThat(tiny.starts("d")).isEqualTo(1);
        // the run's end is audited right after its state is written: wait for the entry, not only the state
        TinyServices.await("the audit entry of the run's end", WAIT, () -> survivor.security().audit(1, 100).stream()
                .anyMatch(e -> e.target().equals(runId)));
        List<AuditEntry> audit = survivor.security().audit(1, 100);
        assertThat(audit).filteredOn(e -> e.target().equals(runId)).singleElement().satisfies(e -> {
            assertThat(e.principalId()).as("ended by the survivor on its own").isEqualTo("code-engine");
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.SUCCESS);
        });
        assertThat(survivor.orchestrator().rollback(CTX, runId).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(tiny.alivePids()).isEmpty();
    }
}
