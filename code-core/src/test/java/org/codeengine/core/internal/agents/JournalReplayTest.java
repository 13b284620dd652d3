package org.codeengine.core.internal.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.codeengine.api.agents.ToolOutcome;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.core.internal.store.AgentRunRepository.CallRow;
import org.codeengine.core.internal.store.AgentRunRepository.Journal;
import org.codeengine.core.internal.store.AgentRunRepository.TurnRow;
import org.junit.jupiter.api.Test;

/** Where a journal leaves a run: a journaled reply started each of its calls, with or without a row of their own. */
class JournalReplayTest {
    private static final ToolCall READ = new ToolCall("c1", "files_read", "{\"path\":\"a\"}");
    private static final ToolCall WRITE = new ToolCall("c2", "files_write", "{\"path\":\"b\"}");

    private static String reply(ToolCall... calls) {
        return JournalCodec.reply(new ChatMessage(ChatMessage.Role.ASSISTANT, "", List.of(calls), null), new Usage(3,
                4), 0);
    }

    @Test
    void aReplyWhoseCallsHaveNoRows_leavesEachCallStarted_soAResumeNeverRunsItAsNew() {
        var replay = DefaultAgents.replay(new Journal(List.of(new TurnRow(1, reply(READ, WRITE), 0)), List.of()), 42);

        assertThat(replay.turns()).isEmpty();
        assertThat(replay.pending()).isNotNull();
        assertThat(replay.pendingCalls()).containsOnlyKeys(0, 1);
        assertThat(replay.pendingCalls().values()).allSatisfy(row -> assertThat(row.status()).as("started")
                .isNull());
        assertThat(replay.pendingCalls().get(1)).extracting(CallRow::callId, CallRow::tool, CallRow::arguments)
                .containsExactly("c2", "files_write", "{\"path\":\"b\"}");
        assertThat(replay.elapsedMs()).isEqualTo(42);
    }

    @Test
    void aCallsOwnRow_isKept_whetherItEnded_orIsAStartedRowOfAnOlderJournal() {
        CallRow ended = new CallRow(1, 0, "c1", "files_read", READ.arguments(), "text of a", "OK");
        CallRow started = new CallRow(1, 1, "c2", "files_write", WRITE.arguments(), null, null);
        for (CallRow own : List.of(ended, started)) {
            var replay = DefaultAgents.replay(new Journal(List.of(new TurnRow(1, reply(READ, WRITE), 0)), List.of(own)),
                    0);

            assertThat(replay.pendingCalls().get(own.position())).isEqualTo(own);
            assertThat(replay.pendingCalls().get(1 - own.position()).status()).as("the other call, started").isNull();
        }
    }

    @Test
    void turnsWhoseCallsAllEnded_replayWhole() {
        var replay = DefaultAgents
                .replay(new Journal(List.of(new TurnRow(1, reply(READ), 0), new TurnRow(2, reply(), 0)),
                        List.of(new CallRow(1, 0, "c1", "files_read", READ.arguments(), "text of a", "OK"))), 0);

        assertThat(replay.pending()).isNull();
        assertThat(replay.turns()).hasSize(2);
        assertThat(replay.turns().getFirst().outcomes()).extracting(ToolOutcome::result, ToolOutcome::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("text of a", ToolOutcome.Status.OK));
    }

    @Test
    void theTimeTaken_isTheLargerOfTheRunsAndItsLastReplys_soACrashAfterAReplyLosesNoTimeOfTheBudget() {
        var turns = List.of(new TurnRow(1, reply(READ), 1200), new TurnRow(2, reply(WRITE), 3400));
        var calls = List.of(new CallRow(1, 0, "c1", "files_read", READ.arguments(), "text of a", "OK"));

        assertThat(DefaultAgents.replay(new Journal(turns, calls), 0).elapsedMs()).as("a reply's write keeps the time"
                + " on its turn's row only").isEqualTo(3400);
        assertThat(DefaultAgents.replay(new Journal(turns, calls), 5000).elapsedMs()).as("a later write of the run's"
                + " row").isEqualTo(5000);
        assertThat(DefaultAgents.replay(new Journal(List.of(new TurnRow(1, reply(READ), 0)), List.of()), 42)
                .elapsedMs()).as("rows written before the time was kept on them").isEqualTo(42);
    }
}
