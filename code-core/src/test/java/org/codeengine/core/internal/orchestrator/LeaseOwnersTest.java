package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Telling, from a lease owner's name, whether its process is gone from this host. */
class LeaseOwnersTest {
    final String self = LeaseOwners.forThisProcess();
    final String host = self.substring(self.indexOf('@') + 1, self.indexOf('/'));

    @Test
    void thisProcess_isNotGone() {
        assertThat(self).startsWith(ProcessHandle.current().pid() + "@");
        assertThat(LeaseOwners.goneFromThisHost(self)).isFalse();
    }

    @Test
    void aProcessThatExited_isGone() throws IOException, InterruptedException {
        Process child = new ProcessBuilder("true").start();
        long started = child.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        child.waitFor();

        assertThat(LeaseOwners.goneFromThisHost(child.pid() + "@" + host + "/" + started + "/abcd1234")).isTrue();
    }

    @Test
    void aLiveProcessThatStartedAtAnotherTime_isGone_asItsIdWasReused() {
        long started = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();

        assertThat(LeaseOwners.goneFromThisHost(ProcessHandle.current().pid() + "@" + host + "/" + (started - 60_000)
                + "/abcd1234")).isTrue();
    }

    @Test
    void aProcessOnAnotherHost_orANameOfAnotherForm_cannotBeTold() {
        assertThat(LeaseOwners.goneFromThisHost("1@elsewhere.example/1/abcd1234")).isFalse();
        assertThat(LeaseOwners.goneFromThisHost(ProcessHandle.current().pid() + "@" + host + "/abcd1234")).isFalse();
    }
}
