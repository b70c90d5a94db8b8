package io.switchyard.server.it;

import io.switchyard.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.backend.BackendPool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The backend pool: reuse, its maximum and the wait for a free slot, keepalive pings that weed
 * out dead connections before a client gets one, idle timeout and maximum lifetime.
 */
class BackendPoolTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
                event-loop-threads = 2
                backend.pool { max-connections = 3, acquire-timeout = 1500ms, keepalive-interval = 500ms,
                               idle-timeout = 3s, max-lifetime = 6s, min-idle = 1 }
                # One connection per client session, so the tests can count them.
                variables { mysql-multiplexing = false }
                """);



    private static BackendPool pool() {
        return fixture.proxy().topology().allPools().get(0);
    }

    private static long threadId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@pseudo_thread_id")) {
            rs.next();
            return rs.getLong(1);
        }
    }


    @Test
    void releasedConnectionsAreResetAndReused() throws Exception {
        long connectsBefore = pool().connectOk();
        for (int i = 0; i < 10; i++) {
            try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT @leftover, DATABASE()")) {
                    rs.next();
                    assertThat(rs.getObject(1)).as("user variables of the previous client are reset").isNull();
                    assertThat(rs.getString(2)).isEqualTo("app");
                }
                s.execute("SET @leftover = 1");
            }
            Await.until(Duration.ofSeconds(5), "connection back in the pool", () -> pool().inUse() == 0);
        }
        int eventLoops = 2;
        assertThat(pool().connectOk() - connectsBefore).as("new connections for 10 sequential clients").isLessThanOrEqualTo(eventLoops);
    }

    @Test
    void clientsBeyondTheMaximumWaitThenGetHostgroupTimeoutError() throws Exception {
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(fixture.mysql(""));
            }
            long started = System.nanoTime();
            assertThatThrownBy(() -> fixture.mysql("").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(9001);
                        assertThat(e.getMessage()).contains("hostgroup 0");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
            held.remove(0).close();
            try (Connection c = fixture.mysql("")) {
                assertThat(threadId(c)).isPositive();
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
        Await.until(Duration.ofSeconds(5), "all released", () -> pool().inUse() == 0);
    }

    @Test
    void deadIdleConnectionsAreNeverHandedToClients() throws Exception {
        long victim;
        try (Connection c = fixture.mysql("")) {
            victim = threadId(c);
        }
        Await.until(Duration.ofSeconds(5), "connection back in the pool", () -> pool().inUse() == 0);
        fixture.cluster().primary().execute("KILL " + victim);
        for (int i = 0; i < 5; i++) {
            try (Connection c = fixture.mysql(""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(threadId(c)).isNotEqualTo(victim);
            }
        }
    }

    @Test
    void idleConnectionsAreClosedDownToMinIdleAndRetiredAtMaxLifetime() throws Exception {
        List<Connection> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(fixture.mysql(""));
        }
        for (Connection c : held) {
            c.close();
        }
        Await.until(Duration.ofSeconds(5), "three idle", () -> pool().idle() == 3);
        Await.until(Duration.ofSeconds(10), "idle connections closed down to min-idle", () -> pool().total() == 1);
        long survivor;
        try (Connection c = fixture.mysql("")) {
            survivor = threadId(c);
        }
        Await.until(Duration.ofSeconds(15), "connection retired after max-lifetime and replaced", () -> {
            try (Connection c = fixture.mysql("")) {
                return threadId(c) != survivor;
            } catch (SQLException e) {
                return false;
            }
        });
        assertThat(pool().connectErr()).isZero();
    }
}
