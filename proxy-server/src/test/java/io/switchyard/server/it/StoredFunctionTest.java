package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stored function whose body takes an advisory lock or a sequence's next value, which the
 * server does not report: the lock stays the calling session's (another session does not get
 * it, the caller releases it) and the sequence's last value is the caller's, as directly. The
 * script runs on three direct connections and on three proxy sessions, as in
 * {@link SequenceTest}: a new session borrows the connection the caller gave back last, were
 * the caller free to move, and holds it inside a transaction. One event loop, so the sessions
 * share one pool partition.
 */
class StoredFunctionTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            event-loop-threads = 1
            """);

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
        String params = serverPrepared ? "useServerPrepStmts=true" : "";
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + (serverPrepared ? "&" + params : "");
        recreate();
        List<String> expected;
        try (Connection a = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection b = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection h = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = SequenceTest.run(SCRIPT, a, b, h, serverPrepared);
        }
        recreate();
        List<String> proxied;
        try (Connection a = fixture.mysql(params); Connection b = fixture.mysql(params); Connection h = fixture.mysql(params)) {
            proxied = SequenceTest.run(SCRIPT, a, b, h, serverPrepared);
        }
        assertThat(expected).as("directly").containsExactly("1", "1", "0", "0", "1 | 1", "1 | 1");
        assertThat(proxied).as("through the proxy").isEqualTo(expected);
    }
}
