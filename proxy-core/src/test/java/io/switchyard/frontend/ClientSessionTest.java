package io.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.testing.Await;
import io.switchyard.testing.FakeMysqlServer.Received;
import io.switchyard.testing.FakeReply;
import io.switchyard.testing.MysqlTestClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A client session between a real socket client and scripted backends: pipelined statements
 * answered in order, a client that stops reading holding the server back, a statement retried
 * when its connection was lost before any byte of the result (on the other server of its
 * hostgroup when there is one), the backend connection given back to the pool between
 * statements, a prepared statement prepared again on the connection it runs on next,
 * session-state information kept from a client that does not track it, and a statement past its
 * timeout killed on its server.
 */
class ClientSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** The client negotiated CLIENT_DEPRECATE_EOF but not session tracking. */
    private static final boolean DEPRECATE_EOF = true;
    private static final boolean SESSION_TRACK = false;

    @AutoClose
    private final ProxyFixture proxy = new ProxyFixture();

    ClientSessionTest() throws InterruptedException {
    }

    private static FakeReply one(String column, String value) {
        return FakeReply.resultSet(List.of(column), List.of(List.of(value)));
    }

    private List<String> sent(String... statements) {
        List<String> wanted = List.of(statements);
        return proxy.server.queries().stream().filter(wanted::contains).toList();
    }

    @Test
    void pipelinedStatementsAreAnsweredInTheOrderTheyWereSent() throws Exception {
        FakeReply first = one("a", "first");
        FakeReply second = one("b", "second");
        FakeReply third = one("c", "third");
        proxy.server.on("SELECT 'first' AS a", first.delayedBy(Duration.ofMillis(150)))
                .on("SELECT 'second' AS b", second)
                .on("SELECT 'third' AS c", third);
        try (MysqlTestClient client = proxy.client()) {
            client.send("SELECT 'first' AS a", "SELECT 'second' AS b", "SELECT 'third' AS c");

            assertThat(client.readResponse()).isEqualTo(first.bytes(DEPRECATE_EOF, SESSION_TRACK));
            assertThat(client.readResponse()).isEqualTo(second.bytes(DEPRECATE_EOF, SESSION_TRACK));
            assertThat(client.readResponse()).isEqualTo(third.bytes(DEPRECATE_EOF, SESSION_TRACK));
        }
        assertThat(sent("SELECT 'first' AS a", "SELECT 'second' AS b", "SELECT 'third' AS c"))
                .containsExactly("SELECT 'first' AS a", "SELECT 'second' AS b", "SELECT 'third' AS c");
    }

    @Test
    void aReadIsRetriedOnANewConnectionWhenTheFirstWasLostBeforeAnyByteOfItsResult() throws Exception {
        FakeReply answer = one("n", "42");
        proxy.server.on("SELECT n FROM t", FakeReply.closeConnection(), answer);
        try (MysqlTestClient client = proxy.client()) {
            byte[] response = client.query("SELECT n FROM t");

            assertThat(response).isEqualTo(answer.bytes(DEPRECATE_EOF, SESSION_TRACK));
        }
        assertThat(sent("SELECT n FROM t")).hasSize(2);
        assertThat(proxy.server.logins()).isEqualTo(2);
    }

    @Test
    void aWriteLostBeforeAnyByteOfItsResultIsNotRetriedAndTheClientIsTold() throws Exception {
        proxy.server.on("INSERT INTO t VALUES (1)", FakeReply.closeConnection(), FakeReply.ok());
        try (MysqlTestClient client = proxy.client()) {
            ErrPacket err = MysqlTestClient.error(client.query("INSERT INTO t VALUES (1)"));

            assertThat(err).isNotNull();
            assertThat(err.code()).isEqualTo(ProxyError.BACKEND_LOST.code);
        }
        assertThat(sent("INSERT INTO t VALUES (1)")).hasSize(1);
    }

    @Test
    void aSessionWhoseTransactionsConnectionTheServerDropsIsClosedAsTheServerWouldHaveClosedIt() throws Exception {
        proxy.server.on("BEGIN", FakeReply.ok(OkPacket.of(ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS)));
        try (MysqlTestClient client = proxy.client()) {
            assertThat(MysqlTestClient.error(client.query("BEGIN"))).isNull();

            proxy.server.dropConnections();

            assertThat(client.readUntilClosed()).as("no ERR: the connection just ends, as the server's did").isEmpty();
        }
    }

    @Test
    void aStatementReadingTheWarningsOfALostConnectionGetsAnErrorAndTheSessionGoesOn() throws Exception {
        proxy.server.on("SELECT 1/0", FakeReply.ok(new OkPacket(0, 0, ServerStatus.AUTOCOMMIT, 1, "")));
        proxy.server.on("SELECT 2", one("2", "2"));
        try (MysqlTestClient client = proxy.client()) {
            assertThat(MysqlTestClient.error(client.query("SELECT 1/0"))).isNull();

            proxy.server.dropConnections();
            Await.until(WAIT, "the proxy to see its connection dropped", () -> proxy.pool().inUse() == 0);

            ErrPacket err = MysqlTestClient.error(client.query("SHOW WARNINGS"));
            assertThat(err).isNotNull();
            assertThat(err.code()).isEqualTo(ProxyError.PREVIOUS_RESULT_LOST.code);
            assertThat(client.query("SELECT 2")).isEqualTo(one("2", "2").bytes(DEPRECATE_EOF, SESSION_TRACK));
        }
        assertThat(sent("SHOW WARNINGS")).as("the statement did not run").isEmpty();
    }

    @Test
    void aStatementReadingTheWarningsIsNotRetriedElsewhereWhenItsConnectionFailsUnderIt() throws Exception {
        proxy.server.on("SELECT 1/0", FakeReply.ok(new OkPacket(0, 0, ServerStatus.AUTOCOMMIT, 1, "")));
        proxy.server.on("SHOW WARNINGS", FakeReply.closeConnection(), FakeReply.resultSet(List.of("Level"), List.of()));
        proxy.server.on("SELECT 2", one("2", "2"));
        try (MysqlTestClient client = proxy.client()) {
            assertThat(MysqlTestClient.error(client.query("SELECT 1/0"))).isNull();

            ErrPacket err = MysqlTestClient.error(client.query("SHOW WARNINGS"));

            assertThat(err).as("a fresh connection has no warnings to show").isNotNull();
            assertThat(err.code()).isEqualTo(ProxyError.BACKEND_LOST.code);
            assertThat(client.query("SELECT 2")).isEqualTo(one("2", "2").bytes(DEPRECATE_EOF, SESSION_TRACK));
        }
        assertThat(sent("SHOW WARNINGS")).hasSize(1);
    }

    @Test
    void aStatementLostMidResultIsNotRetriedAndTheClientIsDisconnected() throws Exception {
        FakeReply rows = FakeReply.rows(20, 100);
        proxy.server.on("SELECT payload FROM t", rows.cutAfter(rows.bytes(true, true).length / 2), rows);
        byte[] whole = rows.bytes(DEPRECATE_EOF, SESSION_TRACK);
        try (MysqlTestClient client = proxy.client()) {
            client.send("SELECT payload FROM t");

            byte[] beforeClose = client.readUntilClosed();

            assertThat(beforeClose.length).isPositive().isLessThan(whole.length / 2 + 1);
            assertThat(beforeClose).isEqualTo(Arrays.copyOf(whole, beforeClose.length));
        }
        assertThat(sent("SELECT payload FROM t")).hasSize(1);
    }

    @Test
    void sessionsGiveTheirConnectionBackBetweenStatementsSoOneServesBoth() throws Exception {
        FakeReply answer = one("n", "1");
        proxy.server.on("SELECT n FROM t", answer);
        try (MysqlTestClient first = proxy.client(); MysqlTestClient second = proxy.client()) {
            assertThat(first.query("SELECT n FROM t")).isEqualTo(answer.bytes(DEPRECATE_EOF, SESSION_TRACK));
            Await.until(WAIT, "the first session's connection to return to the pool", () -> proxy.pool().inUse() == 0);

            assertThat(second.query("SELECT n FROM t")).isEqualTo(answer.bytes(DEPRECATE_EOF, SESSION_TRACK));
            Await.until(WAIT, "the second session's connection to return to the pool", () -> proxy.pool().inUse() == 0);
        }
        assertThat(proxy.server.logins()).isEqualTo(1);
        assertThat(proxy.pool().total()).isEqualTo(1);
    }

    @Test
    void aPreparedStatementRunsOnAConnectionItWasNotPreparedOnAfterBeingPreparedThere() throws Exception {
        proxy.server.on("SELECT SLEEP(0.3)", one("s", "0").delayedBy(Duration.ofMillis(300)));
        try (MysqlTestClient preparing = proxy.client(); MysqlTestClient other = proxy.client()) {
            int id = preparing.prepare("DO 1");
            Await.until(WAIT, "the connection to return to the pool", () -> proxy.pool().inUse() == 0);
            other.send("SELECT SLEEP(0.3)");
            Await.until(WAIT, "the other session to hold the connection",
                    () -> proxy.server.queries().contains("SELECT SLEEP(0.3)"));

            byte[] executed = preparing.execute(id);

            assertThat(executed).isEqualTo(FakeReply.ok().bytes(DEPRECATE_EOF, SESSION_TRACK));
            assertThat(MysqlTestClient.error(other.readResponse())).isNull();
        }
        List<Received> statementCommands = proxy.server.received().stream()
                .filter(r -> r.command() == Command.STMT_PREPARE || r.command() == Command.STMT_EXECUTE).toList();
        assertThat(statementCommands).map(Received::toString)
                .containsExactly("stmt_prepare DO 1", "stmt_prepare DO 1", "stmt_execute DO 1");
        assertThat(statementCommands.get(1).connectionId())
                .isNotEqualTo(statementCommands.get(0).connectionId())
                .isEqualTo(statementCommands.get(2).connectionId());
    }

    @Test
    void aReadLostBeforeAnyByteIsRetriedOnTheOtherServerOfItsHostgroup() throws Exception {
        FakeReply answer = one("n", "42");
        AtomicBoolean oneServerFailed = new AtomicBoolean();
        try (ProxyFixture pair = new ProxyFixture(2)) {
            pair.servers.forEach(s -> s.on("SELECT n FROM t", answer)
                    .on(r -> r.argument().equals("SELECT n FROM t") && oneServerFailed.compareAndSet(false, true),
                            FakeReply.closeConnection()));
            try (MysqlTestClient client = pair.client()) {
                byte[] response = client.query("SELECT n FROM t");

                assertThat(response).isEqualTo(answer.bytes(DEPRECATE_EOF, SESSION_TRACK));
            }
            assertThat(pair.servers).allSatisfy(s -> assertThat(s.queries()).containsOnlyOnce("SELECT n FROM t"));
        }
    }

    @Test
    void aClientThatStopsReadingHoldsTheServerBackAndThenGetsTheWholeResult() throws Exception {
        FakeReply large = FakeReply.rows(8_000, 2_000);
        byte[] expected = large.bytes(DEPRECATE_EOF, SESSION_TRACK);
        proxy.server.on("SELECT payload FROM big", large);
        try (MysqlTestClient client = proxy.client()) {
            client.send("SELECT payload FROM big");

            Await.until(WAIT, "the server's send to stall while the client does not read",
                    () -> proxy.server.sendStalledFor(Duration.ofMillis(500)));
            byte[] response = client.readResponse();

            assertThat(response.length).isEqualTo(expected.length);
            assertThat(Arrays.mismatch(response, expected)).isEqualTo(-1);
        }
    }

    @Test
    void aClientThatDoesNotTrackSessionStateGetsTheServersOkWithoutIt() throws Exception {
        proxy.server.on("SET time_zone = '+01:00'", FakeReply.okChanging("time_zone", "+01:00"));
        try (MysqlTestClient client = proxy.client()) {
            byte[] response = client.query("SET time_zone = '+01:00'");

            assertThat(response).isEqualTo(FakeReply.ok().bytes(DEPRECATE_EOF, SESSION_TRACK));
        }
    }

    @Test
    void aStatementPastItsTimeoutIsAnswered1907AndKilledOnItsServerAndTheSessionCarriesOn() throws Exception {
        FakeReply answer = one("n", "1");
        try (ProxyFixture strict = new ProxyFixture(1, "mysql-default_query_timeout", "1000")) {
            strict.server.on("SELECT SLEEP(60)", FakeReply.none()).on("SELECT n FROM t", answer);
            try (MysqlTestClient client = strict.client()) {
                ErrPacket err = MysqlTestClient.error(client.query("SELECT SLEEP(60)"));

                assertThat(err).isNotNull();
                assertThat(err.code()).isEqualTo(ProxyError.QUERY_TIMEOUT.code);
                assertThat(client.query("SELECT n FROM t")).isEqualTo(answer.bytes(DEPRECATE_EOF, SESSION_TRACK));
            }
            Await.until(WAIT, "a KILL to reach the server",
                    () -> strict.server.queries().stream().anyMatch(q -> q.startsWith("KILL")));
            Received sleep = strict.server.received().stream().filter(r -> r.argument().equals("SELECT SLEEP(60)"))
                    .findFirst().orElseThrow();
            Received kill = strict.server.received().stream().filter(r -> r.argument().startsWith("KILL"))
                    .findFirst().orElseThrow();
            assertThat(kill.argument()).isEqualTo("KILL QUERY " + sleep.connectionId());
            assertThat(kill.connectionId()).isNotEqualTo(sleep.connectionId());
        }
    }
}
