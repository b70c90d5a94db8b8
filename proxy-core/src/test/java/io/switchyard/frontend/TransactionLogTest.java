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
        log.sent(command, packets, null, maxBytes, STATE, "", 0, TransactionLog.Scope.FULL);
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
    void aPrepareInsideTheTransactionLeavesItOneThatCanRunAgain() {
        TransactionLog log = new TransactionLog();
        record(log, Command.QUERY, "BEGIN", 1 << 20);
        record(log, Command.STMT_PREPARE, "INSERT INTO t VALUES (?)", 1 << 20);
        assertThat(log.replayable()).isTrue();
        assertThat(log.statements()).as("the statement is prepared again where the transaction runs again").isEqualTo(1);
    }

    private static PreparedStatements.Statement statement(int params, byte[] types) {
        PreparedStatements.Statement st = new PreparedStatements.Statement(1, "INSERT INTO t VALUES (?, ?)",
                "INSERT INTO t VALUES (?, ?)", io.switchyard.frontend.state.QuoteRules.DEFAULT, STATE.prepareState(), 0,
                io.switchyard.digest.QueryDigest.of("INSERT INTO t VALUES (?, ?)"));
        st.params = params;
        st.types = types;
        return st;
    }

    /** A framed COM_STMT_EXECUTE of statement 7 with two parameters: null bitmap, then {@code newParamsBound} and {@code rest}. */
    private static ByteBuf execute(int newParamsBound, byte... rest) {
        ByteBuf b = Unpooled.buffer();
        int length = 1 + 4 + 1 + 4 + 1 + 1 + rest.length;
        b.writeMediumLE(length).writeByte(0);
        b.writeByte(0x17).writeIntLE(7).writeByte(0).writeIntLE(1).writeByte(0).writeByte(newParamsBound).writeBytes(rest);
        return b;
    }

    @Test
    void anExecutionThatOmitsItsTypesIsKeptWithTheStatementsSoItRunsTheSameOnAFreshCopy() {
        byte[] types = {8, 0, (byte) 253, 0};
        byte[] values = {1, 0, 0, 0, 0, 0, 0, 0, 1, 'x'};
        TransactionLog.Execution omitted = TransactionLog.Execution.of(execute(0, values), statement(2, types));
        ByteBuf typed = execute(1, concat(types, values));
        byte[] expected = new byte[typed.readableBytes()];
        typed.getBytes(0, expected);
        assertThat(omitted).isNotNull();
        assertThat(omitted.packet()).as("types inserted, length fixed").isEqualTo(expected);
        assertThat(omitted.types()).isEqualTo(types);

        TransactionLog.Execution carried = TransactionLog.Execution.of(typed, statement(2, null));
        assertThat(carried.packet()).isEqualTo(expected);
        assertThat(carried.types()).isEqualTo(types);

        assertThat(TransactionLog.Execution.of(execute(0, values), statement(2, null)))
                .as("no types known: the server used some the proxy never saw").isNull();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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
