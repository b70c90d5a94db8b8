package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.Main;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server down for 30 s under client load writes a handful of lines to the daemon's log, with
 * the daemon's own logging configuration: unreachable (with the cause), shunned, reachable and
 * ONLINE again, not a line per failed attempt.
 */
class QuietOutageLogTest {
    private static final int CLIENTS = 3;
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    static MariaDbCluster cluster;

    @BeforeAll
    static void start() {
        cluster = MariaDbCluster.builder().replicas(1).start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The daemon's logging configuration (the jar's), not the tests'. */
    private static String daemonLogging() throws URISyntaxException {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return "-Dlogback.configurationFile=" + classes.resolve("logback.xml");
    }

    @Test
    void aServerDownForThirtySecondsUnderLoadIsLoggedInAFewLines() throws Exception {
        MariaDbServer victim = cluster.replicas().get(0);
        int port = ProxyProcess.freePort();
        String config = """
                switchyard {
                  frontend { bind = "127.0.0.1", port = %d }
                  backend.pool.min-idle = 2
                  servers = [
                    { hostgroup = 1, host = "127.0.0.1", port = %d },
                    { hostgroup = 1, host = "127.0.0.1", port = %d }
                  ]
                  users = [ { username = "app", password = "app-pass", default-hostgroup = 1 } ]
                  variables {
                    mysql-monitor_username = "monitor"
                    mysql-monitor_password = "monitor-pass"
                    mysql-shun_recovery_time_sec = 1
                  }
                }
                """.formatted(port, cluster.primary().port(), victim.port());
        String url = "jdbc:mariadb://127.0.0.1:" + port + "/app?socketTimeout=10000";
        LongAdder reads = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        try (ProxyProcess proxy = ProxyProcess.start(config, port, daemonLogging());
             ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            List<Future<?>> load = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                load.add(clients.submit(() -> {
                    while (running.get()) {
                        try (Connection c = DriverManager.getConnection(url, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
                             Statement s = c.createStatement()) {
                            for (int n = 0; n < 50 && running.get(); n++) {
                                try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                                    rs.next();
                                }
                                reads.increment();
                                TimeUnit.MILLISECONDS.sleep(5); // paces the load; not a synchronizer
                            }
                        } catch (SQLException e) {
                            errors.increment();
                        }
                    }
                    return null;
                }));
            }
            Await.until(Duration.ofSeconds(20), "clients read through the proxy", () -> reads.sum() > 100);
            int before = proxy.log().length();

            long killed = System.nanoTime();
            victim.kill();
            // The outage itself lasts OUTAGE under load; nothing to wait for but time.
            TimeUnit.NANOSECONDS.sleep(killed + OUTAGE.toNanos() - System.nanoTime());
            long readsDuringOutage = reads.sum();
            victim.restart();
            String server = "127.0.0.1:" + victim.port();
            Await.until(Duration.ofSeconds(20), () -> server + " back in the log\n" + proxy.log().substring(before),
                    () -> proxy.log().substring(before).contains("server " + server + " is ONLINE again")
                            && proxy.log().substring(before).contains("server " + server + " is reachable again"));
            running.set(false);
            for (Future<?> f : load) {
                f.get(30, TimeUnit.SECONDS);
            }

            List<String> logged = proxy.log().substring(before).lines().filter(line -> !line.isBlank()).toList();
            List<String> aboutServer = logged.stream().filter(line -> line.contains(":" + victim.port())).toList();
            // A statement running on the server when it died is reported once by its session.
            List<String> perSession = aboutServer.stream().filter(line -> line.contains(" - session ")).toList();
            System.out.printf("%d s outage under load (%d reads, %d client errors): %d lines logged, %d about the server (%d by sessions)%n%s%n",
                    OUTAGE.toSeconds(), reads.sum(), errors.sum(), logged.size(), aboutServer.size(), perSession.size(),
                    String.join("\n", logged));
            assertThat(readsDuringOutage).as("clients kept reading").isGreaterThan(100);
            assertThat(aboutServer).as("lines about the server").hasSizeLessThanOrEqualTo(5 + perSession.size());
            assertThat(aboutServer.size() - perSession.size()).as("lines about the server\n%s", String.join("\n", logged))
                    .isLessThanOrEqualTo(5);
            assertThat(perSession).as("session lines").hasSizeLessThanOrEqualTo(CLIENTS);
            assertThat(logged).as("no line per failed attempt")
                    .noneMatch(line -> line.contains(" - connect to 127.0.0.1:" + victim.port()))
                    .noneMatch(line -> line.contains("Pool is empty"));
            assertThat(logged).as("the cause is given")
                    .anyMatch(line -> line.contains("server " + server + " is unreachable: ") && line.contains(" failed: "));
        } finally {
            running.set(false);
            if (!victim.isRunning()) {
                victim.restart();
            }
        }
    }
}
