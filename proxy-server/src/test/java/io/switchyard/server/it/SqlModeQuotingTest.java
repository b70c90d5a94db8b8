package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the proxy reads in a statement's text (a user variable, {@code GET_LOCK}, a stored
 * function's body) it reads as the server does under the session's {@code sql_mode}: with
 * {@code NO_BACKSLASH_ESCAPES} {@code 'C:\'} is a whole string, with {@code ANSI_QUOTES}
 * {@code "b\"} an identifier. Read with the default rules, both would hide the rest of the text in
 * a string that never ends, and the session would leave a lock or a variable behind on a
 * connection it gave back. The script runs on three direct connections and on three proxy
 * sessions, as in {@link SequenceTest}: {@code h} borrows the connection the other gave back last,
 * were it free to move, and holds it inside a transaction. One event loop, so the sessions share
 * one pool partition.
 */
class SqlModeQuotingTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            event-loop-threads = 1
            """);

    /**
     * Session {@code a} takes a lock and assigns a variable in a statement whose text the default
     * rules would read as a string that never ends, under {@code sqlMode}; {@code h} then borrows
     * the connection {@code a} gave back last, were {@code a} free to move.
     */
    private static String[][] script(String sqlMode, String select) {
        return new String[][] {
            {"a", "SET SESSION sql_mode = '" + sqlMode + "'"},
            {"a", select},
            {"h", "BEGIN"},
            {"h", "SELECT GET_LOCK('quoted', 0)"},
            {"a", "SELECT RELEASE_LOCK('quoted'), @v"},
            {"h", "COMMIT"},
        };
    }

    /** A function created under {@code NO_BACKSLASH_ESCAPES}: its body is read the same way, whatever the caller's {@code sql_mode}. */
    private static final String[][] FUNCTION_SCRIPT = {
        {"a", "SELECT quoted_lock('quoted_f')"},
        // Once the proxy has read the body (after the reply), a statement gives the connection back if a may move.
        {"a", "DO 0"},
        {"h", "BEGIN"},
        {"h", "SELECT GET_LOCK('quoted_f', 0)"},
        {"a", "SELECT RELEASE_LOCK('quoted_f')"},
        {"h", "COMMIT"},
    };

    private static void createFunction() {
        fixture.cluster().primary().execute(
                "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES'",
                "CREATE OR REPLACE FUNCTION app.quoted_lock(n VARCHAR(64)) RETURNS INT NO SQL "
                        + "BEGIN DECLARE p TEXT DEFAULT 'C:\\'; RETURN GET_LOCK(n, 0); END");
    }

    /** Each mode, a statement the default rules would read as a string that never ends, its first row directly. */
    static Stream<Arguments> quotings() {
        String[][] quotings = {
            {"STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES", "SELECT 'C:\\', GET_LOCK('quoted', 0), @v := 42", "C:\\ | 1 | 42"},
            {"ANSI_QUOTES", "SELECT 1 AS \"b\\\", GET_LOCK('quoted', 0), @v := 42", "1 | 1 | 42"},
            {"MSSQL", "SELECT 1 AS [b'c], GET_LOCK('quoted', 0), @v := 42", "1 | 1 | 42"},
        };
        return Arrays.stream(quotings).flatMap(q -> Stream.of(false, true).map(prepared -> Arguments.of(q[0], q[1], q[2], prepared)));
    }

    @ParameterizedTest(name = "{0}, server-prepared: {3}")
    @MethodSource("quotings")
    void aQuoteEndsWhereTheServerEndsIt(String sqlMode, String select, String firstRow, boolean serverPrepared) throws Exception {
        List<List<String>> seen = SequenceTest.directAndProxied(fixture, script(sqlMode, select), () -> { }, serverPrepared);
        assertThat(seen.get(0)).as("directly").containsExactly(firstRow, "0", "1 | 42");
        assertThat(seen.get(1)).as("through the proxy").isEqualTo(seen.get(0));
    }

    @ParameterizedTest(name = "server-prepared: {0}")
    @ValueSource(booleans = {false, true})
    void aFunctionsBodyIsReadUnderItsOwnSqlMode(boolean serverPrepared) throws Exception {
        List<List<String>> seen = SequenceTest.directAndProxied(fixture, FUNCTION_SCRIPT, SqlModeQuotingTest::createFunction,
                serverPrepared);
        assertThat(seen.get(0)).as("directly").containsExactly("1", "0", "1");
        assertThat(seen.get(1)).as("through the proxy").isEqualTo(seen.get(0));
    }

    /**
     * Under {@code sql_mode=ORACLE} {@code BEGIN ... END} is a block: a {@code SET} in it that a
     * later statement of the block undoes by failing is not reported, so the session stays on its
     * connection, as after {@code BEGIN NOT ATOMIC} (before, the block was taken for a
     * transaction's start and the session moved without its {@code time_zone}).
     */
    @Test
    void anOracleBlockKeepsTheSession() throws Exception {
        fixture.cluster().primary().execute("CREATE TABLE IF NOT EXISTS app.oracle_rows (id INT)");
        String[][] script = {
            {"a", "SET SESSION sql_mode = 'ORACLE'"},
            {"a", "BEGIN SET time_zone = '+01:00'; SELECT * FROM no_such_table; END"},
            {"a", "SELECT COUNT(*) FROM oracle_rows"},
            {"h", "BEGIN"},
            {"h", "SELECT 2"},
            {"a", "SELECT @@time_zone"},
            {"h", "COMMIT"},
        };
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        List<String> expected;
        try (Connection a = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection h = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = runWithErrors(script, a, h);
        }
        List<String> proxied;
        try (Connection a = fixture.mysql(""); Connection h = fixture.mysql("")) {
            proxied = runWithErrors(script, a, h);
        }
        assertThat(expected).as("directly").containsExactly("ERROR 1146", "0", "2", "+01:00");
        assertThat(proxied).as("through the proxy").isEqualTo(expected);
    }

    /** Runs {@code script}'s steps of {@code a} and {@code h}: the first column of each row, or an error's code. */
    private static List<String> runWithErrors(String[][] script, Connection a, Connection h) {
        List<String> seen = new ArrayList<>();
        for (String[] step : script) {
            try (Statement s = (step[0].equals("a") ? a : h).createStatement()) {
                if (s.execute(step[1])) {
                    try (ResultSet rs = s.getResultSet()) {
                        while (rs.next()) {
                            seen.add(rs.getString(1));
                        }
                    }
                }
            } catch (SQLException e) {
                seen.add("ERROR " + e.getErrorCode());
            }
        }
        return seen;
    }

    /**
     * A text of several statements that changes {@code sql_mode}: the server reads the statements
     * after the change under the new rules, so the session stays on its connection.
     */
    @Test
    void aTextThatChangesTheQuotingKeepsTheSession() throws Exception {
        String[][] script = {
            {"a", "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'; SELECT 'C:\\', @u := 5"},
            {"h", "BEGIN"},
            {"h", "SELECT 3"},
            {"a", "SELECT @u"},
            {"h", "COMMIT"},
        };
        List<List<String>> seen = SequenceTest.directAndProxied(fixture, script, () -> { }, "allowMultiQueries=true");
        assertThat(seen.get(0)).as("directly").containsExactly("3", "5");
        assertThat(seen.get(1)).as("through the proxy").isEqualTo(seen.get(0));
    }
}
