package io.switchyard.server.it;

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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client whose character set is not UTF-8 gets what it gets directly: the proxy reads its
 * statement text in that character set and sends the server the client's own bytes. Two classes
 * of defect, each compared with direct connections: a server-prepared statement of a
 * {@code latin1} client, prepared again on another connection after the session moved, was
 * written there as UTF-8 ({@code 'é'} became {@code 'ï¿½'} and went into the table so); in
 * Shift JIS a character's second byte may be {@code 0x5C}, which read as UTF-8 is a backslash
 * that escaped the closing quote and hid the lock and the variable after it. One event loop, so
 * that a second session borrows the connection the first gave back last, as in
 * {@link SequenceTest}.
 */
class ClientCharsetTextTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            event-loop-threads = 1
            """);

    private static final int LATIN1_SWEDISH_CI = 8;
    private static final String LATIN1 = "useServerPrepStmts=true&characterEncoding=ISO-8859-1&connectionCollation=latin1_swedish_ci";

    @Test
    void aLatin1StatementPreparedAgainOnAnotherConnectionKeepsItsBytes() throws Exception {
        List<String> direct = writeAndRead(fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&" + LATIN1,
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
        List<String> proxied = writeAndRead(fixture.mysqlUrl(LATIN1), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
        assertThat(direct).as("directly").containsExactly("E9 | 1", "E9 | 2", "1 | E9", "2 | E9");
        assertThat(proxied).as("through the proxy").isEqualTo(direct);
    }

    /**
     * Session {@code a} runs a prepared insert and select with a literal {@code 'é'}; {@code h}
     * then holds the connection {@code a} gave back, inside a transaction, so that {@code a}'s
     * second executions run on another connection, where the proxy prepares them again. Returns
     * the selects' rows and the table's rows.
     */
    private static List<String> writeAndRead(String url, String user, String password) throws SQLException {
        fixture.cluster().primary().execute("CREATE OR REPLACE TABLE app.latin1_rows (id INT PRIMARY KEY, v VARCHAR(8)) CHARSET latin1");
        List<String> rows = new ArrayList<>();
        try (Connection a = DriverManager.getConnection(url, user, password);
             Connection h = DriverManager.getConnection(url, user, password);
             PreparedStatement insert = a.prepareStatement("INSERT INTO latin1_rows (id, v) VALUES (?, 'é')");
             PreparedStatement select = a.prepareStatement("SELECT HEX('é'), ?");
             Statement sh = h.createStatement()) {
            for (int i = 1; i <= 2; i++) {
                insert.setInt(1, i);
                insert.executeUpdate();
                select.setInt(1, i);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    rows.add(rs.getString(1) + " | " + rs.getString(2));
                }
                if (i == 1) {
                    sh.execute("BEGIN");
                    sh.executeQuery("SELECT COUNT(*) FROM latin1_rows").close();
                }
            }
            sh.execute("COMMIT");
        }
        for (Map<String, Object> row : fixture.cluster().primary().query("SELECT id, HEX(v) AS v FROM app.latin1_rows ORDER BY id")) {
            rows.add(row.get("id") + " | " + row.get("v"));
        }
        return rows;
    }

    /**
     * A latin1 session in a database whose name is not ASCII moves to a connection the proxy opens
     * for it ({@code h} and {@code b} hold the others): the login gives the server no database
     * name in UTF-8 bytes it would read as latin1 (before, {@code latin1_ü} arrived as
     * {@code latin1_Ã¼} and the statement failed with 1049).
     */
    @Test
    void aLatin1SessionInANonAsciiDatabaseKeepsItOnANewConnection() throws Exception {
        fixture.cluster().primary().execute("CREATE DATABASE IF NOT EXISTS `latin1_ü`");
        String[][] script = {
            {"a", "USE `latin1_ü`"},
            {"h", "BEGIN"},
            {"h", "SELECT 1"},
            {"b", "BEGIN"},
            {"b", "SELECT 2"},
            {"a", "SELECT DATABASE(), HEX(DATABASE())"},
            {"h", "COMMIT"},
            {"b", "COMMIT"},
        };
        List<List<String>> seen = SequenceTest.directAndProxied(fixture, script, () -> { },
                "characterEncoding=ISO-8859-1&connectionCollation=latin1_swedish_ci");
        assertThat(seen.get(0)).as("directly").containsExactly("1", "2", "latin1_ü | 6C6174696E315FC3BC");
        assertThat(seen.get(1)).as("through the proxy").isEqualTo(seen.get(0));
    }

    /**
     * A latin1 client names a database that is not ASCII at login: the server reads the name in
     * the login's character set, and so does the proxy (before, it read it as UTF-8 and the login
     * failed with 1049 for {@code latin1_\uFFFD}).
     */
    @Test
    void aLatin1ClientNamesANonAsciiDatabaseAtLogin() throws Exception {
        fixture.cluster().primary().execute("CREATE DATABASE IF NOT EXISTS `latin1_ü`");
        String params = "?sslMode=DISABLED&allowPublicKeyRetrieval=true&characterEncoding=ISO-8859-1"
                + "&connectionCollation=latin1_swedish_ci";
        String direct = "jdbc:mysql://" + fixture.cluster().primary().host() + ":" + fixture.cluster().primary().port()
                + "/latin1_ü" + params;
        String proxied = "jdbc:mysql://127.0.0.1:" + fixture.port() + "/latin1_ü" + params;
        List<String> seen = new ArrayList<>();
        for (String url : List.of(direct, proxied)) {
            try (Connection c = DriverManager.getConnection(url, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT DATABASE(), HEX(DATABASE())")) {
                rs.next();
                seen.add(rs.getString(1) + " | " + rs.getString(2));
            }
        }
        assertThat(seen.get(0)).as("directly").isEqualTo("latin1_ü | 6C6174696E315FC3BC");
        assertThat(seen.get(1)).as("through the proxy").isEqualTo(seen.get(0));
    }

    /**
     * A COM_CHANGE_USER that names the latin1 collation and a database that is not ASCII, in
     * latin1: the server reads the names in the character set of the collation the request names,
     * and so does the proxy (before, it read them as UTF-8 and the request failed with 1049 for
     * {@code latin1_\uFFFD}). The session then runs on a connection of its own (it holds a
     * temporary table), which the proxy opened for the new login.
     */
    @Test
    void aChangeUserNamesANonAsciiDatabaseInItsCollationsCharacterSet() throws Exception {
        fixture.cluster().primary().execute("CREATE DATABASE IF NOT EXISTS `latin1_ü`");
        List<String> seen = new ArrayList<>();
        for (int port : new int[] {fixture.cluster().primary().port(), fixture.port()}) {
            try (RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", port, java.time.Duration.ofSeconds(10))) {
                assertThat(client.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE).type())
                        .as("login").isEqualTo(RawMysqlClient.OK);
                RawMysqlClient.Packet answer = client.changeUser(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD,
                        "latin1_ü", LATIN1_SWEDISH_CI, java.nio.charset.StandardCharsets.ISO_8859_1);
                seen.add(answer.isErr() ? "refused " + answer.errorCode() + " " + answer.errorMessage() : "accepted");
                if (!answer.isErr()) {
                    seen.add(String.valueOf(client.rows("SELECT HEX(DATABASE()), @@character_set_client")));
                    client.rows("CREATE TEMPORARY TABLE here (a INT)");
                    seen.add(String.valueOf(client.rows("SELECT HEX(DATABASE()), COUNT(*) FROM here")));
                }
            }
        }
        assertThat(seen.subList(0, 3)).as("directly").containsExactly("accepted",
                "[[6C6174696E315FC3BC, latin1]]", "[[6C6174696E315FC3BC, 0]]");
        assertThat(seen.subList(3, seen.size())).as("through the proxy").isEqualTo(seen.subList(0, 3));
    }

    @ParameterizedTest(name = "server-prepared: {0}")
    @ValueSource(booleans = {false, true})
    void aShiftJisCharacterEndingInABackslashHidesNothing(boolean serverPrepared) throws Exception {
        String[][] script = {
            {"a", "SELECT HEX('十'), GET_LOCK('sjis_lock', 0), @v := 42"},
            {"h", "BEGIN"},
            {"h", "SELECT GET_LOCK('sjis_lock', 0)"},
            {"a", "SELECT RELEASE_LOCK('sjis_lock'), @v"},
            {"h", "COMMIT"},
        };
        String params = "characterEncoding=SJIS" + (serverPrepared ? "&useServerPrepStmts=true" : "");
        List<List<String>> seen = SequenceTest.directAndProxied(fixture, script, () -> { }, params);
        assertThat(seen.get(0)).as("directly").containsExactly("8F5C | 1 | 42", "0", "1 | 42");
        assertThat(seen.get(1)).as("through the proxy").isEqualTo(seen.get(0));
    }
}
