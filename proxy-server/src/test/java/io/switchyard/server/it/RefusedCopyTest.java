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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A statement executed on a connection that has no copy of it is prepared there first, under
 * what the client prepared it under (its database: a {@code COM_INIT_DB} there and back). When
 * the server refuses that prepare (here: under {@code LOCK TABLES}, a table not locked), the
 * client gets the error the execution gives directly, and what the session reads after it is
 * what it reads after a failed execution: {@code ROW_COUNT()} -1 (not the 0 of the
 * {@code COM_INIT_DB}), {@code FOUND_ROWS()} as the statement before left it (also after a
 * cursor, whose count the proxy does not know), and the error in {@code SHOW WARNINGS}.
 */
class RefusedCopyTest {

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "event-loop-threads = 1");

    private static final String OPTIONS = "useServerPrepStmts=true&cachePrepStmts=false&useCursorFetch=true";

    @BeforeAll
    static void tables() {
        fixture.cluster().primary().execute(
                "CREATE TABLE IF NOT EXISTS app.refused_t (id INT PRIMARY KEY)",
                "INSERT IGNORE INTO app.refused_t VALUES (1), (2)",
                "CREATE DATABASE IF NOT EXISTS refused_other",
                "CREATE TABLE IF NOT EXISTS refused_other.locked (id INT PRIMARY KEY)",
                "INSERT IGNORE INTO refused_other.locked VALUES (1), (2), (3), (4), (5)",
                "GRANT ALL ON refused_other.* TO '" + MariaDbCluster.APP_USER + "'@'%'");
    }

    @Test
    void aRefusedCopyLeavesWhatAFailedExecutionLeaves() throws Exception {
        List<String> expected;
        try (Connection d = DriverManager.getConnection(fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&" + OPTIONS,
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = executeUnderLockTables(d, false);
        }
        assertThat(expected).containsExactly(
                "execution: 1100", "after it: 2 -1", "SHOW WARNINGS: Error 1100",
                "cursor: 5", "execution: 1100", "after it: 5 -1", "SHOW WARNINGS: Error 1100");
        try (Connection a = fixture.mysql(OPTIONS)) {
            long reprepares = fixture.proxy().stats().stmtReprepares();
            assertThat(executeUnderLockTables(a, true)).isEqualTo(expected);
            assertThat(fixture.proxy().stats().stmtReprepares()).as("the executions were prepared again on the locking connection")
                    .isGreaterThan(reprepares);
        }
    }

    /**
     * Prepares a read of {@code app.refused_t}, moves to database {@code refused_other}, leaves
     * the connection ({@code moved}: a client that logged in since, with the same options, holds
     * it), locks a table there, and executes the read twice, once after a plain query and once
     * after a cursor; returns what the session saw.
     */
    @SuppressWarnings("try") // the holder is only held
    private static List<String> executeUnderLockTables(Connection c, boolean moved) throws SQLException {
        List<String> seen = new ArrayList<>();
        try (PreparedStatement read = c.prepareStatement("SELECT id FROM refused_t /* refused */"); Statement s = c.createStatement()) {
            s.execute("USE refused_other");
            s.executeQuery("SELECT id FROM locked").close();
            try (Connection holder = moved ? fixture.holdLastConnection(OPTIONS, "SELECT id FROM refused_other.locked") : null) {
                s.execute("LOCK TABLES locked READ");
                s.executeQuery("SELECT id FROM locked WHERE id <= 2").close();
                afterRefusedExecution(read, s, seen);
                try (Statement cursor = c.createStatement()) {
                    cursor.setFetchSize(2);
                    int rows = 0;
                    try (ResultSet rs = cursor.executeQuery("SELECT id FROM locked")) {
                        while (rs.next()) {
                            rows++;
                        }
                    }
                    seen.add("cursor: " + rows);
                }
                afterRefusedExecution(read, s, seen);
                s.execute("UNLOCK TABLES");
            }
            s.execute("USE " + MariaDbCluster.APP_DATABASE);
        }
        return seen;
    }

    private static void afterRefusedExecution(PreparedStatement read, Statement s, List<String> seen) throws SQLException {
        try {
            read.executeQuery().close();
            seen.add("execution ran");
        } catch (SQLException e) {
            seen.add("execution: " + e.getErrorCode());
        }
        try (ResultSet rs = s.executeQuery("SELECT FOUND_ROWS(), ROW_COUNT()")) {
            assertThat(rs.next()).isTrue();
            seen.add("after it: " + rs.getString(1) + " " + rs.getString(2));
        }
        try (ResultSet rs = s.executeQuery("SHOW WARNINGS")) {
            StringBuilder warnings = new StringBuilder("SHOW WARNINGS:");
            while (rs.next()) {
                warnings.append(' ').append(rs.getString(1)).append(' ').append(rs.getInt(2));
            }
            seen.add(warnings.toString());
        }
    }
}
