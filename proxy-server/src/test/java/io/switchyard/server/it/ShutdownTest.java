package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SIGTERM stops the daemon gracefully: no new clients, running statements finish, then it exits. */
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

    @Test
    void sigtermLetsRunningStatementsFinishThenExits() throws Exception {
        int port = ProxyProcess.freePort();
        try (ProxyProcess proxy = ProxyProcess.start("""
                switchyard {
                  frontend { bind = "127.0.0.1", port = %d }
                  servers = [ { hostgroup = 0, host = "127.0.0.1", port = %d } ]
                  users = [ { username = "app", password = "app-pass" } ]
                }
                """.formatted(port, cluster.primary().port()), port)) {
            String url = "jdbc:mariadb://127.0.0.1:" + port + "/app";
            Connection busy = DriverManager.getConnection(url, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
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
            Thread.sleep(500);
            long started = System.nanoTime();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return proxy.terminate(30);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -2;
                }
            }, threads);
            threads.shutdown();
            Thread.sleep(300);
            assertThatThrownBy(() -> DriverManager.getConnection(url, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD).close())
                    .as("no new clients once stopping\n%s", proxy.log()).isInstanceOf(SQLException.class);
            assertThat(running.get(10, TimeUnit.SECONDS)).as("the running statement finishes").isEqualTo(40);
            assertThat(exit.get(30, TimeUnit.SECONDS)).as("exit code after SIGTERM\n%s", proxy.log()).isIn(0, 143);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(15);
            assertThat(proxy.log()).contains("switchyard stopped");
        }
    }
}
