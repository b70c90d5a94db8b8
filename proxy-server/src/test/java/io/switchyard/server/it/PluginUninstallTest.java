package io.switchyard.server.it;

import static io.switchyard.server.it.MultiplexingTest.occupy;
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
 * The server defers an {@code UNINSTALL PLUGIN} while a prepared statement uses the plugin (a
 * warning, 1620, and the plugin stays as {@code DELETED}). The proxy keeps statements prepared
 * on its pooled connections after their clients closed them; before an uninstall it closes
 * those no client holds, so the uninstall does what it does directly. Default settings,
 * server-side prepared statements (Connector/J), the {@code BLACKHOLE} engine of the server's
 * package.
 */
class PluginUninstallTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    @BeforeAll
    static void tables() {
        fixture.cluster().primary().execute("CREATE TABLE app.mux (id INT PRIMARY KEY)", "INSERT INTO app.mux VALUES (1)");
    }

    /**
     * Two sessions drop a blackhole table each with a prepared {@code DROP TABLE} (the statement
     * that keeps the plugin in use while it stays prepared) and close it, each while the other
     * holds a connection in a transaction, so the statements are cached on two connections; then
     * the uninstall. Then, with the plugin installed again, a third client holds its executed
     * {@code DROP TABLE} open across the uninstall: deferred, directly and through the proxy.
     */
    @Test
    void anUninstallIsNotDeferredByStatementsNoClientHolds() throws Exception {
        String direct = fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&useServerPrepStmts=true";
        List<String> expected = uninstalls(() -> DriverManager.getConnection(direct, MariaDbCluster.APP_USER,
                MariaDbCluster.APP_PASSWORD));
        assertThat(expected).containsExactly("warnings []", "plugins 0", "warnings [1620]", "plugins 1 DELETED");
        List<String> proxied = uninstalls(() -> fixture.mysql("useServerPrepStmts=true"));
        assertThat(proxied).isEqualTo(expected);
    }

    private interface Connect {
        Connection open() throws SQLException;
    }

    private static List<String> uninstalls(Connect connect) throws Exception {
        List<String> seen = new ArrayList<>();
        try (Connection a = connect.open(); Connection b = connect.open(); Connection c = connect.open();
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            sa.execute("INSTALL PLUGIN blackhole SONAME 'ha_blackhole.so'");
            sa.execute("CREATE TABLE app.bh (x INT) ENGINE=BLACKHOLE");
            sa.execute("CREATE TABLE app.bh2 (x INT) ENGINE=BLACKHOLE");
            occupy(sb);
            runOnce(a, "DROP TABLE app.bh");
            sb.execute("COMMIT");
            occupy(sa);
            runOnce(b, "DROP TABLE app.bh2");
            // A statement after the close (which has no reply), so the server has processed it.
            sb.execute("DO 0");
            sa.execute("COMMIT");
            uninstall(sa, seen);

            sa.execute("INSTALL PLUGIN blackhole SONAME 'ha_blackhole.so'");
            sa.execute("CREATE TABLE app.bh (x INT) ENGINE=BLACKHOLE");
            try (PreparedStatement open = c.prepareStatement("DROP TABLE app.bh")) {
                open.execute();
                uninstall(sa, seen);
            }
        }
        return seen;
    }

    /** Prepares {@code sql} on {@code c}, runs it once and closes it. */
    private static void runOnce(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    /** Uninstalls the plugin; records the warnings and what the server lists of it. */
    private static void uninstall(Statement s, List<String> seen) throws SQLException {
        s.execute("UNINSTALL PLUGIN blackhole");
        List<Integer> codes = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SHOW WARNINGS")) {
            while (rs.next()) {
                codes.add(rs.getInt(2));
            }
        }
        seen.add("warnings " + codes);
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*), MAX(PLUGIN_STATUS) FROM information_schema.PLUGINS "
                + "WHERE PLUGIN_NAME = 'BLACKHOLE'")) {
            rs.next();
            seen.add("plugins " + rs.getInt(1) + (rs.getString(2) == null ? "" : " " + rs.getString(2)));
        }
    }
}
