package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backend connection lost before the client's command took effect there: while the proxy
 * prepares a statement's copy on it before an execution (the connection had none), or under the
 * client's own {@code COM_STMT_PREPARE} before any of the reply reached the client. None of the
 * command ran, so it starts over as after a loss between statements: on another connection with no
 * error to the client; inside a transaction that can run again, after the transaction ran again
 * there ({@code mysql-transaction_replay}); and when state the session relied on was there (a
 * temporary table), the client connection closes as the server closed the backend's. The
 * connection is cut by a relay between the proxy and MariaDB at the {@code COM_STMT_PREPARE}.
 */
class LostBeforeCommandTest {
    private static final int COM_STMT_PREPARE = 0x16;
    /** Server-side prepared statements, prepared again by the client each time (Connector/J's default without the cache). */
    private static final String PREPARED = "useServerPrepStmts=true&socketTimeout=30000";

    @RegisterExtension
    static final CommandCuttingRelay relay = CommandCuttingRelay.start();

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0,
            cluster -> relay.beforePrimary(cluster) + "variables { mysql-transaction_replay = true }\n");

    @BeforeAll
    static void table() {
        fixture.cluster().primary().execute("CREATE TABLE app.cut_t (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)",
                "CREATE DATABASE cut_other");
    }

    private static MariaDbServer primary() {
        return fixture.cluster().primary();
    }

    /**
     * Ends the proxy's idle backend connections on the server (and waits until the proxy saw
     * them go), so that the next execution of a statement prepared before is prepared first on
     * a new connection.
     */
    private static void endIdleBackendConnections() {
        for (Map<String, Object> row : primary().query("SELECT id FROM information_schema.processlist WHERE user = 'app'")) {
            try {
                primary().execute("KILL CONNECTION " + row.get("id"));
            } catch (RuntimeException e) {
                // it ended meanwhile
            }
        }
        Await.until(Duration.ofSeconds(10), () -> "the proxy's backend connections end (open: " + fixture.backendConnectionsOpen() + ")",
                () -> fixture.backendConnectionsOpen() == 0);
    }

    private static String rows(int from, int to) {
        return primary().queryString("SELECT GROUP_CONCAT(CONCAT(id, v) ORDER BY id) FROM app.cut_t WHERE id BETWEEN " + from
                + " AND " + to);
    }

    @Test
    void anExecutionWhoseCopyIsPreparedOnALostConnectionRunsAfterItsTransactionRanAgain() throws Exception {
        long replayed = fixture.proxy().stats().transactionsReplayed();
        int cutsBefore = relay.cuts();
        try (Connection c = fixture.mysql(PREPARED);
             PreparedStatement read = c.prepareStatement("SELECT COUNT(*), MAX(v) FROM cut_t WHERE id BETWEEN ? AND 19");
             Statement s = c.createStatement()) {
            endIdleBackendConnections();
            s.execute("BEGIN");
            s.executeUpdate("INSERT INTO cut_t VALUES (10, 'a')");
            relay.cutNext(COM_STMT_PREPARE);
            read.setInt(1, 10);
            try (ResultSet rs = read.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("the transaction's own row, read after it ran again").isEqualTo(1);
                assertThat(rs.getString(2)).isEqualTo("a");
            }
            assertThat(relay.cuts() - cutsBefore).as("connections cut at the copy's prepare").isEqualTo(1);
            s.executeUpdate("INSERT INTO cut_t VALUES (11, 'b')");
            s.execute("COMMIT");
        }
        assertThat(fixture.proxy().stats().transactionsReplayed() - replayed).as("transactions run again").isEqualTo(1);
        assertThat(rows(10, 19)).isEqualTo("10a,11b");
    }

    @Test
    void aClientPrepareLostBeforeItsReplyRunsAfterItsTransactionRanAgain() throws Exception {
        long replayed = fixture.proxy().stats().transactionsReplayed();
        int cutsBefore = relay.cuts();
        try (Connection c = fixture.mysql(PREPARED); Statement s = c.createStatement()) {
            s.execute("BEGIN");
            s.executeUpdate("INSERT INTO cut_t VALUES (20, 'c')");
            relay.cutNext(COM_STMT_PREPARE);
            try (PreparedStatement read = c.prepareStatement("SELECT v FROM cut_t WHERE id = ?")) {
                assertThat(relay.cuts() - cutsBefore).as("connections cut at the client's prepare").isEqualTo(1);
                assertThat(read.getClass().getSimpleName()).as("prepared on the server").isEqualTo("ServerPreparedStatement");
                read.setInt(1, 20);
                try (ResultSet rs = read.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("c");
                }
            }
            s.executeUpdate("INSERT INTO cut_t VALUES (21, 'd')");
            s.execute("COMMIT");
        }
        assertThat(fixture.proxy().stats().transactionsReplayed() - replayed).as("transactions run again").isEqualTo(1);
        assertThat(rows(20, 29)).isEqualTo("20c,21d");
    }

    @Test
    void outsideATransactionTheCommandRunsOnAnotherConnectionOnce() throws Exception {
        int cutsBefore = relay.cuts();
        try (Connection c = fixture.mysql(PREPARED);
             PreparedStatement insert = c.prepareStatement("INSERT INTO cut_t VALUES (?, ?)")) {
            endIdleBackendConnections();
            relay.cutNext(COM_STMT_PREPARE);
            insert.setInt(1, 30);
            insert.setString(2, "e");
            assertThat(insert.executeUpdate()).isEqualTo(1);
            assertThat(relay.cuts() - cutsBefore).as("connections cut at the copy's prepare").isEqualTo(1);

            relay.cutNext(COM_STMT_PREPARE);
            try (PreparedStatement read = c.prepareStatement("SELECT v FROM cut_t WHERE id = ?")) {
                assertThat(relay.cuts() - cutsBefore).as("connections cut at the client's prepare").isEqualTo(2);
                assertThat(read.getClass().getSimpleName()).as("prepared on the server").isEqualTo("ServerPreparedStatement");
                read.setInt(1, 30);
                try (ResultSet rs = read.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("e");
                }
            }
        }
        assertThat(rows(30, 39)).as("the insert ran once").isEqualTo("30e");
    }

    /**
     * Before a write, the proxy prepares on its connection the session's statements that read
     * {@code ROW_COUNT()} under another database, whose execution right after the write reads its count; a
     * connection lost there has not run the write, which runs on another connection, once.
     */
    @Test
    void aWriteWhoseConnectionIsLostWhileTheProxyPreparesForItRunsOnAnotherOnce() throws Exception {
        int cutsBefore = relay.cuts();
        try (Connection c = fixture.mysql(PREPARED);
             PreparedStatement rowCount = c.prepareStatement("SELECT ROW_COUNT()");
             Statement s = c.createStatement()) {
            s.execute("USE cut_other");
            endIdleBackendConnections();
            relay.cutNext(COM_STMT_PREPARE);
            assertThat(s.executeUpdate("INSERT INTO app.cut_t VALUES (40, 'f'), (41, 'g')")).isEqualTo(2);
            assertThat(relay.cuts() - cutsBefore).as("connections cut at the prepare before the write").isEqualTo(1);
            try (ResultSet rs = rowCount.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("ROW_COUNT() of the write").isEqualTo(2);
            }
        }
        assertThat(rows(40, 49)).as("the write ran once").isEqualTo("40f,41g");
    }

    @Test
    void aSessionWhoseStateWasOnTheLostConnectionIsClosedAsTheServerClosedIt() throws Exception {
        int cutsBefore = relay.cuts();
        // A failed server-side prepare is reported, not replaced by a client-side one.
        try (Connection c = fixture.mysql(PREPARED + "&emulateUnsupportedPstmts=false"); Statement s = c.createStatement()) {
            s.execute("CREATE TEMPORARY TABLE cut_tmp (id INT)");
            relay.cutNext(COM_STMT_PREPARE);
            SQLException lost = catchThrowableOfType(SQLException.class, () -> c.prepareStatement("SELECT id FROM cut_tmp WHERE id = ?"));
            assertThat(relay.cuts() - cutsBefore).isEqualTo(1);
            assertThat((Throwable) lost).as("the prepare after the temporary table's connection was lost").isNotNull();
            ConnectionLost.assertLost(lost);
            assertThat(c.isValid(2)).isFalse();
        }
    }
}
