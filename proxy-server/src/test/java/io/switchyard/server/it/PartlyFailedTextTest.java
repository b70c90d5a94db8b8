package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A text of several statements that fails part of the way, after statements that answered with
 * an OK and left {@code FOUND_ROWS()} as it was ({@code SET}s, a write without a query of its
 * own): the session's {@code FOUND_ROWS()} is still the one its last result set left, and
 * {@code ROW_COUNT()} is the failure's -1, also when the text ran on another connection than
 * that result set, where another session's count was.
 */
class PartlyFailedTextTest {

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "event-loop-threads = 1");

    private static final String OPTIONS = "allowMultiQueries=true";

    @BeforeAll
    static void table() {
        fixture.cluster().primary().execute("CREATE TABLE IF NOT EXISTS app.partly (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
    }

    @Test
    void aTextThatFailedAfterOksLeavesTheSessionsFoundRows() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&" + OPTIONS;
        List<String> expected = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        // A session that has read FOUND_ROWS() keeps its connection from then on: one session per text.
        for (int n = 1; n <= 2; n++) {
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
                 Connection other = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected.add(failPartOfTheWay(d, other, n, false));
            }
            try (Connection a = fixture.mysql(OPTIONS); Connection other = fixture.mysql(OPTIONS)) {
                proxied.add(failPartOfTheWay(a, other, n, true));
            }
        }
        assertThat(expected).containsExactly("1 -1", "2 -1");
        assertThat(proxied).isEqualTo(expected);
    }

    /**
     * A query of {@code n} rows; then ({@code moved}) a client that logged in since holds that
     * connection, and {@code other} runs a query of 3 rows on another one, which the session's
     * text then takes; the text assigns (n = 1) or writes (n = 2), and fails; returns the
     * {@code FOUND_ROWS()} and {@code ROW_COUNT()} the session reads after it.
     */
    @SuppressWarnings("try") // the holder is only held
    private static String failPartOfTheWay(Connection c, Connection other, int n, boolean moved) throws SQLException {
        try (Statement s = c.createStatement(); Statement o = other.createStatement()) {
            s.executeQuery("SELECT seq FROM seq_1_to_" + n).close();
            try (Connection holder = moved ? fixture.holdLastConnection(OPTIONS, "SELECT 1 FROM partly") : null) {
                o.executeQuery("SELECT seq FROM seq_1_to_3").close();
                String text = n == 1 ? "SET @@session.time_zone = '+01:00'; SET no_such_variable = 1"
                        : "INSERT INTO partly (v) VALUES (1); SET no_such_variable = 1";
                if (moved) {
                    fixture.awaitConnectionsInUse(1);
                }
                assertThatThrownBy(() -> s.execute(text)).isInstanceOf(SQLException.class);
                try (ResultSet rs = s.executeQuery("SELECT FOUND_ROWS(), ROW_COUNT()")) {
                    assertThat(rs.next()).isTrue();
                    return rs.getString(1) + " " + rs.getString(2);
                }
            }
        }
    }
}
