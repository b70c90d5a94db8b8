package io.switchyard.server.it;

import static io.switchyard.server.it.RelayBasicsTest.manyColumns;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.BackendPool;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A session memory limit the server had before the proxy started (its configuration, or a
 * {@code SET GLOBAL} the proxy never saw): every session is under it, and the proxy learns it
 * from the monitor's reading of the globals, so the prepared statements it keeps cached on a
 * pooled connection for no client do not count against a session (see {@code MemoryLimit}).
 * Default settings otherwise.
 */
class ServerMemoryLimitTest {
    private static final String LIMIT = "max_session_mem_used";

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, cluster -> {
        cluster.primary().execute("SET GLOBAL " + LIMIT + " = 512 * 1024");
        return "";
    });

    /**
     * Sessions one after another prepare, run and close 10 statements of 100 columns (about
     * 150 KiB of server memory each while prepared) in a transaction, then run a query of 100
     * columns: directly each session's statements go when it closes them; through the proxy they
     * stay cached on the pooled connection unless the proxy knows the limit.
     */
    @Test
    void aLimitTheServerStartedWithCountsOnlyWhatTheSessionHolds() throws Exception {
        BackendPool pool = fixture.proxy().topology().allPools().get(0);
        Await.until(Duration.ofSeconds(10), "the monitor read the globals", () -> pool.globals().watchedValue(LIMIT) != null);
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&useServerPrepStmts=true";
        List<String> expected = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        for (int session = 0; session < 3; session++) {
            try (Connection d = DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD)) {
                expected.add(statementsThenQuery(d, session));
            }
            try (Connection p = fixture.mysql("useServerPrepStmts=true")) {
                proxied.add(statementsThenQuery(p, session));
            }
        }
        assertThat(expected).containsExactly("524288 x-0 x-99", "524288 x-0 x-99", "524288 x-0 x-99");
        assertThat(proxied).isEqualTo(expected);
    }

    /** The session's limit, then the first and last value of the query, or the error code where a statement failed. */
    private static String statementsThenQuery(Connection c, int session) throws SQLException {
        try (Statement s = c.createStatement()) {
            String limit;
            try (ResultSet rs = s.executeQuery("SELECT @@" + LIMIT)) {
                rs.next();
                limit = rs.getString(1);
            }
            try {
                s.execute("BEGIN");
                for (int i = 0; i < 10; i++) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT ? AS n, " + manyColumns() + ", " + session + i)) {
                        ps.setInt(1, i);
                        ps.executeQuery().close();
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT " + manyColumns())) {
                    rs.next();
                    return limit + " " + rs.getString(1) + " " + rs.getString(100);
                } finally {
                    s.execute("COMMIT");
                }
            } catch (SQLException e) {
                return limit + " error " + e.getErrorCode();
            }
        }
    }
}
