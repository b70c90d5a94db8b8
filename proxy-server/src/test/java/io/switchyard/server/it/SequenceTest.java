package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sequence's last value ({@code LASTVAL(s)}, {@code PREVIOUS VALUE FOR s}) is per connection on
 * the server, which does not report it: read through the proxy it is what it is directly, for
 * the session that took the value and for the others. The same script runs on three direct
 * connections and on three proxy sessions; a third session holds the connection the first gave
 * back last inside a transaction, as in {@link MultiplexingTest}, so a session that could move
 * would. One event loop, so the sessions share one pool partition.
 */
class SequenceTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            event-loop-threads = 1
            """);

    /** Who runs each step: the two sessions under test, and the one that holds a connection. */
    private static final String[][] SCRIPT = {
        {"a", "SELECT NEXTVAL(seq_a)"},
        {"a", "SELECT NEXTVAL(seq_a)"},
        {"h", "BEGIN"},
        {"h", "SELECT COUNT(*) FROM seq_rows"},
        {"a", "SELECT LASTVAL(seq_a), PREVIOUS VALUE FOR seq_a"},
        {"h", "COMMIT"},
        {"b", "SELECT LASTVAL(seq_a)"},
        // The column's default takes seq_b's next value, unseen in the statement's text.
        {"b", "INSERT INTO seq_rows (v) VALUES (20)"},
        {"b", "SELECT LASTVAL(seq_b), (SELECT MAX(id) FROM seq_rows)"},
        {"a", "SELECT NEXT VALUE FOR seq_b"},
        {"h", "SELECT LASTVAL(seq_b), LASTVAL(seq_a)"},
        {"a", "SELECT LASTVAL(seq_b), PREVIOUS VALUE FOR seq_a"},
        {"b", "SELECT PREVIOUS VALUE FOR seq_b"},
    };

    private static void recreate() {
        fixture.cluster().primary().execute(
                "DROP TABLE IF EXISTS app.seq_rows", "DROP SEQUENCE IF EXISTS app.seq_a", "DROP SEQUENCE IF EXISTS app.seq_b",
                "CREATE SEQUENCE app.seq_a", "CREATE SEQUENCE app.seq_b",
                "CREATE TABLE app.seq_rows (id INT DEFAULT NEXTVAL(app.seq_b) PRIMARY KEY, v INT)");
    }

    @ParameterizedTest(name = "server-prepared: {0}")
    @ValueSource(booleans = {false, true})
    void lastValuesAreTheSessionsOwn(boolean serverPrepared) throws Exception {
        List<List<String>> seen = directAndProxied(fixture, SCRIPT, SequenceTest::recreate, serverPrepared);
        assertThat(seen.get(0)).as("directly").containsExactly("1", "2", "0", "2 | 2", "null", "1 | 1", "2", "null | null",
                "2 | 2", "1");
        assertThat(seen.get(1)).as("through the proxy").isEqualTo(seen.get(0));
    }

    /**
     * {@code script}'s rows ({@link #run}) on three direct connections to {@code fixture}'s
     * primary, then on three sessions through its proxy, each after {@code recreate}; with
     * {@code serverPrepared}, every statement a server-side prepared one.
     */
    static List<List<String>> directAndProxied(ProxyFixture fixture, String[][] script, Runnable recreate, boolean serverPrepared)
            throws SQLException {
        return directAndProxied(fixture, script, recreate, serverPrepared ? "useServerPrepStmts=true" : "");
    }

    /** The same, the connections opened with Connector/J's {@code params} ({@code name=value&...}, or ""). */
    static List<List<String>> directAndProxied(ProxyFixture fixture, String[][] script, Runnable recreate, String params)
            throws SQLException {
        boolean serverPrepared = params.contains("useServerPrepStmts=true");
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + (params.isEmpty() ? "" : "&" + params);
        recreate.run();
        List<String> expected;
        try (Connection a = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection b = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection h = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = run(script, a, b, h, serverPrepared);
        }
        recreate.run();
        List<String> proxied;
        try (Connection a = fixture.mysql(params); Connection b = fixture.mysql(params); Connection h = fixture.mysql(params)) {
            proxied = run(script, a, b, h, serverPrepared);
        }
        return List.of(expected, proxied);
    }

    /**
     * Runs {@code script} (steps of sessions {@code a}, {@code b} and {@code h}); returns each
     * result row as "v | v", statements without one left out.
     */
    static List<String> run(String[][] script, Connection a, Connection b, Connection h, boolean serverPrepared) throws SQLException {
        List<String> rows = new ArrayList<>();
        for (String[] step : script) {
            Connection c = switch (step[0]) {
                case "a" -> a;
                case "b" -> b;
                default -> h;
            };
            try (Statement s = serverPrepared ? c.prepareStatement(step[1]) : c.createStatement()) {
                boolean hasRows = serverPrepared ? ((java.sql.PreparedStatement) s).execute() : s.execute(step[1]);
                if (hasRows) {
                    try (ResultSet rs = s.getResultSet()) {
                        while (rs.next()) {
                            List<String> values = new ArrayList<>();
                            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                                values.add(String.valueOf(rs.getString(i)));
                            }
                            rows.add(String.join(" | ", values));
                        }
                    }
                }
            }
        }
        return rows;
    }
}
