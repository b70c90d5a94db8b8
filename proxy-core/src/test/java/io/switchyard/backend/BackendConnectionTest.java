package io.switchyard.backend;

import static io.switchyard.backend.BackendFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.Packets;
import io.switchyard.testing.Await;
import io.switchyard.testing.FakeMysqlServer;
import io.switchyard.testing.FakeReply;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A backend connection against a scripted MariaDB 10.11: login and session setup, relaying a
 * response byte for byte, backpressure in both directions, and what its sink learns when the
 * server goes away before or during a result.
 */
class BackendConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(BackendFixture.WAIT_SECONDS);
    private static final String SQL = "SELECT id, name FROM t";
    private static final FakeReply TWO_ROWS = FakeReply.resultSet(List.of("id", "name"),
            List.of(List.of("1", "one"), Arrays.asList("2", null)));

    @AutoClose
    private final BackendFixture fixture = new BackendFixture();
    private final FakeMysqlServer server = fixture.server;

    private static RecordingSink awaitEnd(RecordingSink sink) {
        Await.until(WAIT, () -> "the response to end; got " + sink.byteCount() + " bytes", sink::ended);
        return sink;
    }

    @Test
    void logsInReadsTheSessionBaselineAndTurnsOnEverySessionTracker() throws Exception {
        server.variables().set("sql_mode", "ANSI_QUOTES,STRICT_ALL_TABLES");

        BackendConnection c = await(fixture.connect(BackendFixture.key()));

        assertThat(c.serverHandshake().serverVersion()).isEqualTo(FakeMysqlServer.VERSION);
        assertThat(c.tracksSessionState()).isTrue();
        assertThat(c.deprecatesEof()).isTrue();
        assertThat(server.logins()).isEqualTo(1);
        assertThat(server.queries()).containsExactly(SessionBaseline.QUERY, SessionBaseline.TRACK_EVERYTHING);
        TrackingSettings tracking = c.baseline().tracking();
        assertThat(tracking.schema()).isTrue();
        assertThat(tracking.stateChange()).isFalse();
        assertThat(tracking.tracksVariable("time_zone")).isTrue();
        assertThat(tracking.tracksVariable("sql_mode")).isFalse();
        assertThat(c.baseline().loginLiteral("character_set_client")).isEqualTo("'utf8mb4'");
        assertThat(c.baseline().loginLiteral("sql_mode")).isEqualTo("'ANSI_QUOTES,STRICT_ALL_TABLES'");
        assertThat(fixture.onLoop(c::isIdle)).isTrue();
    }

    @Test
    void aWrongPasswordFailsTheLoginWithTheServersAccessDeniedError() {
        assertThatThrownBy(() -> await(fixture.connect(BackendFixture.key("wrong", true))))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(BackendFailures.loginError(e.getCause()).code()).isEqualTo(1045));
        assertThat(server.logins()).isZero();
    }

    /** Whatever the client it serves negotiated, a connection negotiates CLIENT_DEPRECATE_EOF. */
    @ParameterizedTest(name = "client deprecates EOF={0}")
    @ValueSource(booleans = {true, false})
    void relaysAResultExactlyAsTheServerSentItAndIsIdleAfterwards(boolean clientDeprecatesEof) throws Exception {
        server.on(SQL, TWO_ROWS);
        BackendConnection c = await(fixture.connect(BackendFixture.key(BackendFixture.PASSWORD, clientDeprecatesEof)));

        RecordingSink sink = awaitEnd(new RecordingSink().run(c, Command.QUERY, SQL));

        assertThat(c.deprecatesEof()).isTrue();
        assertThat(sink.outcomes()).containsExactly("complete");
        assertThat(sink.bytes()).isEqualTo(TWO_ROWS.bytes(true, true));
        assertThat(sink.tracker().rows()).isEqualTo(2);
        assertThat(fixture.onLoop(c::phase)).isEqualTo(BackendConnection.Phase.IDLE);
        assertThat(fixture.onLoop(c::isIdle)).isTrue();
        assertThat(server.queries()).last().isEqualTo(SQL);
    }

    @Test
    void aResponseEndingInAReadIsFlushedWhenTheNextCommandsResponseArrivesBeforeTheReadEnds() throws Exception {
        String next = "SELECT id, name FROM u";
        server.on(SQL, FakeReply.none());
        server.on(next, FakeReply.none());
        BackendConnection c = await(fixture.connect(BackendFixture.key()));
        RecordingSink first = new RecordingSink();
        RecordingSink second = new RecordingSink();
        byte[] response = TWO_ROWS.bytes(true, true);

        // One read of the socket as the transport delivers it: the first response, then (its
        // session having sent the next command on the same connection meanwhile) that command's
        // response, then the end of the read.
        fixture.onLoop(() -> {
            c.execute(Command.QUERY, Packets.command(ByteBufAllocator.DEFAULT, Command.QUERY, SQL), first);
            c.channelRead(null, Unpooled.wrappedBuffer(response));
            c.execute(Command.QUERY, Packets.command(ByteBufAllocator.DEFAULT, Command.QUERY, next), second);
            c.channelRead(null, Unpooled.wrappedBuffer(response));
            c.channelReadComplete(null);
            return null;
        });

        assertThat(first.outcomes()).containsExactly("complete");
        assertThat(second.outcomes()).containsExactly("complete");
        assertThat(first.flushes()).as("flushes of the first response").isEqualTo(1);
        assertThat(second.flushes()).as("flushes of the second response").isEqualTo(1);
    }

    @Test
    void relaysAnErrAndStaysUsable() throws Exception {
        FakeReply noTable = FakeReply.err(1146, "42S02", "Table 'app.t' doesn't exist");
        server.on(SQL, noTable);
        BackendConnection c = await(fixture.connect(BackendFixture.key()));

        RecordingSink sink = awaitEnd(new RecordingSink().run(c, Command.QUERY, SQL));

        assertThat(sink.outcomes()).containsExactly("complete");
        assertThat(sink.bytes()).isEqualTo(noTable.bytes(true, true));
        assertThat(sink.tracker().error().code()).isEqualTo(1146);
        assertThat(fixture.onLoop(c::reusable)).isTrue();
    }

    @Test
    void aCommandIssuedWhileBusyIsRefusedAndItsPacketsReleased() throws Exception {
        server.on(SQL, TWO_ROWS.delayedBy(Duration.ofMillis(200)));
        BackendConnection c = await(fixture.connect(BackendFixture.key()));
        RecordingSink first = new RecordingSink().run(c, Command.QUERY, SQL);

        ByteBuf second = Packets.command(ByteBufAllocator.DEFAULT, Command.QUERY, "SELECT 2");
        assertThatThrownBy(() -> fixture.onLoop(() -> {
            c.execute(Command.QUERY, second, new RecordingSink());
            return null;
        })).hasRootCauseInstanceOf(IllegalStateException.class);

        assertThat(second.refCnt()).isZero();
        assertThat(awaitEnd(first).outcomes()).containsExactly("complete");
        assertThat(server.queries()).doesNotContain("SELECT 2");
    }

    @Test
    void aSinkThatStopsReadingHoldsTheServerBackUntilItResumes() throws Exception {
        FakeReply large = FakeReply.rows(8_000, 2_000);
        byte[] expected = large.bytes(true, true);
        server.on(SQL, large);
        BackendConnection c = await(fixture.connect(BackendFixture.key()));
        AtomicBoolean clientWritable = new AtomicBoolean(false);
        RecordingSink sink = new RecordingSink(conn -> {
            if (!clientWritable.get()) {
                conn.setAutoRead(false);
            }
        }).run(c, Command.QUERY, SQL);

        Await.until(WAIT, "the server's send to stall", () -> server.sendStalledFor(Duration.ofMillis(300)));
        assertThat(sink.ended()).isFalse();
        assertThat(sink.byteCount()).isPositive().isLessThan(expected.length / 2);

        clientWritable.set(true);
        fixture.onLoop(() -> {
            c.setAutoRead(true);
            return null;
        });
        awaitEnd(sink);

        assertThat(sink.outcomes()).containsExactly("complete");
        assertThat(sink.byteCount()).isEqualTo(expected.length);
        assertThat(Arrays.mismatch(sink.bytes(), expected)).isEqualTo(-1);
        assertThat(sink.tracker().rows()).isEqualTo(8_000);
    }

    @Test
    void aConnectionLostMidResultFailsTheSinkAfterBytesWereRelayedAndIsClosed() throws Exception {
        FakeReply rows = FakeReply.rows(50, 100);
        byte[] whole = rows.bytes(true, true);
        server.on(SQL, rows.cutAfter(whole.length - 10));
        BackendConnection c = await(fixture.connect(BackendFixture.key()));

        RecordingSink sink = awaitEnd(new RecordingSink().run(c, Command.QUERY, SQL));

        assertThat(sink.outcomes()).containsExactly("failed(bytesRelayed=true)");
        byte[] relayed = sink.bytes();
        assertThat(relayed.length).isPositive().isLessThan(whole.length - 10);
        assertThat(relayed).isEqualTo(Arrays.copyOf(whole, relayed.length));
        assertThat(fixture.onLoop(c::phase)).isEqualTo(BackendConnection.Phase.CLOSED);
        assertThat(fixture.onLoop(c::reusable)).isFalse();
    }

    @Test
    void aConnectionLostBeforeTheResultFailsTheSinkWithNothingRelayed() throws Exception {
        server.on(SQL, FakeReply.closeConnection());
        BackendConnection c = await(fixture.connect(BackendFixture.key()));

        RecordingSink sink = awaitEnd(new RecordingSink().run(c, Command.QUERY, SQL));

        assertThat(sink.outcomes()).containsExactly("failed(bytesRelayed=false)");
        assertThat(sink.byteCount()).isZero();
        assertThat(fixture.onLoop(c::phase)).isEqualTo(BackendConnection.Phase.CLOSED);
    }

    @Test
    void aServerThatStopsReadingMakesTheConnectionReportItIsNotWritable() throws Exception {
        server.on("SELECT 1", FakeReply.resultSet(List.of("1"), List.of(List.of("1"))).thenStopReading());
        BackendConnection c = await(fixture.connect(BackendFixture.key()));
        List<Boolean> writability = new CopyOnWriteArrayList<>();
        AtomicLong firstChangeNanos = new AtomicLong();
        fixture.onLoop(() -> {
            c.owner(new BackendConnection.Holder() {
                @Override
                public void backendWritabilityChanged(boolean writable) {
                    firstChangeNanos.compareAndSet(0, System.nanoTime());
                    writability.add(writable);
                }

                @Override
                public void backendClosedWhileHeld(BackendConnection connection, Throwable cause) {
                }
            });
            return null;
        });
        awaitEnd(new RecordingSink().run(c, Command.QUERY, "SELECT 1"));
        String large = "SELECT '" + "x".repeat(15 * 1024 * 1024) + "'";

        new RecordingSink().run(c, Command.QUERY, large);

        Duration quiet = Duration.ofSeconds(1);
        Await.until(WAIT, () -> "a change of writability and a quiet second at the server; got " + writability,
                () -> firstChangeNanos.get() != 0 && System.nanoTime() - firstChangeNanos.get() > quiet.toNanos()
                        && server.readIdleFor(quiet));
        assertThat(writability).containsExactly(false);
        assertThat(server.queries()).doesNotContain(large);
    }
}
