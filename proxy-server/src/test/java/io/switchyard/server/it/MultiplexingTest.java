package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.backend.BackendPool;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Multiplexing: between statements a session's backend connection goes back to the pool, and
 * whatever connection the next statement borrows carries the session's state. Each test proves
 * that the statements really ran on different connections (different {@code @@pseudo_thread_id}):
 * a second session holds the connection the first one used last inside a transaction, so the
 * first must borrow another. One event loop, so both sessions share one pool partition.
 */
class MultiplexingTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            event-loop-threads = 1
            variables { mysql-max_stmts_per_connection = 4 }
            """);

    @BeforeAll
    static void tables() {
        fixture.cluster().primary().execute(
                "CREATE TABLE app.mux (id INT PRIMARY KEY, v VARCHAR(40))",
                "INSERT INTO app.mux VALUES (1, 'one'), (2, 'two')",
                "CREATE DATABASE other",
                "CREATE TABLE other.marker (name VARCHAR(20))",
                "INSERT INTO other.marker VALUES ('other schema')",
                "CREATE TABLE app.ids (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
                "CREATE TABLE app.marker (name VARCHAR(20))",
                "INSERT INTO app.marker VALUES ('app schema')",
                "GRANT ALL ON other.* TO 'app'@'%'");
    }

    private static BackendPool pool() {
        return fixture.proxy().topology().allPools().get(0);
    }

    /** Closes the pool's idle connections and waits until none is left, so the next statement runs on a new one. */
    private static void closeIdleConnections() throws InterruptedException {
        pool().closeIdle();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pool().idle() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pool().idle()).as("idle connections after closing them").isZero();
    }

    /** Makes the connection {@code holder} borrows next busy inside a transaction, so others must use another one. */
    @BeforeEach
    void everyConnectionBackInThePool() {
        fixture.awaitConnectionsParked();
    }

    static void occupy(Statement holder) throws SQLException {
        holder.execute("BEGIN");
        holder.executeQuery("SELECT 1 FROM app.mux LIMIT 1").close();
    }

    @Test
    void sessionStateFollowsTheSessionAcrossConnections() throws Exception {
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            sb.execute("USE other");
            sa.execute("USE other");
            sa.execute("SET NAMES latin1");
            sa.execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
            sa.execute("SET time_zone = '+05:30'");
            sa.execute("SET SESSION group_concat_max_len = 12345");
            Set<Long> connections = new HashSet<>();
            for (int round = 0; round < 6; round++) {
                boolean holding = round % 2 == 0;
                // A new session in the same schema takes the connection given back last (sa's), so
                // sa must run elsewhere.
                Connection holder = holding ? fixture.mysql("") : null;
                if (holding) {
                    Statement h = holder.createStatement();
                    h.execute("USE other");
                    occupy(h);
                }
                try (ResultSet rs = sa.executeQuery("SELECT DATABASE(), @@character_set_client, @@sql_mode, @@time_zone, "
                        + "@@group_concat_max_len, 'hello', (SELECT name FROM marker), @@pseudo_thread_id")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("other");
                    assertThat(rs.getString(2)).isEqualTo("latin1");
                    assertThat(rs.getString(3)).isEqualTo("ANSI_QUOTES");
                    assertThat(rs.getString(4)).isEqualTo("+05:30");
                    assertThat(rs.getLong(5)).isEqualTo(12345);
                    assertThat(rs.getString(6)).isEqualTo("hello");
                    assertThat(rs.getString(7)).isEqualTo("other schema");
                    connections.add(rs.getLong(8));
                }
                if (holding) {
                    holder.createStatement().execute("COMMIT");
                    holder.close();
                }
            }
            assertThat(connections).as("statements of one session ran on several backend connections").hasSizeGreaterThan(1);
            try (ResultSet rs = sb.executeQuery("SELECT @@character_set_client, @greeting, @@time_zone = @@global.time_zone")) {
                rs.next();
                assertThat(rs.getString(1)).as("the other session keeps its own character set").isNotEqualTo("latin1");
                assertThat(rs.getString(2)).as("and sees none of the first session's variables").isNull();
                assertThat(rs.getBoolean(3)).isTrue();
            }
        }
        assertThat(fixture.proxy().stats().multiplexedReleases()).isPositive();
    }

    @Test
    void anIdleSessionHoldsNoBackendConnection() throws Exception {
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Connection c = fixture.mysql("")) {
            for (Connection each : new Connection[] {a, b, c}) {
                try (Statement s = each.createStatement()) {
                    s.executeQuery("SELECT 1").close();
                }
            }
            assertThat(pool().inUse()).as("three idle sessions, no connection in use").isZero();
        }
    }

    @Test
    void transactionsKeepTheirConnectionUntilTheyEnd() throws Exception {
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            sa.execute("BEGIN");
            long first = connectionId(sa);
            sa.executeUpdate("UPDATE mux SET v = 'in-tx' WHERE id = 2");
            occupy(sb);
            assertThat(connectionId(sa)).isEqualTo(first);
            assertThat(pool().inUse()).isEqualTo(2);
            sa.execute("ROLLBACK");
            sb.execute("COMMIT");
            a.setAutoCommit(false);
            sa.executeQuery("SELECT 1 FROM app.mux LIMIT 1").close();
            long second = connectionId(sa);
            occupy(sb);
            assertThat(connectionId(sa)).as("the transaction a statement started with autocommit=0 keeps the connection")
                    .isEqualTo(second);
            a.commit();
            sb.execute("COMMIT");
            Await.until(Duration.ofSeconds(5), () -> "connections in use: " + pool().inUse(), () -> pool().inUse() == 0);
        }
    }

    /**
     * Sessions with autocommit off (the default of Python's DB-API drivers, and what a JDBC pool
     * sets for every transaction) hold no connection between their transactions: twenty of them,
     * each between two transactions, leave the pool's connections free.
     */
    @Test
    void sessionsWithAutocommitOffHoldNoConnectionBetweenTransactions() throws Exception {
        List<Connection> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Connection c = fixture.mysql("");
                sessions.add(c);
                c.setAutoCommit(false);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM app.mux WHERE id = 1")) {
                    assertThat(rs.next()).isTrue();
                }
                c.commit();
            }
            Await.until(Duration.ofSeconds(5), () -> "connections in use: " + pool().inUse(), () -> pool().inUse() == 0);
            for (Connection c : sessions) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@autocommit")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).as("autocommit stays off on whichever connection runs the session").isZero();
                }
                c.rollback();
            }
        } finally {
            for (Connection c : sessions) {
                c.close();
            }
        }
    }

    /**
     * With autocommit off, a {@code SAVEPOINT} before the transaction touched a table leaves a
     * savepoint the server keeps without reporting a transaction open: the session stays on its
     * connection from it on, so {@code ROLLBACK TO SAVEPOINT} finds it, as directly.
     */
    @Test
    void aSavepointWithAutocommitOffKeepsTheConnection() throws Exception {
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            sa.execute("SAVEPOINT sp");
            occupy(sb);
            sa.executeUpdate("UPDATE mux SET v = 'changed' WHERE id = 1");
            sa.execute("ROLLBACK TO SAVEPOINT sp");
            try (ResultSet rs = sa.executeQuery("SELECT v FROM mux WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("one");
            }
            a.commit();
            sb.execute("COMMIT");
        }
    }

    /**
     * With autocommit off, a statement that fails may have started a transaction (an error
     * carries no status): the session keeps its connection for the next statement, whose answer
     * tells, so the locks of that transaction stay the session's, as directly.
     */
    @Test
    void aFailedFirstStatementWithAutocommitOffKeepsTheTransactionItStarted() throws Exception {
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            // A duplicate key: InnoDB keeps the shared lock it took on the existing row.
            assertThatThrownBy(() -> sa.executeUpdate("INSERT INTO mux (id, v) VALUES (2, 'dup')"))
                    .isInstanceOf(java.sql.SQLIntegrityConstraintViolationException.class);
            try (ResultSet rs = sa.executeQuery("SELECT @@in_transaction")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("the failed INSERT started a transaction").isEqualTo(1);
            }
            sb.execute("SET SESSION innodb_lock_wait_timeout = 1");
            assertThatThrownBy(() -> sb.executeUpdate("UPDATE mux SET v = 'b' WHERE id = 2"))
                    .as("the row stays locked by the session's transaction")
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1205));
            a.rollback();
            assertThat(sb.executeUpdate("UPDATE mux SET v = 'two' WHERE id = 2"))
                    .as("the rollback reached the connection that held the lock").isEqualTo(1);
        }
    }

    @Test
    void temporaryTablesUserLocksAndUserVariablesPinTheSession() throws Exception {
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            sa.execute("CREATE TEMPORARY TABLE scratch (x INT)");
            long pinned = connectionId(sa);
            occupy(sb);
            sa.execute("INSERT INTO scratch VALUES (1)");
            assertThat(connectionId(sa)).isEqualTo(pinned);
            sb.execute("COMMIT");
            sa.execute("DROP TEMPORARY TABLE scratch");
            try (ResultSet rs = sa.executeQuery("SELECT GET_LOCK('mux-lock', 1)")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            long locked = connectionId(sa);
            occupy(sb);
            assertThat(connectionId(sa)).isEqualTo(locked);
            sa.executeQuery("SELECT RELEASE_LOCK('mux-lock')").close();
            sb.execute("COMMIT");
        }
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            sa.execute("SET @counter = 1");
            long pinned = connectionId(sa);
            occupy(sb);
            try (ResultSet rs = sa.executeQuery("SELECT @counter := @counter + 1, @@pseudo_thread_id")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(rs.getLong(2)).isEqualTo(pinned);
            }
            sb.execute("COMMIT");
        }
    }

    @Test
    void serverPreparedStatementsRunOnWhicheverConnectionIsFree() throws Exception {
        try (Connection a = fixture.mysql("useServerPrepStmts=true&cachePrepStmts=true");
             Connection b = fixture.mysql(""); Statement sb = b.createStatement();
             PreparedStatement ps = a.prepareStatement("SELECT v, ? + 1, @@pseudo_thread_id FROM mux WHERE id = ?")) {
            Set<Long> connections = new HashSet<>();
            for (int round = 0; round < 6; round++) {
                boolean holding = round % 2 == 1;
                if (holding) {
                    occupy(sb);
                }
                ps.setInt(1, round);
                ps.setInt(2, 1 + round % 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(round % 2 == 0 ? "one" : "two");
                    assertThat(rs.getInt(2)).isEqualTo(round + 1);
                    connections.add(rs.getLong(3));
                }
                if (holding) {
                    sb.execute("COMMIT");
                }
            }
            assertThat(connections).as("the statement ran on several connections").hasSizeGreaterThan(1);
            assertThat(fixture.proxy().stats().digests().snapshot())
                    .anySatisfy(row -> assertThat(row.digestText()).startsWith("SELECT v"));
        }
    }

    /** {@code LAST_INSERT_ID(expr)} right after an insert sets the value the session reads next, wherever it runs. */
    @Test
    void lastInsertIdSetByAnExpressionAfterAnInsertFollowsTheSession() throws Exception {
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            sa.execute("INSERT INTO ids (v) VALUES (1)");
            try (ResultSet rs = sa.executeQuery("SELECT LAST_INSERT_ID(201)")) {
                assertThat(rs.next()).isTrue();
            }
            occupy(sb);
            try (ResultSet rs = sa.executeQuery("SELECT LAST_INSERT_ID()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(201);
            }
            sb.execute("COMMIT");
        }
    }

    /**
     * An {@code INSERT ... RETURNING} sets {@code LAST_INSERT_ID()} as any insert does, though its
     * response (rows, then an OK without an insert id) does not show it: the session reads it
     * later on another connection as it would directly.
     */
    @Test
    void lastInsertIdOfAnInsertReturningRowsFollowsTheSession() throws Exception {
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            long id;
            assertThat(sa.execute("INSERT INTO ids (v) VALUES (7) RETURNING id")).isTrue();
            try (ResultSet rs = sa.getResultSet()) {
                assertThat(rs.next()).isTrue();
                id = rs.getLong(1);
            }
            sa.executeQuery("SELECT 1").close();
            occupy(sb);
            try (ResultSet rs = sa.executeQuery("SELECT LAST_INSERT_ID()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(id).isPositive();
            }
            sb.execute("COMMIT");
        }
    }

    /**
     * A text whose {@code SET NAMES … COLLATE} ran before a later statement of it failed leaves
     * that collation, wherever the session runs next.
     */
    @Test
    void aCollationSetBeforeAFailureInTheSameTextFollowsTheSession() throws Exception {
        String sql = "SET NAMES utf8mb4 COLLATE utf8mb4_bin; USE no_such_database";
        String read = "SELECT @@collation_connection, 'a' = 'A'";
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&allowMultiQueries=true";
        String expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Statement s = d.createStatement()) {
            assertThatThrownBy(() -> s.execute(sql)).isInstanceOf(SQLException.class);
            expected = firstRow(s, read);
        }
        assertThat(expected).isEqualTo("utf8mb4_bin 0");
        try (Connection a = fixture.mysql("allowMultiQueries=true"); Connection b = fixture.mysql("");
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            assertThatThrownBy(() -> sa.execute(sql)).isInstanceOf(SQLException.class);
            occupy(sb);
            assertThat(firstRow(sa, read)).isEqualTo(expected);
            sb.execute("COMMIT");
        }
    }

    private static String firstRow(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1) + " " + rs.getString(2);
        }
    }

    /**
     * The server keeps a statement's warnings readable across later statements that use no table
     * ({@code SELECT 1}, {@code DO 1}), and a statement using a table clears them: the session
     * keeps its connection for as long as they can be read, also while another session wants it.
     */
    @Test
    void warningsStayReadableAcrossStatementsThatUseNoTable() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        List<String> expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = warningCounts(d, null);
        }
        assertThat(expected).containsExactly("1", "0");
        try (Connection a = fixture.mysql(""); Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
            assertThat(warningCounts(a, () -> {
                occupy(sb);
                return () -> sb.execute("COMMIT");
            })).isEqualTo(expected);
        }
    }

    /**
     * Makes a warning, runs statements that use no table, runs {@code between} and counts the
     * warnings; then runs a statement that uses a table, {@code between} again, and counts again.
     */
    private static List<String> warningCounts(Connection c, ThrowingSupplier<ThrowingRunnable> between) throws Exception {
        List<String> counts = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1/0 FROM mux LIMIT 1").close();
            for (String next : new String[] {"SELECT 1", "DO 1", "SELECT * FROM mux WHERE id = 0"}) {
                s.execute(next);
                if (!next.equals("DO 1")) {
                    ThrowingRunnable undo = between == null ? null : between.get();
                    try (ResultSet rs = s.executeQuery("SHOW COUNT(*) WARNINGS")) {
                        assertThat(rs.next()).isTrue();
                        counts.add(rs.getString(1));
                    }
                    if (undo != null) {
                        undo.run();
                    }
                }
            }
        }
        return counts;
    }

    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    /**
     * A statement prepared in one database keeps reading that database's tables after the session
     * changes database (the server resolves its names at prepare time), also when it runs on a
     * connection that prepares it afresh; and the session is left in its own database.
     */
    @Test
    void aPreparedStatementKeepsTheDatabaseItWasPreparedInWhenItMovesToAnotherConnection() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&useServerPrepStmts=true";
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            assertThat(preparedThenUseOther(d, null)).containsExactly("app schema", "app schema", "other");
        }
        try (Connection a = fixture.mysql("useServerPrepStmts=true&cachePrepStmts=true");
             Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
            Set<Long> connections = new HashSet<>();
            assertThat(preparedThenUseOther(a, () -> {
                occupy(sb);
                closeIdleConnections();
            }, connections)).containsExactly("app schema", "app schema", "other");
            assertThat(connections).as("the second run was on another connection").hasSize(2);
            sb.execute("COMMIT");
        }
    }

    /**
     * A session in a database with a non-ASCII name, whose client character set is latin1, keeps
     * its database when it moves to a connection another session left in cp932: the database is
     * selected on the new connection while its client character set reads the name as sent.
     */
    @Test
    void aSessionKeepsItsNonAsciiDatabaseWhenItMovesFromOneCharacterSetToAnother() throws Exception {
        fixture.cluster().primary().execute("CREATE DATABASE IF NOT EXISTS `mux_ü` CHARACTER SET utf8mb4",
                "CREATE TABLE IF NOT EXISTS `mux_ü`.marker (name VARCHAR(20))", "INSERT INTO `mux_ü`.marker VALUES ('umlaut schema')",
                "GRANT ALL ON `mux_ü`.* TO 'app'@'%'");
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE);
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            assertThat(inUmlautSchemaAsLatin1(d, null, new ArrayList<>()))
                    .containsExactly("6D75785FC3BC umlaut schema latin1", "6D75785FC3BC umlaut schema latin1");
        }
        // Only this test's connections are idle in the pool: the one left in cp932 is the one free.
        pool().closeIdle();
        Await.until(Duration.ofSeconds(5), "idle connections closed", () -> pool().idle() == 0);
        try (Connection a = fixture.mysql(""); Connection h = fixture.mysql(""); Connection other = fixture.mysql("");
             Statement sh = h.createStatement(); Statement so = other.createStatement()) {
            List<Long> connections = new ArrayList<>();
            long[] leftInCp932 = new long[1];
            List<String> seen = inUmlautSchemaAsLatin1(a, () -> {
                occupy(sh);
                so.execute("SET NAMES cp932");
                try (ResultSet rs = so.executeQuery("SELECT @@pseudo_thread_id")) {
                    rs.next();
                    leftInCp932[0] = rs.getLong(1);
                }
            }, connections);
            assertThat(seen).containsExactly("6D75785FC3BC umlaut schema latin1", "6D75785FC3BC umlaut schema latin1");
            assertThat(connections.get(1)).as("the second read ran on the connection left in cp932").isEqualTo(leftInCp932[0])
                    .isNotEqualTo(connections.get(0));
            sh.execute("COMMIT");
        }
    }

    /**
     * {@code USE `mux_ü`}, {@code SET NAMES latin1}, a read, {@code between}, the read again;
     * returns what both read (the database in hex, the marker, the client character set) and
     * adds the connection ids they ran on.
     */
    private static List<String> inUmlautSchemaAsLatin1(Connection c, ThrowingRunnable between, List<Long> connections)
            throws Exception {
        List<String> seen = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.execute("USE `mux_ü`");
            s.execute("SET NAMES latin1");
            for (int run = 0; run < 2; run++) {
                if (run == 1 && between != null) {
                    between.run();
                }
                try (ResultSet rs = s.executeQuery("SELECT HEX(DATABASE()), name, @@character_set_client, @@pseudo_thread_id "
                        + "FROM marker")) {
                    assertThat(rs.next()).isTrue();
                    seen.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
                    connections.add(rs.getLong(4));
                }
            }
            s.execute("SET NAMES utf8mb4");
            s.execute("USE app");
        }
        return seen;
    }

    /**
     * A connection the session moved to another database with a statement ({@code USE}) stays
     * there after a statement prepared in that database is prepared on it afresh: the copy is
     * prepared in the statement's database and the connection is then put back where the
     * session is, not where it was when it was borrowed.
     */
    @Test
    void aConnectionMovedByUseStaysWhereTheSessionIsAfterAStatementIsPreparedOnIt() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&useServerPrepStmts=true";
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            assertThat(preparedInOtherThenUseOtherAgain(d, null, new HashSet<>()))
                    .containsExactly("other schema", "other schema", "other schema", "other");
        }
        try (Connection a = fixture.mysql("useServerPrepStmts=true&cachePrepStmts=true");
             Connection h = fixture.mysql(""); Statement sh = h.createStatement()) {
            Set<Long> connections = new HashSet<>();
            assertThat(preparedInOtherThenUseOtherAgain(a, () -> occupy(sh), connections))
                    .containsExactly("other schema", "other schema", "other schema", "other");
            assertThat(connections).as("the second run was on another connection").hasSize(2);
            sh.execute("COMMIT");
        }
    }

    /**
     * In {@code other}: prepares and runs a statement; then {@code USE app}, {@code between},
     * {@code USE other}, runs the statement again, the same text as a query, and reads the
     * database; returns the three names read and the database.
     */
    private static List<String> preparedInOtherThenUseOtherAgain(Connection c, ThrowingRunnable between, Set<Long> connections)
            throws Exception {
        List<String> seen = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.execute("USE other");
            try (PreparedStatement ps = c.prepareStatement("SELECT name, @@pseudo_thread_id FROM marker WHERE ? > 0 /* moved */")) {
                for (int run = 0; run < 2; run++) {
                    if (run == 1) {
                        s.execute("USE app");
                        if (between != null) {
                            between.run();
                        }
                        s.execute("USE other");
                    }
                    ps.setInt(1, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        seen.add(rs.getString(1));
                        connections.add(rs.getLong(2));
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT name FROM marker")) {
                assertThat(rs.next()).isTrue();
                seen.add(rs.getString(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
                assertThat(rs.next()).isTrue();
                seen.add(rs.getString(1));
            }
            s.execute("USE app");
        }
        return seen;
    }

    private static final String PARSED = "SELECT 'a' = 'A', '1' || '0', @@pseudo_thread_id FROM marker WHERE ? > 0";

    /**
     * A prepared statement keeps the collation its literals got and the {@code sql_mode} its text
     * was parsed under, whatever the session sets afterwards, also when it runs on a connection
     * that prepares it afresh; and a copy another session prepared under other settings is not
     * used for it.
     */
    @Test
    void aPreparedStatementKeepsTheCollationAndSqlModeItWasPreparedUnder() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&useServerPrepStmts=true";
        List<String> expected;
        try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = preparedThenChangeHowTextIsRead(d, false, null, new HashSet<>());
        }
        assertThat(expected).as("direct").containsExactly("1 1", "1 1", "0 10");
        for (boolean pinFirst : new boolean[] {false, true}) {
            everyConnectionBackInThePool();
            List<Connection> holders = new ArrayList<>();
            try (Connection a = fixture.mysql("useServerPrepStmts=true&cachePrepStmts=true")) {
                Set<Long> connections = new HashSet<>();
                // A new session takes the connection given back last (a's), so a must run elsewhere.
                ThrowingRunnable occupyNew = () -> {
                    holders.add(fixture.mysql("useServerPrepStmts=true&cachePrepStmts=true"));
                    occupy(holders.get(0).createStatement());
                };
                assertThat(preparedThenChangeHowTextIsRead(a, pinFirst, occupyNew, connections)).as("pinFirst " + pinFirst)
                        .isEqualTo(expected);
                assertThat(connections).as("the second run was on another connection").hasSize(2);
            } finally {
                for (Connection h : holders) {
                    h.close();
                }
            }
        }

        // Session a prepares the text with the login's settings on one connection (X); session c
        // prepares it after SET NAMES ... COLLATE utf8mb4_bin on another (Y), then runs it on X.
        everyConnectionBackInThePool();
        try (Connection a = fixture.mysql("useServerPrepStmts=true"); Connection c = fixture.mysql("useServerPrepStmts=true");
             PreparedStatement pa = a.prepareStatement(PARSED)) {
            pa.setInt(1, 1);
            long x = connectionOf(pa);
            try (Connection h1 = fixture.mysql(""); Connection h2 = fixture.mysql("");
                 Statement s1 = h1.createStatement(); Statement s2 = h2.createStatement()) {
                occupy(s1);
                c.createStatement().execute("SET NAMES utf8mb4 COLLATE utf8mb4_bin");
                try (PreparedStatement pc = c.prepareStatement(PARSED)) {
                    pc.setInt(1, 1);
                    assertThat(connectionOf(pc)).as("c prepared elsewhere").isNotEqualTo(x);
                    occupy(s2);
                    s1.execute("COMMIT");
                    try (ResultSet rs = pc.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong(3)).as("c ran where a's copy is").isEqualTo(x);
                        assertThat(rs.getInt(1)).as("'a' = 'A' under utf8mb4_bin").isZero();
                    }
                    s2.execute("COMMIT");
                }
            }
        }
    }

    private static long connectionOf(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(3);
        }
    }

    /**
     * Prepares {@link #PARSED}, runs it, changes the connection collation and {@code sql_mode},
     * runs {@code between} (with {@code pinFirst}: runs it, creates a temporary table, then
     * changes them), runs the statement again, then the same text as a query; returns the
     * three results as "{@code 'a' = 'A'} {@code '1' || '0'}".
     */
    private static List<String> preparedThenChangeHowTextIsRead(Connection c, boolean pinFirst, ThrowingRunnable between,
                                                                Set<Long> connections) throws Exception {
        List<String> seen = new ArrayList<>();
        // a text of its own, so that no connection has a copy prepared by an earlier session
        try (PreparedStatement ps = c.prepareStatement(PARSED + (pinFirst ? " /* pinned */" : "")); Statement s = c.createStatement()) {
            for (int run = 0; run < 2; run++) {
                if (run == 1 && pinFirst) {
                    // on another connection, where the session then stays (a temporary table)
                    if (between != null) {
                        between.run();
                    }
                    s.execute("CREATE TEMPORARY TABLE pin_here (a INT)");
                }
                if (run == 1) {
                    s.execute("SET NAMES utf8mb4 COLLATE utf8mb4_bin");
                    s.execute("SET SESSION sql_mode = 'PIPES_AS_CONCAT'");
                    if (between != null && !pinFirst) {
                        between.run();
                    }
                }
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    seen.add(rs.getString(1) + " " + rs.getString(2));
                    connections.add(rs.getLong(3));
                }
            }
            try (ResultSet rs = s.executeQuery(PARSED.replace("?", "1"))) {
                assertThat(rs.next()).isTrue();
                seen.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return seen;
    }

    /**
     * Prepares {@code SELECT name FROM marker} in {@code app}, runs it, changes to database
     * {@code other}, runs {@code between}, runs the statement again; returns both results and the
     * database the session is in at the end, and adds the connection ids the runs saw.
     */
    private static List<String> preparedThenUseOther(Connection c, ThrowingRunnable between, Set<Long> connections)
            throws Exception {
        List<String> seen = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, @@pseudo_thread_id FROM marker WHERE ? > 0");
             Statement s = c.createStatement()) {
            for (int run = 0; run < 2; run++) {
                if (run == 1) {
                    s.execute("USE other");
                    if (between != null) {
                        between.run();
                    }
                }
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    seen.add(rs.getString(1));
                    connections.add(rs.getLong(2));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
                assertThat(rs.next()).isTrue();
                seen.add(rs.getString(1));
            }
        }
        return seen;
    }

    private static List<String> preparedThenUseOther(Connection c, ThrowingRunnable between) throws Exception {
        return preparedThenUseOther(c, between, new HashSet<>());
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void pipelinedPrepareAndExecuteFromMariaDbConnector() throws Exception {
        try (Connection a = fixture.mariadb("useServerPrepStmts=true");
             Connection b = fixture.mysql(""); Statement sb = b.createStatement()) {
            for (int round = 0; round < 4; round++) {
                if (round % 2 == 1) {
                    occupy(sb);
                }
                try (PreparedStatement ps = a.prepareStatement("SELECT v FROM mux WHERE id = ? AND ? > 0")) {
                    ps.setInt(1, 2);
                    ps.setInt(2, round + 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).isEqualTo("two");
                    }
                }
                if (round % 2 == 1) {
                    sb.execute("COMMIT");
                }
            }
        }
    }

    @Test
    void preparedStatementsOnTheServerStayBoundedWhateverClientsOpen() throws Exception {
        try (Connection a = fixture.mysql("useServerPrepStmts=true&cachePrepStmts=false")) {
            for (int i = 0; i < 60; i++) {
                try (PreparedStatement ps = a.prepareStatement("SELECT " + i + " + ?")) {
                    ps.setInt(1, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertThat(rs.getInt(1)).isEqualTo(i + 1);
                    }
                }
            }
        }
        long open = Long.parseLong(fixture.cluster().primary()
                .query("SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'").get(0).get("Value").toString());
        assertThat(open).as("statements open on the server: at most 4 per pooled connection")
                .isLessThanOrEqualTo(4L * pool().total());
    }

    @Test
    void anUnknownStatementIdIsAnErrorAndTheSessionGoesOn() throws Exception {
        try (RawMysqlClient client = RawMysqlClient.connect(fixture.host(), fixture.port(), java.time.Duration.ofSeconds(10))) {
            assertThat(client.login("app", "app-pass", "app").isErr()).isFalse();
            client.write(0, new byte[] {0x17, 99, 0, 0, 0, 0, 1, 0, 0, 0});
            RawMysqlClient.Packet answer = client.read();
            assertThat(answer.isErr()).isTrue();
            assertThat(answer.errorCode()).isEqualTo(1243);
            assertThat(answer.errorMessage()).contains("99");
            client.query("SELECT 1", 0);
            assertThat(client.read().isErr()).isFalse();
        }
    }

    private static long connectionId(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT @@pseudo_thread_id")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
