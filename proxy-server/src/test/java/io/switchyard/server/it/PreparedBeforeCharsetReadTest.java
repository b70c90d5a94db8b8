package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After a text that changed the character sets in a way the server does not report (a
 * {@code SET NAMES … COLLATE} before a statement of the same text that failed, or before a later
 * {@code SET collation_connection}), the proxy reads them back before the session's next
 * statement. A statement the client prepares in between is prepared by the server under what it
 * has, which the proxy's view does not show yet: it keeps that collation when the proxy prepares
 * it again on another connection, and a copy of the same text prepared later under another
 * collation does not stand in for it.
 */
class PreparedBeforeCharsetReadTest {

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "event-loop-threads = 1");

    private static final String OPTIONS = "allowMultiQueries=true&useServerPrepStmts=true&cachePrepStmts=false";

    @BeforeAll
    static void createTable() {
        fixture.cluster().primary().execute("CREATE TABLE IF NOT EXISTS " + MariaDbCluster.APP_DATABASE
                + ".unread_t (id INT PRIMARY KEY)", "INSERT IGNORE INTO " + MariaDbCluster.APP_DATABASE + ".unread_t VALUES (1)");
    }

    private static Connection direct() throws SQLException {
        return DriverManager.getConnection(fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&" + OPTIONS,
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }

    /**
     * A session free to move: the text fails after its {@code SET NAMES … COLLATE}, the client
     * prepares a comparison, runs a statement that reads a table (so the session may leave its
     * connection), and runs the comparison while a client that logged in since holds that
     * connection (a new session takes the connection given back last).
     */
    @Test
    void aStatementPreparedBeforeTheReadKeepsItsCollationOnAnotherConnection() throws Exception {
        List<String> expected;
        try (Connection d = direct()) {
            expected = failedTextThenPrepare(d, false);
        }
        assertThat(expected).containsExactly("0", "utf8mb4_bin");
        try (Connection a = fixture.mysql(OPTIONS)) {
            long reprepares = fixture.proxy().stats().stmtReprepares();
            assertThat(failedTextThenPrepare(a, true)).isEqualTo(expected);
            assertThat(fixture.proxy().stats().stmtReprepares()).as("the comparison ran on a copy prepared on another connection")
                    .isGreaterThan(reprepares);
        }
    }

    /** The steps of {@link #aStatementPreparedBeforeTheReadKeepsItsCollationOnAnotherConnection}; {@code moved}: another client takes the connection. */
    @SuppressWarnings("try") // the holder is only held
    private static List<String> failedTextThenPrepare(Connection c, boolean moved) throws SQLException {
        List<String> seen = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("SET NAMES utf8mb4 COLLATE utf8mb4_bin; USE no_such_database"))
                    .isInstanceOf(SQLException.class);
            try (PreparedStatement compare = c.prepareStatement("SELECT 'a' = 'A' /* moved */")) {
                s.executeQuery("SELECT COUNT(*) FROM unread_t").close();
                try (Connection holder = moved ? fixture.holdLastConnection(OPTIONS, "SELECT id FROM unread_t") : null) {
                    seen.add(first(compare.executeQuery()));
                }
            }
            seen.add(first(s.executeQuery("SELECT @@collation_connection")));
        }
        return seen;
    }

    /**
     * A session that stays on its connection (it assigned a user variable): the comparison
     * prepared right after a text of several character-set statements was prepared under
     * {@code utf8mb4_bin}; the same text prepared again after {@code SET NAMES utf8mb4} (under
     * {@code utf8mb4_general_ci}) is another statement, and each keeps its own answer.
     */
    @Test
    void twoStatementsOfOneTextInAPinnedSessionKeepTheirCollations() throws Exception {
        List<String> expected;
        try (Connection d = direct()) {
            expected = severalCharsetStatementsThenPrepareTwice(d);
        }
        assertThat(expected).containsExactly("general_ci: 1", "bin: 0", "utf8mb4_general_ci");
        try (Connection a = fixture.mysql(OPTIONS)) {
            assertThat(severalCharsetStatementsThenPrepareTwice(a)).isEqualTo(expected);
        }
    }

    private static List<String> severalCharsetStatementsThenPrepareTwice(Connection c) throws SQLException {
        List<String> seen = new ArrayList<>();
        String sql = "SELECT 'a' = 'A' /* pinned */";
        try (Statement s = c.createStatement()) {
            s.execute("SET @pinned = 1");
            s.execute("SET NAMES utf8mb4; SET collation_connection = 'utf8mb4_bin'");
            try (PreparedStatement underBin = c.prepareStatement(sql)) {
                s.executeQuery("SELECT 1").close();
                s.execute("SET NAMES utf8mb4");
                try (PreparedStatement underGeneral = c.prepareStatement(sql)) {
                    seen.add("general_ci: " + first(underGeneral.executeQuery()));
                }
                seen.add("bin: " + first(underBin.executeQuery()));
            }
            seen.add(first(s.executeQuery("SELECT @@collation_connection")));
        }
        return seen;
    }

    private static String first(ResultSet rs) throws SQLException {
        try (rs) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
