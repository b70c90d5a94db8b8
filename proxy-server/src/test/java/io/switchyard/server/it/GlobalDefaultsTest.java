package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.BackendPool;
import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code SET GLOBAL} run through the proxy: a session that starts afterwards gets the new
 * values, and a session that started before keeps the ones it started with, whichever backend
 * connection each runs on — as with direct connections. Each part checks that it ran on the kind
 * of connection that makes the difference: a new session on one that logged in before the change,
 * an old session on one that logged in after it. A variable whose session value is read-only
 * ({@code max_allowed_packet}) is taken from the global at login: a session that starts after a
 * change of it does not get a connection that logged in before.
 */
class GlobalDefaultsTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    private static final String READ = "SELECT @@sql_mode, @@max_sort_length, @@tx_isolation, @@div_precision_increment, "
            + "@@max_connections, @@pseudo_thread_id";

    private static Connection direct() throws SQLException {
        return DriverManager.getConnection(fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE),
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }

    /** The session values {@link #READ} reads, and last the backend thread it ran on. */
    private static List<String> read(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(READ)) {
            rs.next();
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                row.add(rs.getString(i));
            }
            return row;
        }
    }

    private static List<String> values(List<String> row) {
        return row.subList(0, row.size() - 1);
    }

    private static long thread(List<String> row) {
        return Long.parseLong(row.get(row.size() - 1));
    }

    /** The server threads of the application user's connections now (the proxy's backend connections among them). */
    private static Set<Long> appThreads() throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (Connection d = direct(); Statement s = d.createStatement();
             ResultSet rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'app'")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** Has {@code n} sessions hold a backend connection each at the same time, then ends them: the pool keeps the connections idle. */
    private static void holdConnectionsAtOnce(int n) throws SQLException {
        List<Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Connection c = fixture.mysql("");
                sessions.add(c);
                execute(c, "BEGIN", "SELECT 1");
            }
            for (Connection c : sessions) {
                execute(c, "COMMIT");
            }
        } finally {
            for (Connection c : sessions) {
                c.close();
            }
        }
    }

    private static BackendPool pool() {
        return fixture.proxy().topology().allPools().get(0);
    }

    private static void execute(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    @Test
    void sessionsThatStartAfterASetGlobalGetTheNewValuesAndOlderSessionsKeepTheirs() throws Exception {
        List<String> original;
        try (Connection d = direct()) {
            original = read(d);
        }
        try (Connection oldThroughProxy = fixture.mysql(""); Connection oldDirect = direct()) {
            List<String> oldAtStart = read(oldThroughProxy);
            holdConnectionsAtOnce(4);
            assertThat(values(oldAtStart)).isEqualTo(values(read(oldDirect)));
            Set<Long> loggedInBefore = appThreads();
            try (Connection operator = fixture.mysql("")) {
                execute(operator, "SET GLOBAL sql_mode = 'ANSI_QUOTES,STRICT_ALL_TABLES', max_sort_length = 2000, "
                        + "max_connections = 400, @@global.div_precision_increment = 9",
                        "SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED");
            }
            try {
                try (Connection newThroughProxy = fixture.mysql(""); Connection newDirect = direct()) {
                    List<String> expected = values(read(newDirect));
                    assertThat(expected.get(0)).as("the change took effect directly").startsWith("ANSI_QUOTES,");
                    assertThat(expected.subList(1, 5)).containsExactly("2000", "READ-COMMITTED", "9", "400");
                    List<String> got = read(newThroughProxy);
                    assertThat(loggedInBefore).as("the new session ran on a connection that logged in before the change")
                            .contains(thread(got));
                    assertThat(values(got)).isEqualTo(expected);
                }

                closeIdleConnections();
                List<String> oldNow = read(oldThroughProxy);
                assertThat(loggedInBefore).as("the old session ran on a connection that logged in after the change")
                        .doesNotContain(thread(oldNow));
                assertThat(values(oldNow)).as("a session keeps the globals it started with").isEqualTo(values(read(oldDirect)));
                assertThat(values(oldNow).subList(0, 4)).as("the session variables, not max_connections, which has no session value")
                        .isEqualTo(values(oldAtStart).subList(0, 4));
            } finally {
                try (Connection operator = fixture.mysql("")) {
                    execute(operator, "SET GLOBAL sql_mode = '" + original.get(0) + "', max_sort_length = " + original.get(1)
                            + ", max_connections = " + original.get(4) + ", div_precision_increment = " + original.get(3),
                            "SET GLOBAL tx_isolation = '" + original.get(2) + "'");
                }
            }
        }
    }

    @Test
    void aSessionThatStartsAfterASetGlobalOfTheTrackingSettingsHasTheNewOnes() throws Exception {
        String read = "SELECT @@session_track_system_variables, @@session_track_state_change, @@pseudo_thread_id";
        List<String> original;
        try (Connection d = direct()) {
            original = results(d, read);
        }
        holdConnectionsAtOnce(4);
        Set<Long> loggedInBefore = appThreads();
        try (Connection operator = fixture.mysql("")) {
            execute(operator, "SET GLOBAL session_track_system_variables = 'time_zone', session_track_state_change = ON");
        }
        try (Connection p = fixture.mysql(""); Connection d = direct()) {
            String[] got = results(p, read).get(0).split("\\|");
            assertThat(loggedInBefore).as("the new session ran on a connection that logged in before the change")
                    .contains(Long.parseLong(got[2]));
            String[] expected = results(d, read).get(0).split("\\|");
            assertThat(expected[0]).as("the change took effect directly").isEqualTo("time_zone");
            assertThat(List.of(got[0], got[1])).isEqualTo(List.of(expected[0], expected[1]));
        } finally {
            String[] was = original.get(0).split("\\|");
            try (Connection operator = fixture.mysql("")) {
                execute(operator, "SET GLOBAL session_track_system_variables = '" + was[0] + "', session_track_state_change = "
                        + was[1]);
            }
        }
    }

    /**
     * A global whose session value no session may set ({@code max_allowed_packet}: a login takes
     * it from the global), changed through the proxy and then directly on the server: a session
     * that starts after each change gets the new value, as directly, and so does the width of a
     * column computed from it. The proxy does not give such a session a connection that logged in
     * before the change: it closes it and borrows another. Once it saw such a change, the proxy
     * reads these globals again when a session starts, so the direct change is noticed by the
     * next session.
     */
    @Test
    void aSessionThatStartsAfterAChangeOfALoginOnlyGlobalGetsTheNewValue() throws Exception {
        String read = "SELECT @@max_allowed_packet, @@pseudo_thread_id";
        String original = directFirstColumn("SELECT @@GLOBAL.max_allowed_packet");
        awaitMonitorReading();
        try {
            holdConnectionsAtOnce(4);
            Set<Long> loggedInBefore = appThreads();
            try (Connection operator = fixture.mysql("")) {
                execute(operator, "SET GLOBAL max_allowed_packet = 2097152");
            }
            try (Connection p = fixture.mysql("")) {
                String[] got = results(p, read).get(0).split("\\|");
                assertThat(got[0]).as("after a change through the proxy").isEqualTo(directFirstColumn(read)).isEqualTo("2097152");
                assertThat(loggedInBefore).as("not a connection from before the change").doesNotContain(Long.parseLong(got[1]));
            }
            holdConnectionsAtOnce(4);
            try (Connection d = direct()) {
                execute(d, "SET GLOBAL max_allowed_packet = 32768");
            }
            String[] got = newSessionsUntil(read, "32768", 15, row -> { });
            assertThat(got[0]).as("a session started %s tries after a change made directly", got[1]).isEqualTo("32768");
            assertThat(got[1]).as("noticed by the first session that starts: the proxy reads it at each start once it changed")
                    .isEqualTo("1");
            String width = "CREATE TABLE app.sized AS SELECT REPEAT('x', 10) AS r, SFORMAT(_ucs2 x'003D007B007D003D', _ucs2 x'0442') AS s";
            String type = "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'sized' "
                    + "AND COLUMN_NAME = 's'";
            List<String> types = new ArrayList<>();
            for (Connection c : List.of(direct(), fixture.mysql(""))) {
                try (c) {
                    execute(c, "DROP TABLE IF EXISTS app.sized", width);
                    types.add(results(c, type).get(0));
                    execute(c, "DROP TABLE app.sized");
                }
            }
            assertThat(types.get(0)).as("directly, a column as wide as max_allowed_packet allows (mediumtext at 2 MiB)")
                    .isEqualTo("text|");
            assertThat(types.get(1)).as("through the proxy").isEqualTo(types.get(0));
        } finally {
            try (Connection d = direct()) {
                execute(d, "SET GLOBAL max_allowed_packet = " + original);
            }
            // Seen by the monitor before the next test holds connections of its own.
            newSessionsUntil(read, original, 15, row -> { });
        }
    }

    /**
     * A connection that logged in while {@code max_allowed_packet} and {@code net_buffer_length}
     * were small keeps their packet limit after the pool resets it, though its variables then
     * show the new globals: a session that starts after the globals went back up does not run on
     * it, and its 5,000-byte query runs as directly. The pool's idle connections are closed first,
     * so that every connection left is one of the small ones.
     */
    @Test
    void aConnectionThatLoggedInWithASmallPacketLimitDoesNotServeLaterSessionsAfterItsReset() throws Exception {
        String packet = directFirstColumn("SELECT @@GLOBAL.max_allowed_packet");
        String buffer = directFirstColumn("SELECT @@GLOBAL.net_buffer_length");
        String query = "SELECT LENGTH('" + "x".repeat(5000) + "')";
        try (Connection d = direct()) {
            assertThat(results(d, query)).as("directly").containsExactly("5000|");
        }
        try {
            // The server's reset of such a connection fails now and then (it is closed then):
            // three rounds, so that one leaves a small connection in the pool.
            for (int round = 0; round < 3; round++) {
                try (Connection operator = fixture.mysql("")) {
                    execute(operator, "SET GLOBAL net_buffer_length = 1024, max_allowed_packet = 2048");
                }
                closeIdleConnections();
                try (Connection small = fixture.mysql("")) {
                    assertThat(results(small, "SELECT @@max_allowed_packet")).containsExactly("2048|");
                    try (Connection operator = fixture.mysql("")) {
                        execute(operator, "SET GLOBAL net_buffer_length = " + buffer + ", max_allowed_packet = " + packet);
                    }
                }
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (pool().inUse() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                try (Connection p = fixture.mysql("")) {
                    assertThat(results(p, query)).as("round %d: a session after the globals went back up", round)
                            .containsExactly("5000|");
                }
            }
        } finally {
            try (Connection d = direct()) {
                execute(d, "SET GLOBAL net_buffer_length = " + buffer + ", max_allowed_packet = " + packet);
            }
        }
    }

    /**
     * A global the proxy follows, changed again directly on the server: the next session to start
     * gets the server's value, not the one the proxy saw last.
     */
    @Test
    void aFollowedGlobalChangedAgainDirectlyOnTheServerIsNoticedWhenTheNextSessionStarts() throws Exception {
        String read = "SELECT @@max_sort_length, @@pseudo_thread_id";
        String original = directFirstColumn(read);
        holdConnectionsAtOnce(4);
        Set<Long> loggedInBefore = appThreads();
        try {
            try (Connection operator = fixture.mysql("")) {
                execute(operator, "SET GLOBAL max_sort_length = 2000");
            }
            try (Connection d = direct()) {
                execute(d, "SET GLOBAL max_sort_length = 1500");
            }
            try (Connection p = fixture.mysql(""); Connection d = direct()) {
                String[] got = results(p, read).get(0).split("\\|");
                assertThat(loggedInBefore).as("the new session ran on a connection that logged in before the changes")
                        .contains(Long.parseLong(got[1]));
                assertThat(got[0]).isEqualTo(results(d, read).get(0).split("\\|")[0]).isEqualTo("1500");
            }
        } finally {
            try (Connection operator = fixture.mysql("")) {
                execute(operator, "SET GLOBAL max_sort_length = " + original);
            }
        }
    }

    /**
     * A global the proxy never saw change, changed directly on the server: the monitor reads the
     * server's global defaults every {@code mysql-monitor_globals_interval}, and from its next read
     * on a session that starts gets the new value, also on a connection that logged in before the
     * change, as a direct session does. Bounded: the read comes within two intervals (default
     * settings) plus the time sessions take.
     */
    @Test
    void aGlobalChangedDirectlyOnTheServerReachesNewSessionsAfterTheMonitorsNextRead() throws Exception {
        String read = "SELECT @@group_concat_max_len, @@pseudo_thread_id";
        String original = directFirstColumn(read);
        assertThat(pool().globals().names()).as("never seen changing").doesNotContain("group_concat_max_len");
        awaitMonitorReading();
        holdConnectionsAtOnce(4);
        Set<Long> loggedInBefore = appThreads();
        try {
            try (Connection d = direct()) {
                execute(d, "SET GLOBAL group_concat_max_len = 4321");
            }
            String[] got = newSessionsUntil(read, "4321", 15, row -> assertThat(loggedInBefore)
                    .as("the new session ran on a connection that logged in before the change").contains(Long.parseLong(row[1])));
            assertThat(got[0]).as("a session started %s tries after the change", got[1]).isEqualTo("4321");
            assertThat(pool().globals().names()).contains("group_concat_max_len");
        } finally {
            try (Connection d = direct()) {
                execute(d, "SET GLOBAL group_concat_max_len = " + original);
            }
        }
    }

    /**
     * Where the server refuses a followed value (here a variable whose session value is
     * read-only, recorded as if the proxy had seen it change), the session's statement still
     * runs, on another connection, and the proxy stops following the variable.
     */
    @Test
    void aFollowedValueTheServerRefusesIsNoLongerFollowedAndTheStatementStillRuns() throws Exception {
        holdConnectionsAtOnce(4);
        String packet;
        try (Connection d = direct()) {
            packet = results(d, "SELECT @@GLOBAL.max_allowed_packet").get(0).replace("|", "");
        }
        pool().globals().record(List.of(new io.switchyard.backend.GlobalValues.Change("max_allowed_packet", true,
                String.valueOf(Long.parseLong(packet) / 2), packet)));
        try (Connection p = fixture.mysql("")) {
            assertThat(results(p, "SELECT 'still runs'")).containsExactly("still runs|");
            assertThat(pool().globals().names()).as("tried on a connection from before the change, and forgotten")
                    .doesNotContain("max_allowed_packet");
        }
    }

    /**
     * A session on a connection from before two followed changes, one of which the server refuses
     * to give it: only the refused variable stops being followed, and the session still gets the
     * other one's new value, as directly.
     */
    @Test
    void aRefusedValueStopsTheFollowingOfThatVariableOnly() throws Exception {
        String read = "SELECT @@max_sort_length, @@pseudo_thread_id";
        String original = directFirstColumn(read);
        String packet = directFirstColumn("SELECT @@GLOBAL.max_allowed_packet");
        holdConnectionsAtOnce(4);
        Set<Long> loggedInBefore = appThreads();
        try {
            try (Connection operator = fixture.mysql("")) {
                execute(operator, "SET GLOBAL max_sort_length = 1700");
            }
            pool().globals().record(List.of(new io.switchyard.backend.GlobalValues.Change("max_allowed_packet", true,
                    String.valueOf(Long.parseLong(packet) / 2), packet)));
            try (Connection p = fixture.mysql("")) {
                String[] got = results(p, read).get(0).split("\\|");
                assertThat(loggedInBefore).as("the session ran on a connection from before the changes")
                        .contains(Long.parseLong(got[1]));
                assertThat(got[0]).isEqualTo(directFirstColumn(read)).isEqualTo("1700");
            }
            assertThat(pool().globals().names()).contains("max_sort_length").doesNotContain("max_allowed_packet");
        } finally {
            try (Connection operator = fixture.mysql("")) {
                execute(operator, "SET GLOBAL max_sort_length = " + original);
            }
        }
    }

    @Test
    void whatTheProxyReadsAfterASetGlobalLeavesItsWarningsAndRowCount() throws Exception {
        String[] statements = {"SET GLOBAL max_sort_length = 3", "SHOW WARNINGS", "SET GLOBAL max_sort_length = 1500",
            "SELECT ROW_COUNT()", "SET GLOBAL max_sort_length = DEFAULT", "SELECT @@global.max_sort_length"};
        try (Connection p = fixture.mysql(""); Connection d = direct()) {
            for (String sql : statements) {
                assertThat(results(p, sql)).as(sql).isEqualTo(results(d, sql));
            }
        }
    }

    /** The first column of {@code read}'s first row, on a direct session. */
    /**
     * Closes the pool's idle connections, also those that come back from a reset meanwhile, until
     * (up to 5 s) none is idle or in use: the next session logs in a new one.
     */
    private static void closeIdleConnections() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        do {
            pool().closeIdle();
            Thread.sleep(10);
        } while ((pool().idle() > 0 || pool().inUse() > 0) && System.nanoTime() < deadline);
        assertThat(pool().idle()).as("idle connections after closing them").isZero();
    }

    /** Waits (up to 15 s) until the monitor has read the server's globals once: a change made directly from then on is noticed. */
    private static void awaitMonitorReading() throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!pool().globals().watching() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(pool().globals().watching()).as("the monitor read the globals once").isTrue();
    }

    /**
     * Starts sessions through the proxy one after another, 100 ms apart, until one reads
     * {@code expected} as the first column of {@code read}, or for {@code seconds}; each row, its
     * columns split, goes to {@code check}. Returns the first column the last session read and
     * how many sessions started.
     */
    private static String[] newSessionsUntil(String read, String expected, int seconds, java.util.function.Consumer<String[]> check)
            throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String got;
        int sessions = 0;
        do {
            if (sessions++ > 0) {
                Thread.sleep(100);
            }
            try (Connection p = fixture.mysql("")) {
                String[] row = results(p, read).get(0).split("\\|");
                check.accept(row);
                got = row[0];
            }
        } while (!got.equals(expected) && System.nanoTime() < deadline);
        return new String[] {got, String.valueOf(sessions)};
    }

    private static String directFirstColumn(String read) throws SQLException {
        try (Connection d = direct()) {
            return results(d, read).get(0).split("\\|")[0];
        }
    }

    /** What {@code sql} returns: its rows, or its update count. */
    private static List<String> results(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                out.add("count " + s.getUpdateCount());
                return out;
            }
            try (ResultSet rs = s.getResultSet()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= columns; i++) {
                        row.append(rs.getString(i)).append('|');
                    }
                    out.add(row.toString());
                }
            }
        }
        return out;
    }
}
