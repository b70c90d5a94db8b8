package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client session that waits for its next command longer than its {@code wait_timeout} is
 * closed, through the proxy as directly (with a reset, as the server ends it): the server closes
 * an idle connection then, and a
 * multiplexed session holds no connection the server could close. A statement that runs longer
 * than the limit is not idle. {@code mysql-wait_timeout} caps every session (here 3 s); a session
 * that keeps sending commands stays.
 */
class IdleTimeoutTest {
    private static final long CAP_MILLIS = 3_000;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "variables { mysql-wait_timeout = " + CAP_MILLIS + " }\n");

    @Test
    void aSessionIdleLongerThanItsOwnWaitTimeoutIsClosedAsDirectly() throws IOException {
        List<String> direct = idleSession(fixture.cluster().primary().port());
        assertThat(direct).containsExactly("[[1]]", "[[0]]", "reset", "not before its wait_timeout");
        assertThat(idleSession(fixture.port())).isEqualTo(direct);
    }

    @Test
    void mysqlWaitTimeoutClosesASessionIdleLongerThanItButNotOneThatKeepsBusy() throws Exception {
        long closedBefore = fixture.proxy().stats().idleTimeouts();
        try (RawMysqlClient busy = login(fixture.port()); RawMysqlClient idle = login(fixture.port())) {
            idle.rows("SELECT 1");
            long idleSince = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                // A command every second, 5 s in all: longer than the cap, never idle that long.
                Thread.sleep(1_000);
                assertThat(busy.rows("SELECT " + i)).containsExactly(List.of(Integer.toString(i)));
            }
            assertThat(howItEnds(idle)).as("how the idle session's connection ends").isEqualTo("reset");
            assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isGreaterThanOrEqualTo(Duration.ofMillis(CAP_MILLIS - 100));
            assertThat(busy.rows("SELECT 'still here'")).containsExactly(List.of("still here"));
            assertThat(fixture.proxy().stats().idleTimeouts() - closedBefore).as("switchyard_client_idle_timeouts_total").isEqualTo(1);
        }
    }

    /** A session with {@code wait_timeout = 1}: a 2-second statement, then nothing until the connection closes. */
    private static List<String> idleSession(int port) throws IOException {
        List<String> seen = new ArrayList<>();
        try (RawMysqlClient client = login(port)) {
            client.rows("SET SESSION wait_timeout = 1");
            seen.add(String.valueOf(client.rows("SELECT @@wait_timeout")));
            seen.add(String.valueOf(client.rows("SELECT SLEEP(2)")));
            long idleSince = System.nanoTime();
            seen.add(howItEnds(client));
            // The server (or proxy) counts from when its answer went out, a little before the client read it.
            seen.add(Duration.ofNanos(System.nanoTime() - idleSince).toMillis() >= 900 ? "not before its wait_timeout" : "too early");
        }
        return seen;
    }

    /** Waits (up to the client's read timeout) for the peer to end the connection: "reset", "closed", or what came instead. */
    private static String howItEnds(RawMysqlClient client) throws IOException {
        try {
            int b = client.input().read();
            return b == -1 ? "closed" : "a byte arrived: " + b;
        } catch (java.net.SocketException e) {
            return e.getMessage() != null && e.getMessage().contains("reset") ? "reset" : e.toString();
        }
    }

    private static RawMysqlClient login(int port) throws IOException {
        RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", port, Duration.ofSeconds(10));
        RawMysqlClient.Packet answer = client.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE);
        assertThat(answer.type()).as("login").isEqualTo(RawMysqlClient.OK);
        return client;
    }
}
