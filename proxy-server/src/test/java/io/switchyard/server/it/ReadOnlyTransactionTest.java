package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.backend.ServerAddress;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import io.switchyard.topology.HostgroupServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read-only transactions run on the reader hostgroup of the writer's replication pair
 * ({@code mysql-read_only_transactions_to_readers}, on by default) and behave there as on the
 * primary: a write fails with the primary's error, a statement that commits implicitly ends the
 * transaction and runs on the primary, and a statement that needs the primary moves the
 * transaction there when it gives the same results, or ends the session with an error when it
 * does not. The writer is not also a reader here, so which server ran a statement tells where it
 * was routed.
 */
class ReadOnlyTransactionTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(1, cluster -> ProxyFixture.pairedServers(cluster)
            + "variables { mysql-monitor_writer_is_also_reader = false }\n");

    private static MariaDbServer primary() {
        return fixture.cluster().primary();
    }

    private static MariaDbServer replica() {
        return fixture.cluster().replicas().get(0);
    }

    @BeforeAll
    static void roles() {
        primary().execute("CREATE TABLE IF NOT EXISTS app.ro (id INT PRIMARY KEY, v VARCHAR(20))",
                "REPLACE INTO app.ro VALUES (1, 'one'), (2, 'two')");
        fixture.cluster().awaitReplicaCatchUp(Duration.ofSeconds(10));
        Await.until(Duration.ofSeconds(10), "the monitor knows the writer and the reader", () -> {
            List<ServerAddress> writers = fixture.proxy().topology().servers(0).stream().map(HostgroupServer::address).toList();
            List<ServerAddress> readers = fixture.proxy().topology().servers(1).stream().map(HostgroupServer::address).toList();
            return writers.equals(List.of(address(primary()))) && readers.equals(List.of(address(replica())));
        });
    }

    private static ServerAddress address(MariaDbServer server) {
        return new ServerAddress(server.host(), server.port());
    }

    private static int serverId(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void startTransactionReadOnlyRunsOnTheReplicaUntilItEnds() throws Exception {
        long before = fixture.proxy().stats().readOnlyTransactionsOnReaders();
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("START TRANSACTION READ ONLY");
            assertThat(serverId(s)).isEqualTo(replica().serverId());
            assertThat(one(s, "SELECT v FROM ro WHERE id = 2")).isEqualTo("two");
            assertThat(one(s, "SELECT @@in_transaction")).isEqualTo("1");
            s.execute("COMMIT");
            assertThat(serverId(s)).as("after the transaction").isEqualTo(primary().serverId());
            s.execute("START TRANSACTION");
            assertThat(serverId(s)).as("a transaction that may write").isEqualTo(primary().serverId());
            s.execute("COMMIT");
            s.execute("START TRANSACTION READ WRITE");
            assertThat(serverId(s)).isEqualTo(primary().serverId());
            s.execute("ROLLBACK");
        }
        assertThat(fixture.proxy().stats().readOnlyTransactionsOnReaders() - before).isEqualTo(1);
    }

    /**
     * A session whose transactions are read only, with autocommit off: what a framework's
     * read-only transaction sends (Spring's {@code enforceReadOnly}). Connector/J's
     * {@code setReadOnly(true)} sends nothing to a MariaDB server: the driver takes its version
     * ({@code 5.5.5-10.11...}) for one older than MySQL 5.6.5.
     */
    @Test
    void aReadOnlySessionRunsItsTransactionsOnTheReplicaAndWritesAfterwardsOnThePrimary() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("SET SESSION TRANSACTION READ ONLY");
            c.setAutoCommit(false);
            for (int i = 0; i < 3; i++) {
                assertThat(serverId(s)).as("read-only transaction %d", i).isEqualTo(replica().serverId());
                assertThat(one(s, "SELECT v FROM ro WHERE id = 1")).isEqualTo("one");
                c.commit();
            }
            s.execute("SET SESSION TRANSACTION READ WRITE");
            assertThat(s.executeUpdate("REPLACE INTO ro VALUES (3, 'three')")).isPositive();
            assertThat(serverId(s)).isEqualTo(primary().serverId());
            c.commit();
            c.setAutoCommit(true);
            s.execute("SET SESSION TRANSACTION READ ONLY");
            s.execute("BEGIN");
            assertThat(serverId(s)).as("BEGIN in a read-only session").isEqualTo(replica().serverId());
            s.execute("COMMIT");
            s.execute("SET SESSION TRANSACTION READ WRITE");
            s.execute("DELETE FROM ro WHERE id = 3");
        }
        assertThat(primary().queryString("SELECT COUNT(*) FROM app.ro WHERE id = 3")).isEqualTo("0");
    }

    @Test
    void setTransactionReadOnlyThenBeginRunsOnTheReplicaAndTheNextTransactionMayWrite() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
            s.execute("SET TRANSACTION READ ONLY");
            s.execute("BEGIN");
            assertThat(serverId(s)).isEqualTo(replica().serverId());
            assertThat(one(s, "SELECT v FROM ro WHERE id = 2")).isEqualTo("two");
            SQLException e = catchSql(() -> s.executeUpdate("UPDATE ro SET v = 'x' WHERE id = 2"));
            assertThat(e.getErrorCode()).isEqualTo(1792);
            s.execute("COMMIT");
            s.execute("BEGIN");
            assertThat(s.executeUpdate("REPLACE INTO ro VALUES (4, 'four')")).as("the characteristics applied once").isPositive();
            assertThat(serverId(s)).isEqualTo(primary().serverId());
            s.execute("ROLLBACK");
            for (int i = 0; i < 5; i++) {
                s.execute("BEGIN");
                assertThat(s.executeUpdate("REPLACE INTO ro VALUES (4, 'four')"))
                        .as("no pooled connection kept the characteristics").isPositive();
                s.execute("ROLLBACK");
            }
        }
    }

    @Test
    void aTransactionMovedToThePrimaryKeepsItsCharacteristics() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION READ ONLY");
            s.execute("START TRANSACTION");
            assertThat(one(s, "SELECT v FROM ro WHERE id = 2")).isEqualTo("two");
            assertThat(one(s, "SELECT v FROM ro WHERE id = 2 LOCK IN SHARE MODE")).isEqualTo("two");
            assertThat(serverId(s)).isEqualTo(primary().serverId());
            SQLException e = catchSql(() -> s.executeUpdate("UPDATE ro SET v = 'x' WHERE id = 2"));
            assertThat(e.getErrorCode()).as("still read only on the primary").isEqualTo(1792);
            s.execute("COMMIT");
        }
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("SET SESSION TRANSACTION READ ONLY");
            c.setAutoCommit(false);
            assertThat(one(s, "SELECT v FROM ro WHERE id = 2")).isEqualTo("two");
            assertThat(one(s, "SELECT GET_LOCK('ro-test', 0)")).isEqualTo("1");
            assertThat(serverId(s)).isEqualTo(primary().serverId());
            c.commit();
            assertThat(one(s, "SELECT RELEASE_LOCK('ro-test')")).isEqualTo("1");
            s.execute("SET SESSION TRANSACTION READ WRITE");
            c.setAutoCommit(true);
        }
    }

    /** The same with server-side prepared statements (MariaDB Connector/J, {@code useServerPrepStmts}). */
    @Test
    void preparedStatementsStartAndRunReadOnlyTransactionsOnTheReplica() throws Exception {
        long onReaders = fixture.proxy().stats().readOnlyTransactionsOnReaders();
        long moved = fixture.proxy().stats().readOnlyTransactionsMoved();
        try (Connection c = fixture.mariadb("useServerPrepStmts=true");
             java.sql.PreparedStatement start = c.prepareStatement("START TRANSACTION READ ONLY");
             java.sql.PreparedStatement id = c.prepareStatement("SELECT @@server_id");
             java.sql.PreparedStatement read = c.prepareStatement("SELECT v FROM ro WHERE id = ?");
             java.sql.PreparedStatement write = c.prepareStatement("UPDATE ro SET v = ? WHERE id = ?");
             java.sql.PreparedStatement lock = c.prepareStatement("SELECT GET_LOCK(?, 0)");
             java.sql.PreparedStatement ddl = c.prepareStatement("CREATE TABLE IF NOT EXISTS ro_prepared (id INT)")) {
            start.execute();
            try (ResultSet rs = id.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(replica().serverId());
            }
            read.setInt(1, 2);
            try (ResultSet rs = read.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("two");
            }
            write.setString(1, "x");
            write.setInt(2, 2);
            SQLException e = catchSql(write::executeUpdate);
            assertThat(e.getErrorCode()).isEqualTo(1792);
            assertThat(catchSql(ddl::execute).getErrorCode()).as("preparing DDL in a read-only transaction fails, as direct")
                    .isEqualTo(1792);
            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
            }
            try (ResultSet rs = id.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("after the transaction").isEqualTo(primary().serverId());
            }
            // MariaDB Connector/J caches the statements' metadata: the move compares what the server sends.
            start.execute();
            read.setInt(1, 2);
            try (ResultSet rs = read.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("two");
            }
            lock.setString(1, "ro-prepared");
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("GET_LOCK moved the transaction to the primary").isEqualTo(1);
            }
            try (ResultSet rs = id.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("the transaction goes on on the primary").isEqualTo(primary().serverId());
            }
            assertThat(catchSql(write::executeUpdate).getErrorCode()).as("read only there too").isEqualTo(1792);
            try (Statement s = c.createStatement()) {
                s.execute("COMMIT");
                assertThat(one(s, "SELECT RELEASE_LOCK('ro-prepared')")).isEqualTo("1");
            }
        }
        assertThat(fixture.proxy().stats().readOnlyTransactionsOnReaders() - onReaders).isEqualTo(2);
        assertThat(fixture.proxy().stats().readOnlyTransactionsMoved() - moved).isEqualTo(1);
        primary().execute("DROP TABLE IF EXISTS app.ro_prepared");
    }

    @Test
    void aWriteInsideGetsThePrimarysErrorAsDirect() throws Exception {
        SQLException direct;
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + primary().port() + "/app", "app", "app-pass");
             Statement s = c.createStatement()) {
            s.execute("START TRANSACTION READ ONLY");
            direct = catchSql(() -> s.executeUpdate("UPDATE ro SET v = 'x' WHERE id = 1"));
            s.execute("ROLLBACK");
        }
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("START TRANSACTION READ ONLY");
            SQLException proxied = catchSql(() -> s.executeUpdate("UPDATE ro SET v = 'x' WHERE id = 1"));
            assertThat(proxied.getErrorCode()).isEqualTo(direct.getErrorCode()).isEqualTo(1792);
            assertThat(proxied.getSQLState()).isEqualTo(direct.getSQLState());
            assertThat(proxied.getMessage()).isEqualTo(direct.getMessage());
            SQLException missing = catchSql(() -> s.executeUpdate("INSERT INTO no_such_table VALUES (1)"));
            assertThat(missing.getErrorCode()).isEqualTo(1792);
            assertThat(serverId(s)).as("still in the transaction on the replica").isEqualTo(replica().serverId());
            s.execute("COMMIT");
        }
        assertThat(primary().queryString("SELECT v FROM app.ro WHERE id = 1")).isEqualTo("one");
    }

    @Test
    void aStatementThatCommitsImplicitlyEndsTheTransactionAndRunsOnThePrimary() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("START TRANSACTION READ ONLY");
            assertThat(serverId(s)).isEqualTo(replica().serverId());
            s.execute("CREATE TABLE ro_ddl (id INT)");
            assertThat(one(s, "SELECT @@in_transaction")).isEqualTo("0");
            assertThat(serverId(s)).isEqualTo(primary().serverId());
            s.execute("START TRANSACTION READ ONLY");
            s.execute("START TRANSACTION READ WRITE");
            assertThat(serverId(s)).as("BEGIN inside commits and starts a transaction that may write").isEqualTo(primary().serverId());
            s.executeUpdate("INSERT INTO ro_ddl VALUES (1)");
            s.execute("COMMIT");
            s.execute("DROP TABLE ro_ddl");
        }
        assertThat(primary().queryString("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'ro_ddl'")).isEqualTo("0");
    }

    @Test
    void aStatementThatNeedsThePrimaryMovesTheTransactionThere() throws Exception {
        long moved = fixture.proxy().stats().readOnlyTransactionsMoved();
        long onReaders = fixture.proxy().stats().readOnlyTransactionsOnReaders();
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("START TRANSACTION READ ONLY");
            assertThat(one(s, "SELECT v FROM ro WHERE id = 1")).isEqualTo("one");
            assertThat(one(s, "SELECT @picked := v FROM ro WHERE id = 2")).isEqualTo("two");
            assertThat(serverId(s)).as("the transaction moved").isEqualTo(primary().serverId());
            assertThat(one(s, "SELECT @@in_transaction")).isEqualTo("1");
            assertThatThrownBy(() -> s.executeUpdate("UPDATE ro SET v = 'x' WHERE id = 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1792));
            s.execute("COMMIT");
            assertThat(s.executeUpdate("UPDATE ro SET v = @picked WHERE id = 2")).as("a write after the transaction").isNotNegative();
            assertThat(one(s, "SELECT @picked")).isEqualTo("two");
        }
        assertThat(fixture.proxy().stats().readOnlyTransactionsOnReaders() - onReaders).as("started on the replica").isEqualTo(1);
        assertThat(fixture.proxy().stats().readOnlyTransactionsMoved() - moved).isEqualTo(1);
    }

    @Test
    void aMoveThatWouldChangeWhatTheClientSawClosesTheSessionWithAnError() throws Exception {
        long failed = fixture.proxy().stats().readOnlyTransactionMovesFailed();
        replica().execute("STOP SLAVE SQL_THREAD");
        try {
            primary().execute("UPDATE app.ro SET v = 'uno' WHERE id = 1");
            try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
                s.execute("START TRANSACTION READ ONLY");
                assertThat(one(s, "SELECT v FROM ro WHERE id = 1")).as("the lagging replica's row").isEqualTo("one");
                SQLException e = catchSql(() -> one(s, "SELECT v FROM ro WHERE id = 1 FOR UPDATE"));
                assertThat(e.getErrorCode()).isEqualTo(9015);
                assertThat(e.getMessage()).contains("different result");
                assertThat(c.isValid(2)).as("the session is closed").isFalse();
            }
            try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
                assertThat(one(s, "SELECT v FROM ro WHERE id = 1")).as("other sessions go on").isEqualTo("uno");
            }
        } finally {
            replica().execute("START SLAVE SQL_THREAD");
            primary().execute("UPDATE app.ro SET v = 'one' WHERE id = 1");
            fixture.cluster().awaitReplicaCatchUp(Duration.ofSeconds(10));
        }
        assertThat(fixture.proxy().stats().readOnlyTransactionMovesFailed() - failed).isEqualTo(1);
    }

    @Test
    void offByVariableReadOnlyTransactionsStayOnThePrimary() throws Exception {
        try (Connection admin = fixture.admin(); Statement a = admin.createStatement()) {
            a.executeUpdate("UPDATE global_variables SET variable_value = 'false' WHERE variable_name = 'mysql-read_only_transactions_to_readers'");
            a.execute("LOAD MYSQL VARIABLES TO RUNTIME");
            try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
                s.execute("START TRANSACTION READ ONLY");
                assertThat(serverId(s)).isEqualTo(primary().serverId());
                s.execute("COMMIT");
            } finally {
                a.executeUpdate("UPDATE global_variables SET variable_value = 'true' WHERE variable_name = 'mysql-read_only_transactions_to_readers'");
                a.execute("LOAD MYSQL VARIABLES TO RUNTIME");
            }
        }
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    private static SQLException catchSql(SqlAction action) {
        try {
            action.run();
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("expected an SQLException");
    }
}
