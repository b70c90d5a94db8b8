package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM stops the daemon gracefully: no new clients, running statements finish, then it
 * exits; with only idle sessions it exits at once, without a warning.
 */
class ShutdownTest {
    static MariaDbCluster cluster;

    @BeforeAll
    static void start() {
        cluster = MariaDbCluster.builder().replicas(0).start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String config(int port) {
        return """
                switchyard {
                  frontend { bind = "127.0.0.1", port = %d }
                  servers = [ { hostgroup = 0, host = "127.0.0.1", port = %d } ]
                  users = [ { username = "app", password = "app-pass" } ]
                }
                """.formatted(port, cluster.primary().port());
    }

    /** Logins the server refused: the monitor's, as the default monitor password is not the cluster's. */
    private static long accessDenied() {
        return Long.parseLong(String.valueOf(cluster.primary().query("SHOW GLOBAL STATUS LIKE 'Access_denied_errors'")
                .get(0).get("Value")));
    }

    private static Connection connect(int port) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/app", MariaDbCluster.APP_USER,
                MariaDbCluster.APP_PASSWORD);
    }

    private static boolean refusesClients(int port) {
        try (Connection ignored = connect(port)) {
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    @Test
    void sigtermWithIdleSessionsExitsWellUnderASecondWithoutWarnings() throws Exception {
        int port = ProxyProcess.freePort();
        try (ProxyProcess proxy = ProxyProcess.start(config(port), port)) {
            List<Connection> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Connection c = connect(port);
                    idle.add(c);
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                        assertThat(rs.next()).isTrue();
                    }
                }
                long denied = accessDenied();
                Await.until(Duration.ofSeconds(10), () -> "the monitor checked the server\n" + proxy.log(),
                        () -> accessDenied() >= denied + 2);
                int logged = proxy.log().length();

                long started = System.nanoTime();
                int exit = proxy.terminate(30);
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

                String stopping = proxy.log().substring(logged);
                System.out.printf("SIGTERM with %d idle sessions: exited in %d ms%n", idle.size(), tookMillis);
                assertThat(exit).as("exit code after SIGTERM (128 + 15: the JVM exits by the signal once the shutdown hook ran)\n%s", stopping).isEqualTo(143);
                assertThat(stopping).contains("switchyard stopped");
                assertThat(stopping.lines().filter(line -> line.contains("WARN") || line.contains("ERROR")))
                        .as("warnings while stopping").isEmpty();
                assertThat(tookMillis).as("time from SIGTERM to exit\n%s", stopping).isLessThan(1_000);
            } finally {
                for (Connection c : idle) {
                    try {
                        c.close();
                    } catch (SQLException ignored) {
                        // the proxy closed it
                    }
                }
            }
        }
    }

    @Test
    void sigtermLetsRunningStatementsFinishThenExits() throws Exception {
        int port = ProxyProcess.freePort();
        try (ProxyProcess proxy = ProxyProcess.start(config(port), port);
             ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Connection busy = connect(port);
            CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
                try (Statement s = busy.createStatement(); ResultSet rs = s.executeQuery("SELECT SLEEP(2) + 40")) {
                    rs.next();
                    return rs.getInt(1);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                } finally {
                    try {
                        busy.close();
                    } catch (SQLException ignored) {
                        // the statement's outcome is what the test checks
                    }
                }
            }, threads);
            Await.until(Duration.ofSeconds(10), "the statement runs on the server",
                    () -> !cluster.primary().query("SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(2)%'")
                            .isEmpty());
            long started = System.nanoTime();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return proxy.terminate(30);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -2;
                }
            }, threads);
            Await.until(Duration.ofSeconds(5), () -> "no new clients once stopping\n" + proxy.log(), () -> refusesClients(port));
            assertThat(running.get(10, TimeUnit.SECONDS)).as("the running statement finishes").isEqualTo(40);
            assertThat(exit.get(30, TimeUnit.SECONDS)).as("exit code after SIGTERM (128 + 15)\n%s", proxy.log()).isEqualTo(143);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("SIGTERM during a 2 s statement: exited in %d ms%n", tookMillis);
            assertThat(tookMillis).as("waits for the statement, not the whole grace period").isLessThan(5_000);
            assertThat(proxy.log()).contains("switchyard stopped");
        }
    }
}
