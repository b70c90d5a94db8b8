package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.jdbc.JdbcConnection;
import io.switchyard.server.Switchyard;
import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Logins through the proxy: both password plugins, full caching_sha2 authentication over TLS and
 * with the RSA key, passwords stored as native hashes, TLS to clients and to backends, and
 * COM_CHANGE_USER.
 */
class AuthenticationTest {
    /** SELECT PASSWORD('app-pass'). */
    static final String APP_PASS_HASH = "*3F57C84FDE4BBAB2C998F3A2D311684280BAE8E7";

    static MariaDbCluster cluster;

    @BeforeAll
    static void start() {
        cluster = MariaDbCluster.builder().replicas(0).tls(true).start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Switchyard proxy(String frontend, String backend, String password) {
        return Switchyard.start(ConfigLoader.fromString("""
                switchyard {
                  frontend { bind = "127.0.0.1", port = 0, %s }
                  metrics { port = 0 }
                  backend { %s }
                  servers = [ { hostgroup = 0, host = "127.0.0.1", port = %d } ]
                  users = [ { username = "app", password = "%s", default-hostgroup = 0 } ]
                }
                """.formatted(frontend, backend, cluster.primary().port(), password)));
    }

    /** A proxy in front of the primary with these {@code users} entries (HOCON objects, comma-separated). */
    private static Switchyard proxyWithUsers(String users) {
        return Switchyard.start(ConfigLoader.fromString("""
                switchyard {
                  frontend { bind = "127.0.0.1", port = 0 }
                  metrics { port = 0 }
                  servers = [ { hostgroup = 0, host = "127.0.0.1", port = %d } ]
                  users = [ %s ]
                }
                """.formatted(cluster.primary().port(), users)));
    }

    private static Connection mysql(Switchyard proxy, String params, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + proxy.port() + "/app?" + params, "app", password);
    }

    private static Connection mariadb(Switchyard proxy, String params, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + proxy.port() + "/app?" + params, "app", password);
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void wrongPasswordIsRefusedWithAccessDenied() {
        try (Switchyard proxy = proxy("", "", "app-pass")) {
            assertThatThrownBy(() -> mysql(proxy, "sslMode=DISABLED", "wrong").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1045);
                        assertThat(e.getSQLState()).isEqualTo("28000");
                        assertThat(e.getMessage()).contains("Access denied for user 'app'");
                    });
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + proxy.port()
                    + "/app?sslMode=DISABLED", "nobody", "x").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
        }
    }

    @Test
    void cachingSha2FastPathWithClearTextPassword() throws Exception {
        try (Switchyard proxy = proxy("auth-plugin = caching_sha2_password", "", "app-pass");
             Connection c = mariadb(proxy, "", "app-pass")) {
            assertThat(scalar(c, "SELECT CURRENT_USER()")).startsWith("app@");
        }
    }

    @Test
    void cachingSha2FullAuthenticationWithRsaKeyWhenOnlyTheHashIsStored() throws Exception {
        try (Switchyard proxy = proxy("auth-plugin = caching_sha2_password", "", APP_PASS_HASH)) {
            try (Connection c = mariadb(proxy, "allowPublicKeyRetrieval=true", "app-pass")) {
                assertThat(scalar(c, "SELECT 40 + 2")).isEqualTo("42");
            }
            assertThatThrownBy(() -> mariadb(proxy, "allowPublicKeyRetrieval=true", "wrong").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));
        }
    }

    @Test
    void cachingSha2FullAuthenticationOverTls() throws Exception {
        try (Switchyard proxy = proxy("auth-plugin = caching_sha2_password, tls.enabled = true", "", APP_PASS_HASH);
             Connection c = mariadb(proxy, "sslMode=trust", "app-pass")) {
            assertThat(scalar(c, "SELECT 'over tls'")).isEqualTo("over tls");
        }
    }

    @Test
    void nativeHashedPasswordStillLogsInToTheBackend() throws Exception {
        try (Switchyard proxy = proxy("", "", APP_PASS_HASH); Connection c = mysql(proxy, "sslMode=DISABLED", "app-pass")) {
            assertThat(scalar(c, "SELECT CURRENT_USER()")).startsWith("app@");
        }
    }

    @Test
    void requiredTlsRefusesPlainClients() throws Exception {
        try (Switchyard proxy = proxy("tls { enabled = true, required = true }", "", "app-pass")) {
            try (Connection c = mysql(proxy, "sslMode=REQUIRED", "app-pass")) {
                assertThat(scalar(c, "SELECT 1")).isEqualTo("1");
            }
            assertThatThrownBy(() -> mysql(proxy, "sslMode=DISABLED", "app-pass").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(3159));
        }
    }

    @Test
    void tlsClientHelloArrivingWithTheSslRequestStillLogsIn() throws Exception {
        try (Switchyard proxy = proxy("tls { enabled = true }", "", "app-pass");
             RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", proxy.port(), java.time.Duration.ofSeconds(5))) {
            RawMysqlClient.Packet answer = client.loginOverTlsInOneSegment("app", "app-pass", "app");
            assertThat(answer.type()).as("answer to the login over TLS").isEqualTo(RawMysqlClient.OK);
        }
    }

    @Test
    void backendConnectionsUseTlsWhenConfigured() throws Exception {
        try (Switchyard proxy = proxy("", "tls { enabled = true, required = true }", "app-pass");
             Connection c = mysql(proxy, "sslMode=DISABLED", "app-pass");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_version'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).startsWith("TLSv1");
        }
    }

    @Test
    void userConnectionLimitIsEnforcedWithTooManyConnections() throws Exception {
        try (Switchyard proxy = proxyWithUsers("{ username = \"app\", password = \"app-pass\", max-connections = 2 }");
             Connection first = mysql(proxy, "sslMode=DISABLED", "app-pass");
             Connection second = mysql(proxy, "sslMode=DISABLED", "app-pass")) {
            assertThatThrownBy(() -> mysql(proxy, "sslMode=DISABLED", "app-pass").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1040);
                        assertThat(e.getSQLState()).isEqualTo("08004");
                    });
            assertThat(scalar(first, "SELECT 1")).isEqualTo("1");
            assertThat(scalar(second, "SELECT 2")).isEqualTo("2");
        }
    }

    @Test
    void userConnectionLimitCountsOnlyTheSessionsLoggedInAsThatUserNow() throws Exception {
        try (Switchyard proxy = proxyWithUsers("""
                { username = "app", password = "app-pass", max-connections = 2 },
                { username = "%s", password = "%s", max-connections = 1 }
                """.formatted(MariaDbCluster.ROOT_USER, MariaDbCluster.ROOT_PASSWORD));
             Connection first = mysql(proxy, "sslMode=DISABLED", "app-pass")) {
            Connection second = mysql(proxy, "sslMode=DISABLED", "app-pass");
            assertThatThrownBy(() -> mysql(proxy, "sslMode=DISABLED", "app-pass").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1040));
            // A closed session and a session that changed to another user leave app's count.
            second.close();
            ((JdbcConnection) first).changeUser(MariaDbCluster.ROOT_USER, MariaDbCluster.ROOT_PASSWORD);
            assertThat(scalar(first, "SELECT CURRENT_USER()")).startsWith(MariaDbCluster.ROOT_USER + "@");
            try (Connection third = awaitLogin(proxy); Connection fourth = mysql(proxy, "sslMode=DISABLED", "app-pass")) {
                assertThat(scalar(third, "SELECT 3")).isEqualTo("3");
                assertThat(scalar(fourth, "SELECT 4")).isEqualTo("4");
                assertThatThrownBy(() -> mysql(proxy, "sslMode=DISABLED", "app-pass").close())
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1040));
            }
            // The root user's one session is the changed one: a second is refused.
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + proxy.port()
                    + "/app?sslMode=DISABLED", MariaDbCluster.ROOT_USER, MariaDbCluster.ROOT_PASSWORD).close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1040));
        }
    }

    /** A login as app, retried while the proxy has not yet seen the close of an earlier session. */
    private static Connection awaitLogin(Switchyard proxy) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                return mysql(proxy, "sslMode=DISABLED", "app-pass");
            } catch (SQLException e) {
                if (e.getErrorCode() != 1040 || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void proxyConnectionLimitIsEnforced() throws Exception {
        try (Switchyard proxy = proxy("max-client-connections = 1", "", "app-pass");
             Connection only = mysql(proxy, "sslMode=DISABLED", "app-pass")) {
            assertThatThrownBy(() -> mysql(proxy, "sslMode=DISABLED", "app-pass").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1040));
            assertThat(scalar(only, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void changeUserReauthenticatesAndStartsAFreshSession() throws Exception {
        try (Switchyard proxy = proxy("", "", "app-pass"); Connection c = mysql(proxy, "sslMode=DISABLED", "app-pass")) {
            try (Statement s = c.createStatement()) {
                s.execute("SET @marker = 'before'");
            }
            ((JdbcConnection) c).changeUser("app", "app-pass");
            assertThat(scalar(c, "SELECT CURRENT_USER()")).startsWith("app@");
            assertThat(scalar(c, "SELECT @marker")).isNull();
            assertThatThrownBy(() -> ((JdbcConnection) c).changeUser("app", "wrong")).isInstanceOf(SQLException.class);
        }
    }
}
