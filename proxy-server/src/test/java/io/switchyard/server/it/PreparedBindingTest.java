package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.it.diff.Driver;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server binds a prepared statement's parameters when it receives their types, and converts
 * every later string parameter from the {@code character_set_client} of that moment to its
 * {@code collation_connection}, which also becomes the parameter's collation, whatever
 * {@code SET NAMES} came since. A client that sends the types once (Connector/J 5.1, libmariadb)
 * and executes again after a {@code SET NAMES} gets the same rows, and writes the same bytes,
 * through the proxy as directly, also when the execution runs on another connection (a second
 * client holds the one the session used), where the proxy prepared the statement again.
 */
class PreparedBindingTest {

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "event-loop-threads = 1");

    @BeforeAll
    static void createTable() {
        fixture.cluster().primary().execute("CREATE TABLE IF NOT EXISTS " + MariaDbCluster.APP_DATABASE
                + ".binding_t (id INT AUTO_INCREMENT PRIMARY KEY, c VARCHAR(20) CHARACTER SET utf8mb4)");
    }

    @ParameterizedTest
    @EnumSource(value = Driver.class, names = {"CONNECTOR_J_5_SERVER_PREPARED", "CONNECTOR_J_5_CURSOR"})
    void stringParametersKeepTheCharacterSetsTheyWereBoundUnder(Driver driver) throws Exception {
        MariaDbServer primary = fixture.cluster().primary();
        List<String> direct = conversation(driver, primary.port(), false);
        long reprepares = fixture.proxy().stats().stmtReprepares();
        List<String> proxied = conversation(driver, fixture.port(), true);

        assertThat(fixture.proxy().stats().stmtReprepares()).as("the executions after SET NAMES ran on a copy prepared elsewhere")
                .isGreaterThan(reprepares);
        assertThat(direct).as("directly, the parameters stay bound to utf8mb4")
                .contains("after SET NAMES: C3A9 | utf8mb4 | 1", "written: 1 C3A9 | 2 C3A9");
        assertThat(proxied).isEqualTo(direct);
    }

    /**
     * Binds a read and a write under utf8mb4, executes both, switches to latin1 and executes both
     * again without sending types; {@code moved}: meanwhile a second client holds the connection
     * the session used, in a transaction. Returns what the client saw, and the bytes written.
     */
    private static List<String> conversation(Driver driver, int port, boolean moved) throws SQLException {
        List<String> seen = new ArrayList<>();
        Connection holder = null;
        try (Connection c = driver.connect(port, MariaDbCluster.APP_DATABASE, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("TRUNCATE TABLE binding_t");
            s.execute("SET NAMES utf8mb4");
            // Texts of the driver's own: no copy another case left on the proxy's connections serves it.
            PreparedStatement read = c.prepareStatement("SELECT HEX(?), CHARSET(?), ? = 'É' /* " + driver.name() + " */");
            PreparedStatement write = c.prepareStatement("INSERT INTO binding_t (c) VALUES (?) /* " + driver.name() + " */");
            for (int i = 1; i <= 3; i++) {
                read.setString(i, "é");
            }
            write.setString(1, "é");
            seen.add("bound: " + row(read.executeQuery()));
            write.executeUpdate();
            s.execute("SET NAMES latin1");
            if (moved) {
                // Logs in now, with the same driver (the same login collation: the same pool), so
                // that it takes the connection the session just left.
                holder = driver.connect(port, MariaDbCluster.APP_DATABASE, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
                holder.setAutoCommit(false);
                try (Statement h = holder.createStatement()) {
                    h.executeQuery("SELECT COUNT(*) FROM binding_t").close();
                }
            }
            seen.add("after SET NAMES: " + row(read.executeQuery()));
            write.executeUpdate();
            if (driver == Driver.CONNECTOR_J_5_SERVER_PREPARED) {
                // Read on the connection that still has the write's binding character sets. (Read
                // through a cursor, the query is prepared first, and the character sets come back
                // before that prepare, which sets ROW_COUNT() to 0: a limit the README states.)
                seen.add("row count: " + row(s.executeQuery("SELECT ROW_COUNT()")));
            }
            // Prepared, then run, under the session's character sets again.
            try (PreparedStatement literal = c.prepareStatement("SELECT COLLATION('x'), 'é' = 'É' /* " + driver.name() + " */")) {
                seen.add("prepared after: " + row(literal.executeQuery()));
            }
            seen.add("session: " + row(s.executeQuery("SELECT @@character_set_client, @@collation_connection, 'é' = 'É'")));
            seen.add("again: " + row(read.executeQuery()));
            if (holder != null) {
                holder.commit();
            }
            StringBuilder written = new StringBuilder("written:");
            try (ResultSet rs = s.executeQuery("SELECT id, HEX(c) FROM binding_t ORDER BY id")) {
                while (rs.next()) {
                    written.append(written.length() > 8 ? " | " : " ").append(rs.getInt(1)).append(' ').append(rs.getString(2));
                }
            }
            seen.add(written.toString());
            read.close();
            write.close();
        } finally {
            if (holder != null) {
                holder.close();
            }
        }
        return seen;
    }

    private static String row(ResultSet rs) throws SQLException {
        try (rs) {
            assertThat(rs.next()).isTrue();
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                values.add(rs.getString(i));
            }
            return String.join(" | ", values);
        }
    }
}
