package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code SET} that gives a connection the session's variables before its statement warns
 * when a variable is deprecated ({@code big_tables}: 1287). The server keeps warnings across
 * statements that read no table, so the session's statement there, and a {@code SHOW WARNINGS}
 * after it, would show the proxy's warning where directly there is none (the session's own
 * {@code SET} warned, and a statement reading a table cleared that long before).
 */
class RestoreWarningsTest {

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "event-loop-threads = 1");

    @BeforeAll
    static void table() {
        fixture.cluster().primary().execute("CREATE TABLE IF NOT EXISTS app.restore_w (id INT PRIMARY KEY)",
                "INSERT IGNORE INTO app.restore_w VALUES (1)");
    }

    @Test
    void aStatementOnAConnectionGivenADeprecatedVariableShowsNoWarning() throws Exception {
        List<String> expected;
        try (Connection d = DriverManager.getConnection(fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE),
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = setThenReadWarnings(d, false);
        }
        assertThat(expected).containsExactly("SELECT: none", "SHOW WARNINGS:");
        try (Connection a = fixture.mysql("")) {
            assertThat(setThenReadWarnings(a, true)).isEqualTo(expected);
        }
    }

    /**
     * Sets {@code big_tables} (which warns), reads a table (which clears the warning), leaves the
     * connection ({@code moved}: a client that logged in since holds it, so that the next
     * statement runs on another one, given {@code big_tables} first), runs a statement that
     * reads no table and reads the warnings. (A session that has read its warnings keeps its
     * connection from then on, so none are read before.)
     */
    @SuppressWarnings("try") // the holder is only held
    private static List<String> setThenReadWarnings(Connection c, boolean moved) throws SQLException {
        List<String> seen = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.execute("SET SESSION big_tables = 1");
            long first = connectionId(s, "SELECT @@pseudo_thread_id FROM restore_w");
            try (Connection holder = moved ? fixture.holdLastConnection("", "SELECT id FROM restore_w") : null) {
                long second = connectionId(s, "SELECT @@pseudo_thread_id");
                assertThat(second != first).as("the statement ran on another connection").isEqualTo(moved);
                SQLWarning warnings = s.getWarnings();
                seen.add("SELECT: " + (warnings == null ? "none" : codes(warnings)));
                StringBuilder shown = new StringBuilder("SHOW WARNINGS:");
                try (ResultSet rs = s.executeQuery("SHOW WARNINGS")) {
                    while (rs.next()) {
                        shown.append(' ').append(rs.getInt(2));
                    }
                }
                seen.add(shown.toString());
            }
        }
        return seen;
    }

    private static String codes(SQLWarning w) {
        StringBuilder codes = new StringBuilder();
        for (SQLWarning each = w; each != null; each = each.getNextWarning()) {
            codes.append(codes.isEmpty() ? "" : " ").append(each.getErrorCode());
        }
        return codes.toString();
    }

    private static long connectionId(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }
}
