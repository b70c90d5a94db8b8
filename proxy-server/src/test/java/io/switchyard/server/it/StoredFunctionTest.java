package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stored function whose body takes an advisory lock or a sequence's next value, which the
 * server does not report: the proxy reads the body, pins the session, and the lock stays the
 * calling session's (another session does not get it, the caller releases it) and the
 * sequence's last value is the caller's, as directly. The
 * script runs on three direct connections and on three proxy sessions, as in
 * {@link SequenceTest}: a new session borrows the connection the caller gave back last, were
 * the caller free to move, and holds it inside a transaction. One event loop, so the sessions
 * share one pool partition.
 */
class StoredFunctionTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            event-loop-threads = 1
            users = [ { username = "app", password = "app-pass", default-hostgroup = 0 },
                      { username = "narrow", password = "narrow-pass", default-hostgroup = 0 } ]
            """);

    private static final String NARROW_USER = "narrow";
    private static final String NARROW_PASSWORD = "narrow-pass";

    private static final String[][] SCRIPT = {
        {"a", "SELECT take_lock('fn_lock')"},
        {"a", "SELECT next_id()"},
        // A new session: the connection a gave back last, were a free to move.
        {"h", "BEGIN"},
        {"h", "SELECT GET_LOCK('fn_lock', 0)"},
        {"b", "SELECT GET_LOCK('fn_lock', 0)"},
        {"a", "SELECT LASTVAL(fn_seq), RELEASE_LOCK('fn_lock')"},
        {"h", "COMMIT"},
        {"b", "SELECT GET_LOCK('fn_lock', 0), RELEASE_LOCK('fn_lock')"},
    };

    private static void recreate() {
        fixture.cluster().primary().execute(
                "DROP TABLE IF EXISTS app.fn_rows", "DROP SEQUENCE IF EXISTS app.fn_seq",
                "DROP FUNCTION IF EXISTS app.take_lock", "DROP FUNCTION IF EXISTS app.next_id",
                "CREATE SEQUENCE app.fn_seq", "CREATE TABLE app.fn_rows (id INT)",
                "CREATE FUNCTION app.take_lock(n VARCHAR(64)) RETURNS INT NO SQL RETURN GET_LOCK(n, 0)",
                "CREATE FUNCTION app.next_id() RETURNS BIGINT READS SQL DATA RETURN NEXTVAL(app.fn_seq)");
    }

    @ParameterizedTest(name = "server-prepared: {0}")
    @ValueSource(booleans = {false, true})
    void whatAFunctionLeavesStaysTheCallers(boolean serverPrepared) throws Exception {
        List<List<String>> seen = SequenceTest.directAndProxied(fixture, SCRIPT, StoredFunctionTest::recreate, serverPrepared);
        assertThat(seen.get(0)).as("directly").containsExactly("1", "1", "0", "0", "1 | 1", "1 | 1");
        assertThat(seen.get(1)).as("through the proxy").isEqualTo(seen.get(0));
    }

    /**
     * A function whose body leaves nothing the server does not report lets the session move on
     * (the next statement runs on another connection once a second session holds the one it
     * gave back); one whose body the session's account may not read (another account defined it,
     * and this one has no privilege beyond the database) keeps the session on its connection.
     */
    @Test
    void aSessionMovesAfterAFunctionWhoseBodyTheProxyReadAndFoundPlain() throws Exception {
        fixture.cluster().primary().execute(
                "CREATE OR REPLACE FUNCTION app.plus_one(v INT) RETURNS INT DETERMINISTIC NO SQL RETURN v + 1",
                "CREATE TABLE IF NOT EXISTS app.fn_hold (id INT)",
                "CREATE USER IF NOT EXISTS '" + NARROW_USER + "'@'%' IDENTIFIED BY '" + NARROW_PASSWORD + "'",
                "GRANT ALL ON app.* TO '" + NARROW_USER + "'@'%'");
        String[][] accounts = {{MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD}, {NARROW_USER, NARROW_PASSWORD}};
        for (String[] account : accounts) {
            boolean readable = account[0].equals(MariaDbCluster.APP_USER);
            try (Connection a = DriverManager.getConnection(fixture.mysqlUrl(""), account[0], account[1]);
                 Connection h = fixture.mysql(""); Statement sa = a.createStatement(); Statement sh = h.createStatement()) {
                String[] first = row(sa, "SELECT plus_one(1), @@pseudo_thread_id");
                assertThat(first[0]).isEqualTo("2");
                sa.execute("DO 0");
                awaitConnectionsInUse(readable ? 0 : 1);
                sh.execute("BEGIN");
                sh.executeQuery("SELECT COUNT(*) FROM app.fn_hold").close();
                try {
                    String thread = row(sa, "SELECT @@pseudo_thread_id")[0];
                    if (readable) {
                        assertThat(thread).as("moved after a plain function").isNotEqualTo(first[1]);
                    } else {
                        assertThat(thread).as("stays after a function whose body it cannot read").isEqualTo(first[1]);
                    }
                } finally {
                    sh.execute("COMMIT");
                }
            }
        }
    }

    /** Waits until {@code count} connections are in use (the proxy reads a body after the client has its reply). */
    private static void awaitConnectionsInUse(int count) throws InterruptedException {
        fixture.awaitConnectionsInUse(count);
        Thread.sleep(100);
        assertThat(fixture.proxy().topology().allPools().get(0).inUse()).as("connections in use after the statements").isEqualTo(count);
    }

    private static String[] row(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            String[] row = new String[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < row.length; i++) {
                row[i] = rs.getString(i + 1);
            }
            return row;
        }
    }
}
