package io.switchyard.backend;

import static io.switchyard.backend.BackendFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.switchyard.protocol.Command;
import io.switchyard.testing.Await;
import io.switchyard.testing.FakeMysqlServer;
import io.switchyard.testing.FakeReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The pool of connections to one scripted server: a returned connection is reset and lent again
 * without a new login, the cap on connections holds and a waiter gets the next one returned, on
 * whichever event loop it waits and in arrival order, and a connection that failed or cannot be
 * reset is closed instead of lent again.
 */
class BackendPoolTest {
    private static final Duration WAIT = Duration.ofSeconds(BackendFixture.WAIT_SECONDS);
    private static final String SQL = "SELECT payload FROM t";
    private static final ConnectionKey KEY = BackendFixture.key();

    @AutoClose
    private final BackendFixture fixture = new BackendFixture();
    private final FakeMysqlServer server = fixture.server;
    private BackendPool pool;

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    private void openPool(int maxConnections, long acquireTimeoutMillis) {
        pool = new BackendPool(server.address(), new PoolSettings(0, maxConnections, 600_000, 3_600_000, 60_000,
                acquireTimeoutMillis), fixture.settings, fixture.bootstrap);
    }

    private Future<BackendConnection> acquire() throws Exception {
        return fixture.onLoop(() -> pool.acquire(fixture.loop, KEY, null));
    }

    private Future<BackendConnection> acquireOn(EventLoop loop, String schema) throws Exception {
        return BackendFixture.on(loop, () -> pool.acquire(loop, KEY, schema));
    }

    /** Gives {@code c} back on its own loop, as its session would. */
    private void release(BackendConnection c) throws Exception {
        BackendFixture.on(c.eventLoop(), () -> {
            pool.release(c);
            return null;
        });
    }

    private static void runToEnd(BackendConnection c, String sql) {
        RecordingSink sink = new RecordingSink().run(c, Command.QUERY, sql);
        Await.until(WAIT, "the response to " + sql + " to end", sink::ended);
    }

    private String commandsSentAfter(String sql) {
        var all = server.received().stream().map(FakeMysqlServer.Received::toString).toList();
        return String.join(" | ", all.subList(all.indexOf("query " + sql) + 1, all.size()));
    }

    @Test
    void aReleasedConnectionIsResetAndLentAgainWithoutASecondLogin() throws Exception {
        server.on(SQL, FakeReply.rows(3, 10));
        openPool(10, 2000);
        BackendConnection first = await(acquire());
        runToEnd(first, SQL);

        release(first);
        Await.until(WAIT, "the connection to be parked", () -> pool.idle() == 1);
        BackendConnection second = await(acquire());

        assertThat(second).isSameAs(first);
        assertThat(server.logins()).isEqualTo(1);
        assertThat(pool.total()).isEqualTo(1);
        assertThat(pool.inUse()).isEqualTo(1);
        assertThat(commandsSentAfter(SQL))
                .isEqualTo("reset_connection | query " + SessionBaseline.TRACK_EVERYTHING + " | query SELECT DATABASE()");
    }

    @Test
    void theCapOnConnectionsHoldsAndAWaiterGetsTheConnectionReturnedFirst() throws Exception {
        openPool(1, 5000);
        BackendConnection first = await(acquire());

        Future<BackendConnection> waiting = acquire();
        assertThat(waiting.isDone()).isFalse();
        assertThat(pool.waiting()).isEqualTo(1);
        assertThat(pool.total()).isEqualTo(1);

        release(first);
        BackendConnection handedOver = await(waiting);

        assertThat(handedOver).isSameAs(first);
        assertThat(server.logins()).isEqualTo(1);
        assertThat(pool.waiting()).isZero();
        assertThat(pool.inUse()).isEqualTo(1);
    }

    @Test
    void aWaiterOnAnotherEventLoopGetsTheReturnedConnectionWithoutANewLogin() throws Exception {
        server.on(SQL, FakeReply.rows(3, 10));
        openPool(1, 5000);
        BackendConnection first = await(acquireOn(fixture.loop, "app"));

        Future<BackendConnection> waiting = acquireOn(fixture.otherLoop, "app");
        assertThat(pool.waiting()).isEqualTo(1);
        release(first);
        BackendConnection moved = await(waiting);

        assertThat(moved).isSameAs(first);
        assertThat(moved.eventLoop()).isSameAs(fixture.otherLoop);
        assertThat(server.logins()).isEqualTo(1);
        assertThat(pool.moves()).isEqualTo(1);
        assertThat(pool.inUse()).isEqualTo(1);
        runToEnd(moved, SQL);
        assertThat(server.queries()).endsWith(SQL);
    }

    @Test
    void aConnectionClosedWhileItMovesToAWaiterFailsTheWaiterInsteadOfReachingIt() throws Exception {
        openPool(1, 5000);
        BackendConnection first = await(acquireOn(fixture.loop, "app"));
        Future<BackendConnection> waiting = acquireOn(fixture.otherLoop, "app");

        // OFFLINE_HARD right after the connection was given back: it is on its way to the waiter.
        fixture.onLoop(() -> {
            pool.releaseKeepingState(first);
            pool.closeEverything();
            return null;
        });

        assertThatThrownBy(() -> await(waiting)).isInstanceOf(ExecutionException.class);
        Await.until(WAIT, "the connection to close", () -> pool.total() == 0 && server.openConnections() == 0);
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void anIdleConnectionOnAnotherEventLoopIsTakenBeforeANewOneIsOpened() throws Exception {
        openPool(10, 2000);
        release(await(acquireOn(fixture.loop, null)));
        Await.until(WAIT, "the connection to be parked", () -> pool.idle() == 1);

        BackendConnection c = await(acquireOn(fixture.otherLoop, "app"));

        assertThat(c.eventLoop()).isSameAs(fixture.otherLoop);
        assertThat(server.logins()).isEqualTo(1);
        assertThat(pool.total()).isEqualTo(1);
        assertThat(pool.idle()).isZero();
    }

    @Test
    void waitersOnDifferentEventLoopsAreServedInArrivalOrder() throws Exception {
        openPool(1, 5000);
        BackendConnection c = await(acquireOn(fixture.loop, "app"));
        Future<BackendConnection> first = acquireOn(fixture.otherLoop, "app");
        Future<BackendConnection> second = acquireOn(fixture.loop, "app");

        release(c);
        BackendConnection toFirst = await(first);
        assertThat(second.isDone()).as("the later waiter, though on the connection's own loop, still waits").isFalse();
        release(toFirst);
        BackendConnection toSecond = await(second);

        assertThat(toSecond).isSameAs(c);
        assertThat(toSecond.eventLoop()).isSameAs(fixture.loop);
        assertThat(server.logins()).isEqualTo(1);
        assertThat(pool.moves()).isEqualTo(2);
    }

    @Test
    void aBorrowerWithoutASchemaDoesNotGetAConnectionThatHasOne() throws Exception {
        openPool(10, 2000);
        BackendConnection withSchema = await(acquireOn(fixture.loop, "app"));
        release(withSchema);
        Await.until(WAIT, "the connection to be parked", () -> pool.idle() == 1);

        BackendConnection c = await(acquireOn(fixture.otherLoop, null));

        assertThat(c).isNotSameAs(withSchema);
        assertThat(server.logins()).isEqualTo(2);
    }

    @Test
    void afterABurstIdleConnectionsAboveTheFreeShareCloseOnceUnusedForTenSeconds() throws Exception {
        openPool(20, 2000);
        pool.freeConnectionsPct(10);
        List<BackendConnection> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            burst.add(await(acquire()));
        }
        for (BackendConnection c : burst) {
            release(c);
        }
        Await.until(WAIT, "the burst's connections to be parked", () -> pool.idle() == 8);
        long parkedAt = System.nanoTime();

        // A closed connection leaves the total once its channel has closed, a moment after it left the idle ones.
        Await.until(Duration.ofSeconds(30), () -> "idle connections down to 10 % of 20 (now " + pool.idle() + " idle, "
                + pool.total() + " in all)", () -> pool.idle() == 2 && pool.total() == 2);

        assertThat(Duration.ofNanos(System.nanoTime() - parkedAt)).as("none closed before it was unused for 10 s")
                .isGreaterThanOrEqualTo(Duration.ofMillis(PoolPartition.TRIM_AFTER_MILLIS));
        assertThat(pool.total()).isEqualTo(2);
        assertThat(server.logins()).isEqualTo(8);
    }

    @Test
    void aWaiterThatNobodyServesFailsAfterTheAcquireTimeout() throws Exception {
        openPool(1, 200);
        await(acquire());

        Future<BackendConnection> waiting = acquire();

        assertThatThrownBy(() -> await(waiting)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(BackendPool.PoolTimeoutException.class);
        assertThat(pool.waiting()).isZero();
        assertThat(server.logins()).isEqualTo(1);
    }

    @Test
    void aConnectionThatFailedMidResultIsClosedNotLentAgain() throws Exception {
        FakeReply rows = FakeReply.rows(20, 100);
        server.on(SQL, rows.cutAfter(rows.bytes(true, true).length / 2), rows);
        openPool(1, 2000);
        BackendConnection broken = await(acquire());
        runToEnd(broken, SQL);

        release(broken);
        Await.until(WAIT, "the broken connection to leave the pool", () -> pool.total() == 0);
        BackendConnection next = await(acquire());

        assertThat(next).isNotSameAs(broken);
        assertThat(server.logins()).isEqualTo(2);
        assertThat(pool.total()).isEqualTo(1);
        assertThat(server.received()).map(FakeMysqlServer.Received::command).doesNotContain(Command.RESET_CONNECTION);
    }

    @Test
    void aConnectionThatCannotBeResetIsClosedInsteadOfParked() throws Exception {
        server.on(r -> r.command() == Command.RESET_CONNECTION, FakeReply.err(1047, "08S01", "Unknown command"));
        openPool(10, 2000);
        BackendConnection c = await(acquire());

        release(c);

        Await.until(WAIT, "the connection to close", () -> pool.total() == 0 && server.openConnections() == 0);
        assertThat(pool.idle()).isZero();
        assertThat(server.received()).map(FakeMysqlServer.Received::command).endsWith(Command.RESET_CONNECTION, Command.QUIT);
    }

    @Test
    void anIdleConnectionWhoseKeepalivePingFailsIsClosed() throws Exception {
        server.on(r -> r.command() == Command.PING, FakeReply.closeConnection());
        pool = new BackendPool(server.address(), new PoolSettings(0, 10, 600_000, 3_600_000, 100, 2_000),
                fixture.settings, fixture.bootstrap);
        release(await(acquire()));
        Await.until(WAIT, "the connection to be parked", () -> pool.idle() == 1);

        Await.until(WAIT, "the pinged connection to close", () -> pool.total() == 0);

        assertThat(pool.idle()).isZero();
        assertThat(server.received()).map(FakeMysqlServer.Received::command).last().isEqualTo(Command.PING);
    }

    @Test
    void closingEverythingFailsTheStatementRunningOnABorrowedConnection() throws Exception {
        server.on(SQL, FakeReply.none());
        openPool(10, 2000);
        BackendConnection c = await(acquire());
        RecordingSink sink = new RecordingSink().run(c, Command.QUERY, SQL);
        Await.until(WAIT, "the statement to reach the server", () -> server.queries().contains(SQL));

        pool.closeEverything();

        Await.until(WAIT, "the statement to fail", sink::ended);
        assertThat(sink.outcomes()).containsExactly("failed(bytesRelayed=false)");
        Await.until(WAIT, "the server to see the connection close", () -> server.openConnections() == 0);
        assertThat(pool.total()).isZero();
    }
}
