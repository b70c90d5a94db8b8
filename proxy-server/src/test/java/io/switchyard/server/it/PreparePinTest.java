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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A protocol prepare ({@code COM_STMT_PREPARE}) changes its connection before anything runs: the
 * user variables a statement assigns with {@code :=} exist there from its prepare on (as
 * {@code NULL} strings in the connection's collation; {@code CHARSET(@v)} reads that collation's
 * character set where an unknown variable gives {@code binary}). The session that prepared it
 * sees them, and no other does, directly and through the proxy. The same script runs on direct
 * connections and on proxy sessions; a third session holds, inside a transaction, the connection
 * the first one gave back last, as in {@link MultiplexingTest}. One event loop, so the sessions
 * share one pool partition.
 */
class PreparePinTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            event-loop-threads = 1
            """);

    private static final String PARAMS = "useServerPrepStmts=true&cachePrepStmts=false";

    @Test
    void variablesAPrepareCreatesAreThePreparingSessionsOnly() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&" + PARAMS;
        List<String> expected;
        try (Connection a = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection b = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
             Connection h = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
            expected = run(a, b, h);
        }
        List<String> proxied;
        try (Connection a = fixture.mysql(PARAMS); Connection b = fixture.mysql(PARAMS); Connection h = fixture.mysql(PARAMS)) {
            proxied = run(a, b, h);
        }
        assertThat(expected).as("directly").containsExactly("latin1 | null", "binary | null", "latin1 | null");
        assertThat(proxied).as("through the proxy").isEqualTo(expected);
    }

    private static List<String> run(Connection a, Connection b, Connection h) throws SQLException {
        List<String> seen = new ArrayList<>();
        try (Statement sa = a.createStatement(); Statement sb = b.createStatement(); Statement sh = h.createStatement()) {
            sa.execute("SET collation_connection = 'latin1_bin'");
            a.prepareStatement("SELECT @prepared_only := 5").close();
            sh.execute("BEGIN");
            sh.executeQuery("SELECT 1").close();
            seen.add(read(sa));
            sh.execute("COMMIT");
            seen.add(read(sb));
            seen.add(read(sa));
        }
        return seen;
    }

    private static String read(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT CHARSET(@prepared_only), @prepared_only")) {
            rs.next();
            return rs.getString(1) + " | " + rs.getString(2);
        }
    }
}
