package io.switchyard.server.it;

import static io.switchyard.server.it.MultiplexingTest.occupy;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code FOUND_ROWS()} and {@code ROW_COUNT()}, which the server keeps per connection, read after
 * a session's statement on another backend connection than the statement's: they give what they
 * give directly. As in {@link MultiplexingTest}, a second session holds the connection the first
 * one used last inside a transaction, so the first must borrow another; one event loop, so both
 * sessions share one pool partition.
 */
class FoundRowsTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            event-loop-threads = 1
            variables { mysql-max_stmts_per_connection = 4 }
            """);

    /** New sessions take the connection given back last: see {@link ProxyFixture#awaitConnectionsParked()}. */
    @BeforeEach
    void everyConnectionBackInThePool() {
        fixture.awaitConnectionsParked();
    }

    @BeforeAll
    static void tables() {
        fixture.cluster().primary().execute(
                "CREATE TABLE app.mux (id INT PRIMARY KEY, v VARCHAR(40))",
                "INSERT INTO app.mux VALUES (1, 'one'), (2, 'two')",
                "CREATE TABLE app.ids (id INT AUTO_INCREMENT PRIMARY KEY, v INT)", "CREATE TABLE app.plain (v INT)",
                "CREATE DATABASE other", "GRANT ALL ON other.* TO 'app'@'%'");
    }

    /**
     * {@code FOUND_ROWS()} and {@code ROW_COUNT()} read after a plain {@code SELECT} (or after a
     * statement that changes no rows) give what they give directly, also when the session reads
     * them on another connection than the one its statement ran on.
     */
    @Test
    void foundRowsAndRowCountAfterAPlainSelectFollowTheSession() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        List<String> expected = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        for (String[] statements : new String[][] {{"SELECT * FROM mux"}, {"SELECT * FROM mux", "DO 1"},
                {"SELECT * FROM mux WHERE id = 0"}, {"SELECT @@pseudo_thread_id"}}) {
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected.add(previousResult(d, statements, null)[0]);
            }
            fixture.awaitConnectionsParked();
            try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
                String[] seen = previousResult(a, statements, sb);
                proxied.add(seen[0]);
                if (seen[1] != null) {
                    assertThat(seen[2]).as("the read ran on another connection than the statement before it")
                            .isNotEqualTo(seen[1]);
                }
            }
        }
        assertThat(expected).containsExactly("2 -1", "2 0", "0 -1", "1 -1");
        assertThat(proxied).isEqualTo(expected);
    }

    /**
     * A {@code SHOW WARNINGS} (which Connector/J 5.1 sends after every statement) leaves
     * {@code FOUND_ROWS()} as it was and sets {@code ROW_COUNT()} to -1, also when it runs on
     * another connection than the query before it: the read after it gives the query's count
     * (before, the proxy took the count for unknown after it and gave the connection's own, 1).
     */
    @Test
    void aShowWarningsOnAnotherConnectionLeavesTheSessionsFoundRows() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        String expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = limitedQueryThenWarnings(d, null);
        }
        fixture.awaitConnectionsParked();
        String proxied;
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
            proxied = limitedQueryThenWarnings(a, sb);
        }
        assertThat(expected).isEqualTo("47 -1");
        assertThat(proxied).isEqualTo(expected);
    }

    /** A limited query, then (while {@code other} holds its connection) {@code SHOW WARNINGS} and a read of the counts. */
    private static String limitedQueryThenWarnings(Connection c, Statement other) throws Exception {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT seq FROM seq_1_to_50 LIMIT 2 OFFSET 45").close();
            if (other != null) {
                fixture.awaitConnectionsInUse(0);
                occupy(other);
            }
            try {
                s.executeQuery("SHOW WARNINGS").close();
                try (ResultSet rs = s.executeQuery("SELECT FOUND_ROWS(), ROW_COUNT()")) {
                    assertThat(rs.next()).isTrue();
                    return rs.getLong(1) + " " + rs.getLong(2);
                }
            } finally {
                if (other != null) {
                    other.execute("COMMIT");
                }
            }
        }
    }

    /**
     * Statements whose response does not show the {@code FOUND_ROWS()} they leave: a result set
     * that is not a query's ({@code VALUES} and {@code CHECKSUM TABLE} leave the count as it was), and an OK of a statement with a
     * query of its own ({@code INSERT ... SELECT} sets that query's count). Read on another
     * connection after a statement that leaves it ({@code DO 1}), it gives what it gives directly.
     */
    @Test
    void foundRowsAfterStatementsWhoseResponseDoesNotShowItFollowsTheSession() throws Exception {
        String[][] sequences = {
            {"SELECT * FROM mux", "VALUES (1), (2), (3)", "DO 1"},
            {"SELECT * FROM mux", "CHECKSUM TABLE mux", "DO 1"},
            {"SELECT * FROM mux", "INSERT INTO plain SELECT seq FROM seq_1_to_3", "DO 1"},
        };
        List<List<String>> seen = directAndProxied("", sequences, true, (c, sequence, other) -> previousResult(c, sequence, other)[0]);
        assertThat(seen.get(0)).containsExactly("2 0", "2 0", "3 0");
        assertThat(seen.get(1)).isEqualTo(seen.get(0));
    }

    /**
     * A statement that reads {@code ROW_COUNT()}, prepared on the server before the session
     * changed its database or {@code sql_mode} (and, once, was pinned by a user variable),
     * executed right after a write (or a query, read whole or through a cursor) that ran on
     * another connection than its prepare: the proxy prepares it there under what it was first
     * prepared under, which takes a {@code COM_INIT_DB} or a {@code SET} that would set
     * {@code ROW_COUNT()} to 0. It gives the write's count (the query's -1), as it does directly.
     */
    @Test
    void aPreparedReadOfRowCountGivesTheLastStatementsCountWhereItIsPreparedAgain() throws Exception {
        for (String options : new String[] {"useServerPrepStmts=true", "useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=2"}) {
            String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&" + options;
            for (String last : new String[] {"INSERT INTO app.plain VALUES (1), (2)", "SELECT * FROM app.mux"}) {
                for (String change : new String[] {"USE other", "SET SESSION sql_mode = 'ANSI_QUOTES'",
                    "SET SESSION sql_mode = 'ANSI_QUOTES', @pinned = 1"}) {
                    String expected;
                    try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                        expected = rowCountAfter(d, change, last, null);
                    }
                    assertThat(expected).isEqualTo(last.startsWith("INSERT") ? "2" : "-1");
                    fixture.awaitConnectionsParked();
                    try (Connection a = fixture.mysql(options); Connection b = fixture.mysql("");
                         Statement sb = b.createStatement()) {
                        assertThat(rowCountAfter(a, change, last, sb)).as(options + ": " + change + "; " + last).isEqualTo(expected);
                    }
                }
            }
        }
    }

    /**
     * Prepares {@code SELECT ROW_COUNT()} on {@code c}, runs {@code change} and {@code last} (with
     * {@code other} holding the prepare's connection meanwhile, when given), then executes it.
     */
    private static String rowCountAfter(Connection c, String change, String last, Statement other) throws Exception {
        try (PreparedStatement read = c.prepareStatement("SELECT ROW_COUNT()"); Statement s = c.createStatement()) {
            if (other != null) {
                fixture.awaitConnectionsInUse(0);
                occupy(other);
            }
            s.execute(change);
            try (PreparedStatement ps = c.prepareStatement(last)) {
                if (ps.execute()) {
                    try (ResultSet rs = ps.getResultSet()) {
                        while (rs.next()) {
                            rs.getString(1);
                        }
                    }
                }
            }
            return firstColumnThenCommit(read, other);
        }
    }

    /**
     * After a {@code SELECT} with a {@code LIMIT}, {@code OFFSET} or {@code FETCH} clause MariaDB's
     * {@code FOUND_ROWS()} counts the rows the clause passed over, not the rows returned: read by
     * the session's next statement, it gives what it gives directly.
     */
    @Test
    void foundRowsAfterALimitedSelectCountsTheRowsTheLimitPassedOver() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        List<String> expected = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        for (String statement : new String[] {"SELECT * FROM mux ORDER BY id LIMIT 1, 1", "SELECT * FROM mux LIMIT 1 OFFSET 1",
                "SELECT * FROM mux ORDER BY id OFFSET 1 ROWS FETCH FIRST 1 ROWS ONLY", "SELECT * FROM mux LIMIT 5, 1"}) {
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected.add(previousResult(d, new String[] {statement}, null)[0]);
            }
            fixture.awaitConnectionsParked();
            try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
                sb.execute("SELECT 1");
                proxied.add(previousResult(a, new String[] {statement}, null)[0]);
            }
        }
        assertThat(expected).containsExactly("2 -1", "2 -1", "2 -1", "2 -1");
        assertThat(proxied).isEqualTo(expected);
    }

    /**
     * After a {@code SELECT} that ends with a {@code LIMIT}, {@code OFFSET} or {@code FETCH} clause
     * of numbers, {@code FOUND_ROWS()} is the clause's offset plus the rows returned. Read on
     * another connection than the {@code SELECT}'s (another session holds that one), it gives what
     * it gives directly: the proxy sets it up there. The offsets are chosen so that neither the
     * rows returned nor every row would give the same count.
     */
    @Test
    void foundRowsAfterALimitedSelectFollowsTheSessionToAnotherConnection() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        String[] statements = {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 LIMIT 5, 3",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 ORDER BY seq DESC LIMIT 2 OFFSET 40",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 ORDER BY seq OFFSET 10 ROWS FETCH FIRST 4 ROWS ONLY",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 WHERE seq > 95 LIMIT 3, 10",
            "SELECT seq FROM seq_1_to_100 LIMIT 20, 1"};
        List<String> expected = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        for (String statement : statements) {
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected.add(previousResult(d, new String[] {statement}, null)[0]);
            }
            fixture.awaitConnectionsParked();
            try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
                sb.execute("SELECT 1");
                String[] seen = previousResult(a, new String[] {statement}, sb);
                proxied.add(seen[0]);
                if (seen[1] != null) {
                    assertThat(seen[2]).as("the read ran on another connection than %s", statement).isNotEqualTo(seen[1]);
                }
            }
        }
        assertThat(expected).containsExactly("8 -1", "42 -1", "14 -1", "5 -1", "21 -1");
        assertThat(proxied).isEqualTo(expected);
    }

    /**
     * The same under a session {@code sql_select_limit} smaller than the count: the statement's
     * own {@code LIMIT} overrides it, and the statements that give the count to the other
     * connection must not be cut short by it (they carry a {@code LIMIT} of their own).
     */
    @Test
    void foundRowsFollowsTheSessionUnderASmallerSqlSelectLimit() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        String[] statements = {"SET SESSION sql_select_limit = 2", "SELECT @@pseudo_thread_id, seq FROM seq_1_to_50 ORDER BY seq LIMIT 15, 5"};
        String expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = previousResult(d, statements, null)[0];
        }
        fixture.awaitConnectionsParked();
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
            sb.execute("SELECT 1");
            String[] seen = previousResult(a, statements, sb);
            assertThat(seen[2]).as("the read ran on another connection").isNotEqualTo(seen[1]);
            assertThat(expected).isEqualTo("20 -1");
            assertThat(seen[0]).isEqualTo(expected);
        }
    }

    /**
     * The same with server-side prepared statements whose row count or offset is a parameter, the
     * usual shape of a page query ({@code LIMIT ?, ?}): the offset comes from the text or from
     * the execution's parameter, so the count is known and follows the session. Every parameter
     * is 3 but the offset, 30.
     */
    @Test
    void foundRowsAfterAPreparedSelectWithParametersInItsLimitFollowsTheSessionToAnotherConnection() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&useServerPrepStmts=true";
        String[] statements = {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 LIMIT ?",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 LIMIT 5, ?",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 ORDER BY seq LIMIT ? OFFSET 20",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 ORDER BY seq OFFSET 10 ROWS FETCH FIRST ? ROWS ONLY",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 WHERE seq > ? LIMIT ?, ?",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 WHERE seq > ? ORDER BY seq LIMIT ? OFFSET ?",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 WHERE seq > ? ORDER BY seq OFFSET ? ROWS FETCH NEXT ? ROWS ONLY"};
        List<String> expected = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        for (String statement : statements) {
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected.add(preparedLimited(d, statement, null)[0]);
            }
            fixture.awaitConnectionsParked();
            try (Connection a = fixture.mysql("useServerPrepStmts=true"); Connection b = fixture.mysql("");
                 Statement sb = b.createStatement()) {
                sb.execute("SELECT 1");
                String[] seen = preparedLimited(a, statement, sb);
                proxied.add(seen[0]);
                assertThat(seen[2]).as("the read ran on another connection than %s", statement).isNotEqualTo(seen[1]);
            }
        }
        assertThat(expected).containsExactly("3 -1", "8 -1", "23 -1", "13 -1", "33 -1", "33 -1", "33 -1");
        assertThat(proxied).isEqualTo(expected);
    }

    /**
     * After statements whose response does not show what {@code FOUND_ROWS()} counts (a page past
     * the last row, a {@code UNION} or a parenthesized query with a limit, {@code WITH TIES},
     * several results of one text), the proxy reads it on the statement's connection before the
     * session may leave that connection, and puts it back there: read on another connection, or
     * on the same one, it gives what it gives directly. With them, counts the proxy works out
     * from the text (a limit inside a subquery, a locking clause after the limit, no row and no
     * offset).
     */
    @Test
    void foundRowsTheResponseDoesNotShowIsReadBeforeTheSessionLeavesItsConnection() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&allowMultiQueries=true";
        String[][] sequences = {
            {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 LIMIT 200, 3"},
            {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 LIMIT 200, 3", "DO 0"},
            {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 WHERE seq > 90 UNION ALL "
                + "SELECT @@pseudo_thread_id, seq FROM seq_1_to_50 LIMIT 2"},
            {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 ORDER BY seq % 10 FETCH FIRST 3 ROWS WITH TIES"},
            {"(SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 LIMIT 10, 2)"},
            {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_10 LIMIT 2; SELECT seq FROM seq_1_to_30 LIMIT 4, 1"},
            {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 WHERE seq = (SELECT seq FROM seq_1_to_100 ORDER BY seq DESC LIMIT 1)"},
            {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 LIMIT 5, 2 FOR UPDATE"},
            {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 WHERE seq > 500 LIMIT 3"}};
        List<String> expected = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        List<String> stayed = new ArrayList<>();
        for (String[] statements : sequences) {
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected.add(previousResult(d, statements, null)[0]);
            }
            fixture.awaitConnectionsParked();
            try (Connection a = fixture.mysql("allowMultiQueries=true"); Connection b = fixture.mysql("allowMultiQueries=true");
                 Statement sb = b.createStatement()) {
                sb.execute("SELECT 1");
                String[] seen = previousResult(a, statements, sb);
                moved.add(seen[0]);
                if (seen[1] != null) {
                    assertThat(seen[2]).as("the read ran on another connection than %s", statements[0]).isNotEqualTo(seen[1]);
                }
            }
            try (Connection a = fixture.mysql("allowMultiQueries=true")) {
                stayed.add(previousResult(a, statements, null)[0]);
            }
        }
        assertThat(expected).containsExactly("100 -1", "100 0", "60 -1", "100 -1", "12 -1", "5 -1", "1 -1", "7 -1", "0 -1");
        assertThat(moved).isEqualTo(expected);
        assertThat(stayed).isEqualTo(expected);
    }

    /**
     * A statement read through a cursor (Connector/J's {@code useCursorFetch}) sends its rows
     * later, by {@code COM_STMT_FETCH}; the server counts them when it opens the cursor. The proxy
     * reads the count on the cursor's connection before the session leaves it: read on another
     * connection, after a statement that leaves it, it gives what it gives directly.
     */
    @Test
    void foundRowsAfterACursorFollowsTheSessionToAnotherConnection() throws Exception {
        String cursor = "useCursorFetch=true&defaultFetchSize=10";
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&" + cursor;
        String[] queries = {"SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 WHERE seq > ?",
            "SELECT @@pseudo_thread_id, seq FROM seq_1_to_100 WHERE seq > ? LIMIT 5, 20"};
        List<String> expected = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        for (String query : queries) {
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected.add(throughCursor(d, query, null)[0]);
            }
            fixture.awaitConnectionsParked();
            try (Connection a = fixture.mysql(cursor); Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
                sb.execute("SELECT 1");
                String[] seen = throughCursor(a, query, sb);
                proxied.add(seen[0]);
                assertThat(seen[2]).as("the read ran on another connection than %s", query).isNotEqualTo(seen[1]);
            }
        }
        assertThat(expected).containsExactly("60 0", "25 0");
        assertThat(proxied).isEqualTo(expected);
    }

    /** Reads {@code query} with 40 for its parameter through a cursor on {@code c}; then {@code DO 0} and as {@link #previousResult}. */
    private static String[] throughCursor(Connection c, String query, Statement other) throws Exception {
        String statementConnection = null;
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setFetchSize(10);
            ps.setInt(1, 40);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    statementConnection = rs.getString(1);
                }
            }
        }
        return previousResult(c, new String[] {"DO 0"}, other, statementConnection);
    }

    /**
     * Runs {@code sql}, a prepared statement whose parameters are 3 but for an offset, 30, on
     * {@code c}; then as {@link #previousResult}.
     */
    private static String[] preparedLimited(Connection c, String sql, Statement other) throws Exception {
        String statementConnection = null;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            // The offset's parameter: the first of "LIMIT ?, ?", or the one after OFFSET.
            int at = sql.contains("LIMIT ?, ?") ? sql.indexOf("LIMIT ?, ?") + 6 : sql.indexOf("OFFSET ?") + 7;
            int offset = at > 6 ? (int) sql.substring(0, at + 1).chars().filter(ch -> ch == '?').count() : 0;
            int parameters = (int) sql.chars().filter(ch -> ch == '?').count();
            for (int i = 1; i <= parameters; i++) {
                ps.setInt(i, i == offset ? 30 : 3);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    statementConnection = rs.getString(1);
                }
            }
        }
        return previousResult(c, new String[0], other, statementConnection);
    }

    /**
     * After an {@code INSERT} the proxy reads {@code LAST_INSERT_ID()} on the session's connection
     * before the next statement, and brings the connection to the session's state before a
     * statement: a read of the previous result after them, on the same connection, still gives
     * what the statement left. Server-side prepared statements, so that each statement's prepare
     * comes between them as well.
     */
    @Test
    void aReadOfThePreviousResultAfterTheProxysOwnStatementsGivesTheStatementsValues() throws Exception {
        String[] statements = {"UPDATE mux SET v = v WHERE id = 2", "INSERT INTO ids (v) VALUES (1)", "SELECT * FROM mux"};
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&useServerPrepStmts=true";
        String expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = preparedPreviousResult(d, statements);
        }
        assertThat(expected).isEqualTo("2 -1");
        for (int round = 0; round < 5; round++) {
            try (Connection a = fixture.mysql("useServerPrepStmts=true")) {
                assertThat(preparedPreviousResult(a, statements)).as("round %d", round).isEqualTo(expected);
            }
        }
    }

    /** Runs {@code statements} as prepared statements on {@code c}, then reads {@code FOUND_ROWS()} and {@code ROW_COUNT()}. */
    /**
     * Statements that leave {@code FOUND_ROWS()} as it was ({@code SHOW WARNINGS}, a failed
     * statement, {@code CHECKSUM TABLE}), then a change of the tracking settings, after which the
     * proxy reads its settings back on the connection: a read of {@code FOUND_ROWS()} and
     * {@code ROW_COUNT()} still gives what it gives directly.
     */
    @Test
    void statementsThatLeaveFoundRowsAsItWasAreFollowedAcrossTheProxysReadBack() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        String[][] sequences = {
            {"SELECT * FROM mux", "SHOW WARNINGS", "SET SESSION session_track_system_variables = 'time_zone'"},
            {"SELECT * FROM mux", "SET SESSION session_track_system_variables = 'time_zone'", "SELECT * FROM no_such_table"},
            {"SELECT * FROM mux", "CHECKSUM TABLE mux", "SET SESSION session_track_state_change = ON", "DO 1"},
        };
        for (String[] sequence : sequences) {
            String expected;
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected = previousResultAfterFailures(d, sequence);
            }
            try (Connection a = fixture.mysql("")) {
                assertThat(previousResultAfterFailures(a, sequence)).as(String.join("; ", sequence)).isEqualTo(expected);
            }
        }
    }

    /**
     * A change of the character sets in a text that then writes or counts rows, or in a
     * transaction: the proxy learns the new character sets from the server with a query of its
     * own, which must not replace the {@code ROW_COUNT()} and {@code FOUND_ROWS()} the session
     * reads next (no statement gives a connection a {@code ROW_COUNT()} above 0 without writing).
     */
    @Test
    void aChangeOfTheCharacterSetsLeavesTheResultsOfTheStatementsAfterIt() throws Exception {
        String[][] sequences = {
            {"SET NAMES utf8mb4; INSERT INTO ids (v) VALUES (1), (2)"},
            {"SET CHARACTER SET latin1; SELECT SQL_CALC_FOUND_ROWS * FROM mux LIMIT 1"},
            {"BEGIN", "UPDATE mux SET v = CONCAT(v, '') WHERE id > 0", "SET NAMES latin1"},
            {"BEGIN", "SELECT SQL_CALC_FOUND_ROWS * FROM mux LIMIT 1", "SET NAMES utf8mb4 COLLATE utf8mb4_bin"},
        };
        List<List<String>> seen = directAndProxied("allowMultiQueries=true", sequences, false,
                (c, sequence, other) -> previousResultAfterFailures(c, sequence));
        assertThat(seen.get(0)).containsExactly("1 2", "2 -1", "1 0", "2 0");
        assertThat(seen.get(1)).isEqualTo(seen.get(0));
    }

    /**
     * A statement that reads the session-tracking settings and {@code ROW_COUNT()} together: the
     * proxy gives the connection the client's own settings first (a {@code SET}, which sets
     * {@code ROW_COUNT()} to 0, given back after it), or, right after a write that changed rows
     * (a count no statement but a write gives), for that statement alone
     * ({@code SET STATEMENT ... FOR}). After a query, a {@code DO} and a write it reads what it
     * reads directly.
     */
    @Test
    void aReadOfTheTrackingSettingsAndRowCountGivesTheLastStatementsCount() throws Exception {
        String[][] sequences = {{"SELECT * FROM mux"}, {"SELECT * FROM mux", "DO 1"}, {"SELECT * FROM mux WHERE id = 0"},
            {"SELECT * FROM mux", "INSERT INTO plain VALUES (1), (2)"}, {"SELECT * FROM mux", "UPDATE mux SET v = v"}};
        List<List<String>> seen = directAndProxied("", sequences, false, (c, sequence, other) -> {
            try (Statement s = c.createStatement()) {
                for (String statement : sequence) {
                    s.execute(statement);
                }
                try (ResultSet rs = s.executeQuery("SELECT @@session_track_schema, ROW_COUNT(), FOUND_ROWS()")) {
                    assertThat(rs.next()).isTrue();
                    return rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3);
                }
            }
        });
        assertThat(seen.get(0)).containsExactly("1 -1 2", "1 0 2", "1 -1 0", "1 2 2", "1 2 2");
        assertThat(seen.get(1)).isEqualTo(seen.get(0));
    }

    /**
     * {@code FOUND_ROWS()}, read with {@code ROW_COUNT()} after a server-prepared insert that took
     * an {@code AUTO_INCREMENT} value and statements without a result set (a prepared
     * {@code USE}, {@code DO} or {@code SET}, then an insert), which leave it: the proxy reads the
     * first insert's {@code LAST_INSERT_ID()} back before the prepared statement runs (a one-row
     * {@code SELECT}) and gives the connection the session's count again after it.
     */
    @Test
    void foundRowsAfterTheReadOfAnInsertIdBeforeAStatementWithoutAResultIsTheSessions() throws Exception {
        String[][] sequences = {{"USE app"}, {"DO 1"}, {"SET @@session.sql_mode = DEFAULT"}};
        List<List<String>> seen = directAndProxied("useServerPrepStmts=true", sequences, false, (c, sequence, other) -> {
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT seq FROM seq_1_to_7")) {
                    while (rs.next()) {
                        rs.getInt(1);
                    }
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO ids (v) VALUES (?)")) {
                    insert.setInt(1, 5);
                    insert.executeUpdate();
                }
                try (PreparedStatement next = c.prepareStatement(sequence[0])) {
                    next.execute();
                }
                s.execute("INSERT INTO plain VALUES (1)");
                try (ResultSet rs = s.executeQuery("SELECT FOUND_ROWS(), ROW_COUNT()")) {
                    assertThat(rs.next()).isTrue();
                    return rs.getString(1) + " " + rs.getString(2);
                }
            }
        });
        assertThat(seen.get(0)).containsExactly("7 1", "7 1", "7 1");
        assertThat(seen.get(1)).isEqualTo(seen.get(0));
    }

    /** What a test reads on {@code c} after {@code sequence}; {@code other}, when not null, may hold a connection meanwhile. */
    @FunctionalInterface
    private interface SequenceRead {
        String read(Connection c, String[] sequence, Statement other) throws Exception;
    }

    /**
     * For each of {@code sequences}, what {@code read} gives on a new direct connection (the
     * first list) and on a new connection through the proxy (the second), both with
     * {@code options}; through the proxy, when {@code contended}, with a second session's
     * statement to hold a connection with.
     */
    private static List<List<String>> directAndProxied(String options, String[][] sequences, boolean contended, SequenceRead read)
            throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + (options.isEmpty() ? "" : "&" + options);
        List<String> expected = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        for (String[] sequence : sequences) {
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected.add(read.read(d, sequence, null));
            }
            fixture.awaitConnectionsParked();
            try (Connection a = fixture.mysql(options); Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
                proxied.add(read.read(a, sequence, contended ? sb : null));
            }
        }
        return List.of(expected, proxied);
    }

    /**
     * A session's statement returns 7 rows; another session then holds the connection it ran on,
     * and the session's next statement fails on another connection, which the session keeps (its
     * error is held for {@code SHOW ERRORS}). A read of {@code FOUND_ROWS()} there gives the 7 the
     * server left for it directly (a failed statement leaves it), not that connection's own, and
     * the error is still held after it.
     */
    @Test
    void foundRowsReadOnAConnectionAFailedStatementBorrowedIsTheSessions() throws Exception {
        String[] statements = {"WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < 7) SELECT k FROM r",
            "SELECT * FROM no_such_table"};
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        String expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = previousResultAfterFailures(d, statements);
        }
        assertThat(expected).isEqualTo("7 -1");
        fixture.awaitConnectionsParked();
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sa = a.createStatement();
             Statement sb = b.createStatement()) {
            sb.execute("SELECT 1");
            try (ResultSet rs = sa.executeQuery(statements[0])) {
                while (rs.next()) {
                    rs.getString(1);
                }
            }
            occupy(sb);
            try {
                assertThat(previousResultAfterFailures(a, new String[] {statements[1]})).isEqualTo(expected);
                try (ResultSet rs = sa.executeQuery("SHOW ERRORS")) {
                    assertThat(rs.next()).as("the error is still held").isTrue();
                    assertThat(rs.getInt(2)).isEqualTo(1146);
                }
            } finally {
                sb.execute("COMMIT");
            }
        }
    }

    /**
     * A count above a million (of the rows a {@code LIMIT} passed over, which the proxy works
     * out, and of {@code SQL_CALC_FOUND_ROWS}, which it reads), read with {@code ROW_COUNT()} on
     * another connection than its query's, right after the query or after a {@code DO}: the proxy
     * gives that connection the count with a query of MariaDB's sequence engine, and the reads
     * give what they give directly.
     */
    @Test
    void aCountAboveAMillionFollowsTheSessionToAnotherConnection() throws Exception {
        String limited = "SELECT @@pseudo_thread_id, seq FROM seq_1_to_2500000 LIMIT 2499999, 1";
        String counted = "SELECT SQL_CALC_FOUND_ROWS @@pseudo_thread_id, seq FROM seq_1_to_2500000 LIMIT 1";
        String read = "SELECT FOUND_ROWS(), ROW_COUNT(), @@pseudo_thread_id";
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        String[][] cases = {{limited, "false"}, {limited, "true"}, {counted, "true"}};
        for (String[] c : cases) {
            String query = c[0];
            boolean doBetween = Boolean.parseBoolean(c[1]);
            String expected;
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
                 Statement sd = d.createStatement()) {
                lastRow(sd, query);
                if (query.equals(counted)) {
                    sd.execute("DO 1");
                }
                if (doBetween) {
                    sd.execute("DO 1");
                }
                String[] row = lastRow(sd, read);
                expected = row[0] + " " + row[1];
            }
            assertThat(expected).isEqualTo(doBetween ? "2500000 0" : "2500000 -1");
            fixture.awaitConnectionsParked();
            try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sa = a.createStatement();
                 Statement sb = b.createStatement()) {
                sb.execute("SELECT 1");
                String[] first = lastRow(sa, query);
                if (query.equals(counted)) {
                    // The session stays on the query's connection until the proxy read the count
                    // there: before its next statement that does not read it.
                    sa.execute("DO 1");
                }
                fixture.awaitConnectionsInUse(0);
                occupy(sb);
                try {
                    if (doBetween) {
                        sa.execute("DO 1");
                    }
                    String[] seen = lastRow(sa, read);
                    assertThat(seen[2]).as("the read ran on another connection").isNotEqualTo(first[0]);
                    assertThat(seen[0] + " " + seen[1]).as("%s, DO between: %s", query, doBetween).isEqualTo(expected);
                } finally {
                    sb.execute("COMMIT");
                }
            }
        }
    }

    /** The columns of the last row {@code sql} returns. */
    private static String[] lastRow(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            String[] last = null;
            while (rs.next()) {
                last = new String[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < last.length; i++) {
                    last[i] = rs.getString(i + 1);
                }
            }
            return last;
        }
    }

    /**
     * {@code FOUND_ROWS()} read after a write (or a {@code DO}) that ran on another connection
     * than the {@code SELECT} before it: the write leaves the session's count, which that other
     * connection does not hold; the read gives it as it does directly, whether the session kept
     * the write's connection (an {@code AUTO_INCREMENT} insert) or not.
     */
    @Test
    void foundRowsReadAfterAWriteOnAnotherConnectionIsTheSelectsCount() throws Exception {
        for (String write : new String[] {"INSERT INTO ids (v) VALUES (1)", "UPDATE ids SET v = v + 1", "DO 1"}) {
            fixture.awaitConnectionsParked();
            try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sa = a.createStatement();
                 Statement sb = b.createStatement()) {
                sb.execute("SELECT 1");
                try (ResultSet rs = sa.executeQuery("SELECT id FROM mux ORDER BY id")) {
                    while (rs.next()) {
                        rs.getInt(1);
                    }
                }
                occupy(sb);
                try {
                    sa.execute(write);
                    try (ResultSet rs = sa.executeQuery("SELECT FOUND_ROWS()")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong(1)).as("after %s", write).isEqualTo(2);
                    }
                } finally {
                    sb.execute("COMMIT");
                }
            }
        }
    }

    /**
     * {@code ROW_COUNT()} and {@code LAST_INSERT_ID()} read with a server-side prepared statement
     * right after an insert: the proxy reads the insert's {@code LAST_INSERT_ID()} before the
     * session's next statement that does not read them, not before the read's prepare (which
     * would leave {@code ROW_COUNT()} at -1).
     */
    @Test
    void rowCountReadWithAPreparedStatementAfterAnInsertIsTheInserts() throws Exception {
        try (Connection a = fixture.mysql("useServerPrepStmts=true"); Statement s = a.createStatement()) {
            s.execute("INSERT INTO ids (v) VALUES (1), (2)");
            long id;
            try (ResultSet rs = s.executeQuery("SELECT MAX(id) - 1 FROM ids")) {
                assertThat(rs.next()).isTrue();
                id = rs.getLong(1);
            }
            s.execute("INSERT INTO ids (v) VALUES (3), (4)");
            try (PreparedStatement read = a.prepareStatement("SELECT LAST_INSERT_ID(), ROW_COUNT()");
                 ResultSet rs = read.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("the first id of the insert").isEqualTo(id + 2);
                assertThat(rs.getLong(2)).as("rows the insert wrote").isEqualTo(2);
            }
        }
    }

    /**
     * Inside a transaction (the session keeps its connection), rows read through a cursor
     * (several COM_STMT_FETCH), a statement that fails, then {@code FOUND_ROWS()} and
     * {@code ROW_COUNT()}: the connection still holds what the server left, and the read gets it
     * as directly (the fetches count as commands that leave the values; an unknown count is not
     * replaced by 0).
     */
    @Test
    void foundRowsAfterACursorAndAFailedStatementInATransactionIsTheServers() throws Exception {
        String cursor = "useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=1";
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&" + cursor;
        String expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = cursorThenFailure(d);
        }
        try (Connection p = fixture.mysql(cursor)) {
            assertThat(cursorThenFailure(p)).isEqualTo(expected);
        }
    }

    private static String cursorThenFailure(Connection c) throws Exception {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.setFetchSize(1);
            long rows = 0;
            try (ResultSet rs = s.executeQuery("SELECT id FROM mux ORDER BY id")) {
                while (rs.next()) {
                    rows++;
                }
            }
            try {
                s.executeQuery("SELECT * FROM no_such_table").close();
            } catch (SQLException expectedFailure) {
                // the failing statement
            }
            try (ResultSet rs = s.executeQuery("SELECT FOUND_ROWS(), ROW_COUNT()")) {
                assertThat(rs.next()).isTrue();
                return rows + " rows, then " + rs.getLong(1) + " " + rs.getLong(2);
            }
        } finally {
            c.rollback();
        }
    }

    /**
     * {@code FOUND_ROWS()} read after a {@code DO} that ran on the connection of the session's
     * {@code SELECT}, when another session ran a {@code SELECT} there in between (the connection
     * went back to the pool): the read gives the session's count, not the other session's.
     */
    @Test
    void foundRowsOnAConnectionAnotherSessionUsedInBetweenIsTheSessions() throws Exception {
        fixture.awaitConnectionsParked();
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sa = a.createStatement();
             Statement sb = b.createStatement()) {
            fixture.awaitConnectionsInUse(0);
            try (ResultSet rs = sa.executeQuery("SELECT id FROM mux ORDER BY id")) {
                while (rs.next()) {
                    rs.getInt(1);
                }
            }
            fixture.awaitConnectionsInUse(0);
            try (ResultSet rs = sb.executeQuery("SELECT seq FROM seq_1_to_5")) {
                while (rs.next()) {
                    rs.getInt(1);
                }
            }
            fixture.awaitConnectionsInUse(0);
            sa.execute("DO 1");
            try (ResultSet rs = sa.executeQuery("SELECT FOUND_ROWS()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(2);
            }
        }
    }

    /** Runs {@code statements} on {@code c}, those that fail too, then reads {@code FOUND_ROWS()} and {@code ROW_COUNT()}. */
    private static String previousResultAfterFailures(Connection c, String[] statements) throws Exception {
        try (Statement s = c.createStatement()) {
            for (String statement : statements) {
                try {
                    if (s.execute(statement)) {
                        try (ResultSet rs = s.getResultSet()) {
                            while (rs.next()) {
                                rs.getString(1);
                            }
                        }
                    }
                } catch (SQLException expectedFailure) {
                    // the sequence's failing statement
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT FOUND_ROWS(), ROW_COUNT()")) {
                assertThat(rs.next()).isTrue();
                return rs.getLong(1) + " " + rs.getLong(2);
            }
        }
    }

    /**
     * {@code FOUND_ROWS()} after a {@code SELECT SQL_CALC_FOUND_ROWS ... LIMIT}, read with a
     * server-side prepared statement: the read's prepare comes between them, and another session
     * holds a connection between that prepare and the execution. The read gives what it gives
     * directly.
     */
    @Test
    void theCountOfSqlCalcFoundRowsSurvivesThePrepareOfItsRead() throws Exception {
        String statement = "SELECT SQL_CALC_FOUND_ROWS id FROM mux ORDER BY id LIMIT 1";
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&useServerPrepStmts=true";
        String expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = preparedFoundRows(d, statement, null);
        }
        fixture.awaitConnectionsParked();
        try (Connection a = fixture.mysql("useServerPrepStmts=true"); Connection b = fixture.mysql("");
             Statement sb = b.createStatement()) {
            sb.execute("SELECT 1");
            assertThat(preparedFoundRows(a, statement, sb)).isEqualTo(expected);
        }
    }

    /**
     * A statement whose result (or OK) does not show the {@code FOUND_ROWS()} it leaves, run on
     * another connection than the query before it: a {@code VALUES}, a {@code CHECKSUM TABLE} or
     * a {@code SHOW CREATE TABLE}, which leave the count as it was, and a {@code CALL} or an
     * {@code EXECUTE IMMEDIATE} of statements that leave it. {@code FOUND_ROWS()} read after it
     * gives the query's count, as directly (before, 1: that connection's own).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"VALUES (1), (2), (3)", "CHECKSUM TABLE mux", "SHOW CREATE TABLE mux", "CALL app.leaves_found_rows()",
        "EXECUTE IMMEDIATE 'DO 2'"})
    void foundRowsAfterAStatementThatLeavesItOnAnotherConnectionIsTheQuerys(String statement) throws Exception {
        foundRowsAfterAStatementThatLeavesIt(statement, "");
    }

    /**
     * The same with every statement server-prepared and read through a cursor (Connector/J's
     * {@code useCursorFetch}): a {@code VALUES} read through a cursor leaves the count too
     * (before, 1 where directly 2: found by a soak, seed 79002).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"VALUES (1), (2), (3)", "SHOW CREATE TABLE mux"})
    void foundRowsAfterAStatementThatLeavesItReadThroughACursorIsTheQuerys(String statement) throws Exception {
        foundRowsAfterAStatementThatLeavesIt(statement, "useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=2");
    }

    private static void foundRowsAfterAStatementThatLeavesIt(String statement, String options) throws Exception {
        fixture.cluster().primary().execute("CREATE OR REPLACE PROCEDURE app.leaves_found_rows() BEGIN DO 1; END");
        // The DO lets the session leave its connection after a cursor's count, read there first.
        String[][] script = {
            {"a", "SELECT id FROM mux"},
            {"a", "DO 1"},
            {"h", "BEGIN"},
            {"h", "SELECT 1 FROM mux LIMIT 1"},
            {"a", statement},
            {"a", "SELECT FOUND_ROWS()"},
            {"h", "COMMIT"},
        };
        List<List<String>> seen = SequenceTest.directAndProxied(fixture, script, () -> { }, options);
        assertThat(seen.get(0).get(seen.get(0).size() - 1)).as("directly").isEqualTo("2");
        assertThat(seen.get(1)).as("through the proxy").isEqualTo(seen.get(0));
    }

    /**
     * A server-prepared statement, prepared on one connection, runs under {@code LOCK TABLES} on
     * another, where the proxy's prepare of it fails as the execution does directly (its table is
     * not locked), after a {@code SQL_CALC_FOUND_ROWS} whose count the proxy then reads there.
     * An {@code EXECUTE} of a write (whose OK does not show the count) and a {@code SHOW WARNINGS}
     * follow; {@code FOUND_ROWS()} read then gives that count, as directly (before, 1: what the
     * proxy's read left on the connection, which the two passed on). Found by a soak (seed 76083).
     */
    @Test
    void foundRowsAfterAnExecutionWhosePrepareFailedOnAnotherConnectionIsTheSessions() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&useServerPrepStmts=true";
        String expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = foundRowsAfterARefusedExecution(d, null);
        }
        assertThat(expected).isEqualTo("1100 ok ok ok ok 2 0");
        fixture.awaitConnectionsParked();
        try (Connection a = fixture.mysql("useServerPrepStmts=true"); Connection b = fixture.mysql("");
             Statement sb = b.createStatement()) {
            sb.execute("SELECT 1");
            assertThat(foundRowsAfterARefusedExecution(a, sb)).isEqualTo(expected);
        }
    }

    /**
     * Prepares and runs a read of {@code plain} on {@code c}; {@code other} (when given) then holds
     * that connection; then a {@code SQL_CALC_FOUND_ROWS} query, {@code LOCK TABLES}, the prepared
     * read again (which fails), a prepared write run with {@code EXECUTE}, a {@code SHOW WARNINGS},
     * and a read of {@code FOUND_ROWS()} and {@code ROW_COUNT()}. Returns each statement's outcome
     * ("ok" or its error code) and what the read gave.
     */
    private static String foundRowsAfterARefusedExecution(Connection c, Statement other) throws Exception {
        try (PreparedStatement read = c.prepareStatement("SELECT v FROM plain WHERE v = ?"); Statement s = c.createStatement()) {
            read.setInt(1, 1);
            read.executeQuery().close();
            if (other != null) {
                occupy(other);
            }
            try {
                s.executeQuery("SELECT SQL_CALC_FOUND_ROWS id FROM mux ORDER BY id LIMIT 1").close();
                s.execute("LOCK TABLES mux READ, ids WRITE");
                List<String> seen = new ArrayList<>();
                for (String statement : new String[] {null, "PREPARE w FROM 'INSERT INTO ids (v) VALUES (1)'", "EXECUTE w",
                    "SHOW WARNINGS", "DEALLOCATE PREPARE w"}) {
                    try {
                        if (statement == null) {
                            read.executeQuery().close();
                        } else {
                            s.execute(statement);
                        }
                        seen.add("ok");
                    } catch (SQLException e) {
                        seen.add(String.valueOf(e.getErrorCode()));
                    }
                }
                String outcomes = String.join(" ", seen);
                try (PreparedStatement found = c.prepareStatement("SELECT FOUND_ROWS(), ROW_COUNT()"); ResultSet rs = found.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    return outcomes + " " + rs.getString(1) + " " + rs.getString(2);
                } finally {
                    s.execute("UNLOCK TABLES");
                }
            } finally {
                if (other != null) {
                    other.execute("COMMIT");
                }
            }
        }
    }

    /** Runs {@code statement} prepared on {@code c}, then prepares the read of {@code FOUND_ROWS()}; {@code other} holds a connection before it runs. */
    private static String preparedFoundRows(Connection c, String statement, Statement other) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(statement); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getString(1);
            }
        }
        try (PreparedStatement read = c.prepareStatement("SELECT FOUND_ROWS()")) {
            if (other != null) {
                occupy(other);
            }
            return firstColumnThenCommit(read, other);
        }
    }

    /** Runs {@code read}, then ends {@code other}'s transaction (when not null); returns the first column of the first row. */
    private static String firstColumnThenCommit(PreparedStatement read, Statement other) throws SQLException {
        try (ResultSet rs = read.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        } finally {
            if (other != null) {
                other.execute("COMMIT");
            }
        }
    }

    private static String preparedPreviousResult(Connection c, String[] statements) throws Exception {
        for (String statement : statements) {
            try (PreparedStatement ps = c.prepareStatement(statement)) {
                if (ps.execute()) {
                    try (ResultSet rs = ps.getResultSet()) {
                        while (rs.next()) {
                            rs.getString(1);
                        }
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT FOUND_ROWS(), ROW_COUNT()"); ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1) + " " + rs.getLong(2);
        }
    }

    /**
     * Runs {@code statements} on {@code c}; when {@code other} is given, it then holds the
     * connection {@code c} used inside a transaction; then reads {@code FOUND_ROWS()} and
     * {@code ROW_COUNT()}. Returns what they read, the connection id a statement returned (if
     * any: {@code CONNECTION_ID()}, or {@code @@pseudo_thread_id} as its first column) and the
     * connection id of the read.
     */
    private static String[] previousResult(Connection c, String[] statements, Statement other) throws Exception {
        return previousResult(c, statements, other, null);
    }

    /** Same, where {@code statementConnection} is the connection id of a statement that ran before. */
    private static String[] previousResult(Connection c, String[] statements, Statement other, String statementConnection)
            throws Exception {
        try (Statement s = c.createStatement()) {
            for (String statement : statements) {
                if (s.execute(statement)) {
                    try (ResultSet rs = s.getResultSet()) {
                        while (rs.next()) {
                            if (statement.contains("CONNECTION_ID") || statement.replaceFirst("^\\(", "").startsWith("SELECT @@pseudo_thread_id,")) {
                                statementConnection = rs.getString(1);
                            }
                        }
                    }
                }
            }
            if (other != null) {
                fixture.awaitConnectionsInUse(0);
                occupy(other);
            }
            try (ResultSet rs = s.executeQuery("SELECT FOUND_ROWS(), ROW_COUNT(), @@pseudo_thread_id")) {
                assertThat(rs.next()).isTrue();
                return new String[] {rs.getLong(1) + " " + rs.getLong(2), statementConnection, rs.getString(3)};
            } finally {
                if (other != null) {
                    other.execute("COMMIT");
                }
            }
        }
    }

    /**
     * With {@code optimizer_trace} on, {@code information_schema.OPTIMIZER_TRACE} shows the
     * session's last statement, as directly: the session keeps its connection, and the proxy runs
     * none of its own statements there (before, it showed the proxy's read of the
     * {@code FOUND_ROWS()} a {@code UNION} left).
     */
    @Test
    void theOptimizerTraceShowsTheSessionsOwnLastStatement() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        String union = "SELECT v FROM mux UNION ALL SELECT v FROM mux LIMIT 1";
        List<String> expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = traced(d, union);
        }
        assertThat(expected).containsExactly(union);
        try (Connection a = fixture.mysql("")) {
            assertThat(traced(a, union)).isEqualTo(expected);
        }
    }

    private static List<String> traced(Connection c, String statement) throws SQLException {
        List<String> queries = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.execute("SET optimizer_trace = 'enabled=on'");
            s.executeQuery(statement).close();
            try (ResultSet rs = s.executeQuery("SELECT QUERY FROM information_schema.OPTIMIZER_TRACE")) {
                while (rs.next()) {
                    queries.add(rs.getString(1));
                }
            }
        }
        return queries;
    }
}
