package io.switchyard.server.it;

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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backend pool: reuse, its maximum and the wait for a free slot, keepalive pings that weed
 * out dead connections before a client gets one, idle timeout and maximum lifetime.
 */
class BackendPoolTest {
    static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(0, """
                event-loop-threads = 2
                backend.pool { max-connections = 3, acquire-timeout = 1500ms, keepalive-interval = 500ms,
                               idle-timeout = 3s, max-lifetime = 6s, min-idle = 1 }
                """);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static BackendPool pool() {
        return fixture.proxy().topology().allPools().get(0);
    }

    private static long threadId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(50);
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
            await("connection back in the pool", Duration.ofSeconds(5), () -> pool().inUse() == 0);
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
        await("all released", Duration.ofSeconds(5), () -> pool().inUse() == 0);
    }

    @Test
    void deadIdleConnectionsAreNeverHandedToClients() throws Exception {
        long victim;
        try (Connection c = fixture.mysql("")) {
            victim = threadId(c);
        }
        await("connection back in the pool", Duration.ofSeconds(5), () -> pool().inUse() == 0);
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
        await("three idle", Duration.ofSeconds(5), () -> pool().idle() == 3);
        await("idle connections closed down to min-idle", Duration.ofSeconds(10), () -> pool().total() == 1);
        long survivor;
        try (Connection c = fixture.mysql("")) {
            survivor = threadId(c);
        }
        await("connection retired after max-lifetime and replaced", Duration.ofSeconds(15), () -> {
            try (Connection c = fixture.mysql("")) {
                return threadId(c) != survivor;
            } catch (SQLException e) {
                return false;
            }
        });
        assertThat(pool().connectErr()).isZero();
    }
}
