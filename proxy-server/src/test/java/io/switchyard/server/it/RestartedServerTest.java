package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerState;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The only server of a hostgroup is killed and restarted, with the default settings: the monitor
 * shuns it, and once it answers again new clients get in while it still rests
 * ({@code mysql-shun_recovery_time_sec}, 10 s), instead of waiting and failing with 9001.
 */
class RestartedServerTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    private static ServerState status(MariaDbServer server) {
        return fixture.proxy().runtime().pool(new ServerAddress(server.host(), server.port())).health().status();
    }

    @Test
    void clientsGetInAsSoonAsTheRestartedServerAnswersTheMonitor() throws Exception {
        MariaDbServer server = fixture.cluster().primary();
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
        server.kill();
        Await.until(Duration.ofSeconds(5), () -> "the killed server is SHUNNED (now " + status(server) + ")",
                () -> status(server) == ServerState.SHUNNED);
        server.restart();
        long restarted = System.nanoTime();

        try (Connection c = fixture.mysql(""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@server_id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(server.serverId());
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - restarted);
        assertThat(status(server)).as("answered while the server still rests, %s after its restart", waited)
                .isEqualTo(ServerState.SHUNNED);
        Await.until(Duration.ofSeconds(20), () -> "the server is ONLINE after its rest (now " + status(server) + ")",
                () -> status(server) == ServerState.ONLINE);
    }
}
