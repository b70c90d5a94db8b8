package io.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.backend.ConnectionState;
import io.switchyard.protocol.Command;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TransactionLogTest {
    private static final ConnectionState STATE = ConnectionState.initial("app");

    private static ByteBuf query(String sql) {
        return Unpooled.copiedBuffer("\u0003" + sql, StandardCharsets.UTF_8);
    }

    private static void record(TransactionLog log, Command command, String sql, long maxBytes) {
        ByteBuf packets = query(sql);
        log.sent(command, packets, maxBytes, STATE, "", 0, TransactionLog.Scope.FULL);
        packets.release();
        log.completedInTransaction();
    }

    @Test
    void theTransactionsTextStatementsAreKeptUntilItEnds() {
        TransactionLog log = new TransactionLog();
        record(log, Command.QUERY, "BEGIN", 1 << 20);
        record(log, Command.QUERY, "INSERT INTO t VALUES (1)", 1 << 20);
        assertThat(log.replayable()).isTrue();
        assertThat(log.statements()).isEqualTo(2);
        assertThat(log.startState()).isEqualTo(STATE);
        log.clear();
        assertThat(log.replayable()).as("nothing to replay once the transaction ended").isFalse();
        assertThat(log.statements()).isZero();
    }

    @Test
    void anotherCommandAStatementNotRecordedOrTooManyBytesMakeItOneThatCannotRunAgain() {
        TransactionLog prepared = new TransactionLog();
        record(prepared, Command.QUERY, "BEGIN", 1 << 20);
        record(prepared, Command.STMT_EXECUTE, "x", 1 << 20);
        assertThat(prepared.replayable()).isFalse();

        TransactionLog unrecorded = new TransactionLog();
        record(unrecorded, Command.QUERY, "BEGIN", 1 << 20);
        unrecorded.notRecorded();
        unrecorded.completedInTransaction();
        assertThat(unrecorded.replayable()).isFalse();

        TransactionLog large = new TransactionLog();
        record(large, Command.QUERY, "BEGIN", 20);
        record(large, Command.QUERY, "INSERT INTO t VALUES (1)", 20);
        assertThat(large.replayable()).as("more than mysql-transaction_replay_max_size bytes").isFalse();

        large.clear();
        record(large, Command.QUERY, "BEGIN", 20);
        assertThat(large.replayable()).as("a new transaction starts over").isTrue();
    }

    @Test
    void checksumScopesAreMysqlTransactionReplayChecksumsValues() {
        assertThat(TransactionLog.Scope.of("full")).isEqualTo(TransactionLog.Scope.FULL);
        assertThat(TransactionLog.Scope.of("result_only")).isEqualTo(TransactionLog.Scope.RESULT_ONLY);
        assertThat(TransactionLog.Scope.of("no_insert_id")).isEqualTo(TransactionLog.Scope.NO_INSERT_ID);
    }
}
