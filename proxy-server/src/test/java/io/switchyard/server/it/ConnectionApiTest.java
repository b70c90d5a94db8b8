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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What drivers send for their connection's methods rather than for statements: the reset of the
 * session ({@code COM_RESET_CONNECTION}, Connector/J's {@code resetServerState()}) and the change
 * of database ({@code COM_INIT_DB}, MariaDB Connector/J's {@code setCatalog}). Each script runs on
 * direct connections and on proxy sessions, compared; a second session holds, inside a
 * transaction, the connection the first gave back last (as in {@link MultiplexingTest}), so the
 * first moves where it can. One event loop, so the sessions share one pool partition.
 */
class ConnectionApiTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            event-loop-threads = 1
            """);

    private static final String LATIN1_DATABASE = "api_latin1";
    private static final String OTHER_LATIN1_DATABASE = "`api_lätin1`";

    @BeforeAll
    static void databases() {
        fixture.cluster().primary().execute("CREATE DATABASE " + LATIN1_DATABASE + " CHARACTER SET latin1",
                "CREATE TABLE " + LATIN1_DATABASE + ".t (v INT)", "CREATE DATABASE " + OTHER_LATIN1_DATABASE + " CHARACTER SET latin1");
    }

    private static String directUrl(String database) {
        return fixture.cluster().primary().jdbcUrl(database);
    }

    /**
     * After the reset the session keeps its database, but the server gives the database's
     * character-set variables their global values (utf8mb4 here), not the database's (latin1):
     * {@code SET CHARACTER SET} then takes the connection's character set from them. A connection
     * newly in that database has the database's, and so has another session in it that runs
     * where the reset session ran.
     */
    @Test
    void aResetSessionKeepsTheServersDatabaseCharacterSetWhereverItRuns() throws Exception {
        String params = "connectionCollation=utf8mb4_general_ci";
        List<String> expected;
        String direct = directUrl(LATIN1_DATABASE) + "&" + params;
        try (Connection a = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection h = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection b = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = resetScript(a, h, b);
        }
        List<String> proxied;
        String throughProxy = fixture.mysqlUrl(params).replace("/" + MariaDbCluster.APP_DATABASE + "?", "/" + LATIN1_DATABASE + "?");
        try (Connection a = DriverManager.getConnection(throughProxy, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection h = DriverManager.getConnection(throughProxy, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection b = DriverManager.getConnection(throughProxy, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            proxied = resetScript(a, h, b);
        }
        assertThat(expected).as("directly").containsExactly("api_latin1 | latin1 | latin1_swedish_ci | null",
                "api_latin1 | utf8mb4 | utf8mb4_general_ci | null", "utf8mb4 | utf8mb4_general_ci", "latin1 | latin1_swedish_ci");
        assertThat(proxied).as("through the proxy").isEqualTo(expected);
    }

    /** {@code b} then runs where {@code a} ran last: it has its database's character set. */
    private static List<String> resetScript(Connection a, Connection h, Connection b) throws Exception {
        List<String> seen = new ArrayList<>();
        try (Statement sa = a.createStatement(); Statement sh = h.createStatement(); Statement sb = b.createStatement()) {
            sa.execute("SET @pinned = 1");
            seen.add(row(sa, "SELECT DATABASE(), @@character_set_database, @@collation_database, @never_set"));
            ((com.mysql.cj.jdbc.JdbcConnection) a).resetServerState();
            sh.execute("BEGIN");
            sh.executeQuery("SELECT v FROM t").close();
            seen.add(row(sa, "SELECT DATABASE(), @@character_set_database, @@collation_database, @pinned"));
            sa.execute("SET CHARACTER SET utf8mb4");
            sh.execute("COMMIT");
            seen.add(row(sa, "SELECT @@character_set_connection, @@collation_connection"));
            seen.add(row(sb, "SELECT @@character_set_database, @@collation_database"));
        }
        return seen;
    }

    /** A {@code USE} right after the reset gives the database's character set, wherever the session reads it. */
    @Test
    void aDatabaseSelectedAfterAResetHasItsOwnCharacterSet() throws Exception {
        List<String> expected;
        String direct = directUrl(MariaDbCluster.APP_DATABASE);
        try (Connection a = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection h = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = useAfterReset(a, h);
        }
        List<String> proxied;
        try (Connection a = fixture.mysql(""); Connection h = fixture.mysql("")) {
            proxied = useAfterReset(a, h);
        }
        assertThat(expected).as("directly").containsExactly("latin1_swedish_ci", "latin1_swedish_ci");
        assertThat(proxied).as("through the proxy").isEqualTo(expected);
    }

    private static List<String> useAfterReset(Connection a, Connection h) throws Exception {
        List<String> seen = new ArrayList<>();
        try (Statement sa = a.createStatement(); Statement sh = h.createStatement()) {
            ((com.mysql.cj.jdbc.JdbcConnection) a).resetServerState();
            sa.execute("USE " + OTHER_LATIN1_DATABASE);
            seen.add(row(sa, "SELECT @@collation_database"));
            sh.execute("BEGIN");
            sh.executeQuery("SELECT v FROM " + LATIN1_DATABASE + ".t").close();
            seen.add(row(sa, "SELECT @@collation_database"));
            sh.execute("COMMIT");
        }
        return seen;
    }

    /**
     * {@code COM_INIT_DB} sets {@code ROW_COUNT()} to 0 and leaves {@code FOUND_ROWS()} and the
     * warnings, whatever statement ran before it (a failed one left -1).
     */
    @Test
    void aChangeOfDatabaseLeavesTheRowCountItsCommandGives() throws Exception {
        List<String> expected;
        try (Connection a = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + fixture.cluster().primary().port() + "/"
                + MariaDbCluster.APP_DATABASE, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = initDbScript(a);
        }
        List<String> proxied;
        try (Connection a = fixture.mariadb("")) {
            proxied = initDbScript(a);
        }
        assertThat(expected).as("directly").containsExactly("0 | 3 | 0", "0 | 1 | 1", "-1 | 1 | 1");
        assertThat(proxied).as("through the proxy").isEqualTo(expected);
    }

    private static List<String> initDbScript(Connection a) throws Exception {
        List<String> seen = new ArrayList<>();
        try (Statement s = a.createStatement()) {
            s.executeQuery("SELECT 1 UNION SELECT 2 UNION SELECT 3").close();
            s.executeUpdate("INSERT INTO " + LATIN1_DATABASE + ".t VALUES (1), (2)");
            a.setCatalog(LATIN1_DATABASE);
            seen.add(row(s, "SELECT ROW_COUNT(), FOUND_ROWS(), @@warning_count"));
            try {
                s.execute("SELECT no_such_column FROM t");
            } catch (SQLException expectedFailure) {
                // ROW_COUNT() is -1 after it
            }
            a.setCatalog(MariaDbCluster.APP_DATABASE);
            seen.add(row(s, "SELECT ROW_COUNT(), FOUND_ROWS(), @@warning_count"));
            try {
                a.setCatalog("no_such_database");
            } catch (SQLException expectedFailure) {
                // 1049, and ROW_COUNT() is -1
            }
            seen.add(row(s, "SELECT ROW_COUNT(), FOUND_ROWS(), @@warning_count"));
        }
        return seen;
    }

    private static String row(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                values.add(String.valueOf(rs.getString(i)));
            }
            return String.join(" | ", values);
        }
    }
}
