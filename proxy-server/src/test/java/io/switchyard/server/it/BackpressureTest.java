package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Results stream through the proxy without being buffered: the proxy runs in its own JVM with a
 * 256 MiB heap and 64 MiB of direct memory, far less than the results it relays.
 */
class BackpressureTest {
    static MariaDbCluster cluster;
    static ProxyProcess proxy;

    @BeforeAll
    static void start() {
        cluster = MariaDbCluster.builder().replicas(0).start();
        int port = ProxyProcess.freePort();
        proxy = ProxyProcess.start("""
                switchyard {
                  frontend { bind = "127.0.0.1", port = %d }
                  servers = [ { hostgroup = 0, host = "127.0.0.1", port = %d } ]
                  users = [ { username = "%s", password = "%s", default-hostgroup = 0 } ]
                }
                """.formatted(port, cluster.primary().port(), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD),
                port, "-Xmx256m", "-XX:MaxDirectMemorySize=64m");
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + proxy.port() + "/app?sslMode=DISABLED&maxAllowedPacket=67108864",
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }

    @Test
    void twoGigabyteResultPassesThroughASmallHeap() throws Exception {
        long bytes = 0;
        long rows = 0;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rs = s.executeQuery("SELECT seq, REPEAT('x', 1048576) FROM seq_1_to_2048")) {
                while (rs.next()) {
                    bytes += rs.getString(2).length();
                    rows++;
                }
            }
        }
        assertThat(rows).isEqualTo(2048);
        assertThat(bytes).isEqualTo(2048L * 1048576);
        assertThat(proxy.isAlive()).as(proxy.log()).isTrue();
    }

    @Test
    void slowClientDoesNotMakeTheProxyBufferTheResult() throws Exception {
        long rows = 0;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rs = s.executeQuery("SELECT seq, REPEAT('y', 1048576) FROM seq_1_to_300")) {
                while (rs.next()) {
                    assertThat(rs.getString(2)).hasSize(1048576);
                    rows++;
                    if (rows % 10 == 0) {
                        Thread.sleep(100);
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        assertThat(rows).isEqualTo(300);
        assertThat(proxy.isAlive()).as(proxy.log()).isTrue();
        assertThat(proxy.log()).doesNotContain("OutOfMemoryError", "OutOfDirectMemoryError");
    }
}
