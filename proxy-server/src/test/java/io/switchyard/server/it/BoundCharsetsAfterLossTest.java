package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.switchyard.server.it.diff.Driver;
import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An execution whose string parameters the server must convert from the character sets they
 * were bound under, not the session's now (a client that sends the types once, then
 * {@code SET NAMES}; see {@link PreparedBindingTest}), runs on another connection under those
 * character sets. When that connection is lost, the execution is not sent again under the
 * session's character sets, which would read its parameters differently: a read retried
 * elsewhere is bound under the first ones again; a transaction that wrote through such an
 * execution is not run again (the client connection is closed, as the server's would be), rather
 * than write differently encoded text. The read is run on the connection whose copy of the
 * statement was bound before, and on another (where the proxy sets those character sets for
 * it). A write whose connection is lost while the proxy sets them, before it was sent, starts
 * over on another connection; a transaction's connection lost while the proxy brings it back to
 * the session's character sets is a loss between statements. The connection is cut by a relay
 * between the proxy and MariaDB.
 * {@code mysql-transaction_replay} on.
 */
class BoundCharsetsAfterLossTest {
    private static final int COM_QUERY = 0x03;
    private static final int COM_STMT_EXECUTE = 0x17;
    /** Sends the parameters' types with the first execution only, as libmariadb does. */
    private static final Driver DRIVER = Driver.CONNECTOR_J_5_SERVER_PREPARED;

    @RegisterExtension
    static final CommandCuttingRelay relay = CommandCuttingRelay.start();

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0,
            cluster -> relay.beforePrimary(cluster) + "event-loop-threads = 1\nvariables { mysql-transaction_replay = true }\n");

    @BeforeAll
    static void table() {
        fixture.cluster().primary().execute("CREATE TABLE app.bound_t (id INT PRIMARY KEY, c VARCHAR(20) CHARACTER SET utf8mb4)");
    }

    private static Connection connect() throws SQLException {
        return DRIVER.connect(fixture.port(), MariaDbCluster.APP_DATABASE, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }

    /**
     * A second client, logged in now with the same driver (the same login collation: the same
     * pool; one event loop), holds the connection the session gave back last, in a transaction.
     * A session gives its connection back once the client has its reply: waits for that first.
     */
    private static Connection holdLastConnection() throws SQLException {
        fixture.awaitConnectionsParked();
        Connection holder = connect();
        holder.setAutoCommit(false);
        try (Statement h = holder.createStatement()) {
            h.executeQuery("SELECT COUNT(*) FROM bound_t").close();
        }
        return holder;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"on the connection it ran on before", "on another connection"})
    void aReadRetriedElsewhereIsBoundUnderTheCharacterSetsOfItsFirstRun(String where) throws Exception {
        fixture.awaitConnectionsParked();
        long retriedBefore = fixture.proxy().stats().retries();
        int cutsBefore = relay.cuts();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SET NAMES utf8mb4");
            try (PreparedStatement read = c.prepareStatement("SELECT HEX(?), ? = 'é' /* retried read " + where + " */")) {
                read.setString(1, "é");
                read.setString(2, "é");
                assertThat(row(read.executeQuery())).as("bound under utf8mb4").isEqualTo("C3A9 | 1");
                s.execute("SET NAMES latin1");
                try (Connection holder = where.startsWith("on another") ? holdLastConnection() : null) {
                    relay.cutNext(COM_STMT_EXECUTE, true);
                    assertThat(row(read.executeQuery())).as("run again after its connection was cut").isEqualTo("C3A9 | 1");
                    assertThat(relay.cuts() - cutsBefore).as("connections cut at the execution").isEqualTo(1);
                }
            }
        }
        assertThat(fixture.proxy().stats().retries() - retriedBefore).as("statements retried").isEqualTo(1);
    }

    @Test
    void aTransactionThatWroteThroughSuchAnExecutionIsNotRunAgain() throws Exception {
        fixture.awaitConnectionsParked();
        fixture.cluster().primary().execute("TRUNCATE TABLE app.bound_t");
        int cutsBefore = relay.cuts();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SET NAMES utf8mb4");
            try (PreparedStatement write = c.prepareStatement("INSERT INTO bound_t VALUES (?, ?) /* replayed write */")) {
                write.setInt(1, 1);
                write.setString(2, "é");
                assertThat(write.executeUpdate()).isEqualTo(1);
                s.execute("SET NAMES latin1");
                try (Connection holder = holdLastConnection()) {
                    c.setAutoCommit(false);
                    write.setInt(1, 2);
                    write.setString(2, "é");
                    assertThat(write.executeUpdate()).as("written under utf8mb4 on another connection").isEqualTo(1);
                    // Cuts what comes next on that connection before the server gets it: the SET
                    // that brings back the session's character sets for the read, or the read.
                    relay.cutNext(COM_QUERY, false);
                    SQLException lost = catchThrowableOfType(SQLException.class,
                            () -> s.executeQuery("SELECT COUNT(*) FROM bound_t").close());
                    assertThat(relay.cuts() - cutsBefore).as("connections cut after the write").isEqualTo(1);
                    assertThat((Throwable) lost).as("the read after a transaction that could not run again").isNotNull();
                    assertThat(c.isValid(2)).as("the client connection is closed").isFalse();
                    holder.commit();
                }
            }
        }
        assertThat(fixture.cluster().primary().queryString("SELECT GROUP_CONCAT(HEX(c) ORDER BY id) FROM app.bound_t"))
                .as("the autocommit write, and nothing of the transaction").isEqualTo("C3A9");
    }

    @Test
    void aWriteWhoseConnectionIsLostWhileItsCharacterSetsAreSetRunsOnAnother() throws Exception {
        fixture.awaitConnectionsParked();
        fixture.cluster().primary().execute("TRUNCATE TABLE app.bound_t");
        int cutsBefore = relay.cuts();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            // Prepared under latin1, so that a copy prepared later on a connection in latin1
            // needs no SET first; bound under utf8mb4.
            s.execute("SET NAMES latin1");
            try (PreparedStatement write = c.prepareStatement("INSERT INTO bound_t VALUES (?, ?) /* write started over */")) {
                s.execute("SET NAMES utf8mb4");
                write.setInt(1, 1);
                write.setString(2, "é");
                assertThat(write.executeUpdate()).isEqualTo(1);
                s.execute("SET NAMES latin1");
                try (Connection holder = holdLastConnection()) {
                    // The session moves to another connection, which takes its character sets
                    // (latin1) and keeps them when the session gives it back.
                    s.executeQuery("SELECT 1").close();
                    write.setInt(1, 2);
                    write.setString(2, "é");
                    // The next statement the proxy sends to the server: the SET of the character
                    // sets the write was bound under, on that connection, before the write.
                    relay.cutNext(COM_QUERY, false);
                    assertThat(write.executeUpdate()).as("the write, on another connection").isEqualTo(1);
                    assertThat(relay.cuts() - cutsBefore).as("connections cut before the write").isEqualTo(1);
                    holder.commit();
                }
            }
        }
        assertThat(fixture.cluster().primary().queryString("SELECT GROUP_CONCAT(id, ' ', HEX(c) ORDER BY id) FROM app.bound_t"))
                .as("both rows, once each, bound under utf8mb4").isEqualTo("1 C3A9,2 C3A9");
    }

    private static String row(ResultSet rs) throws SQLException {
        try (rs) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1) + " | " + rs.getString(2);
        }
    }
}
