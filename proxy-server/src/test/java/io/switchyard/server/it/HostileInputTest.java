package io.switchyard.server.it;

import io.switchyard.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.it.RawMysqlClient.Packet;
import io.switchyard.server.launcher.MariaDbCluster;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed and hostile clients, spoken to over raw sockets. Each may get an ERR packet with a
 * real code or have its connection closed; none may leave the peer hanging, and after each the
 * next well-behaved client is served and no backend connection stays borrowed.
 */
@Timeout(120)
class HostileInputTest {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    /** ER_NET_PACKET_TOO_LARGE: "Got a packet bigger than 'max_allowed_packet' bytes". */
    private static final int PACKET_TOO_LARGE = 1153;
    private static final int ACCESS_DENIED = 1045;
    /** ER_NET_PACKETS_OUT_OF_ORDER: "Got packets out of order"; what MariaDB answers to a bad sequence id. */
    private static final int PACKETS_OUT_OF_ORDER = 1156;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "frontend.net-read-timeout = 1s");



    @AfterEach
    void peerStillServesAndReleasesBackendConnections() throws SQLException {
        assertGoodClientIsServed();
        fixture.afterEach(null);
    }

    @Test
    void truncatedHandshakeResponseThenCloseIsDropped() throws IOException {
        try (RawMysqlClient client = connect()) {
            Packet greeting = client.readGreeting();
            assertThat(greeting.payload()[0]).as("protocol version").isEqualTo((byte) 10);
            client.writeRaw(RawMysqlClient.header(100, greeting.sequence() + 1));
            client.writeRaw(new byte[10]);
        }
    }

    @Test
    void truncatedCommandThenCloseIsDropped() throws IOException {
        try (RawMysqlClient client = loggedIn()) {
            client.writeRaw(RawMysqlClient.header(1000, 0));
            client.writeRaw(new byte[] {RawMysqlClient.COM_QUERY, 'S', 'E', 'L'});
        }
    }

    @Test
    void packetLeftHalfSentIsAnsweredWithReadTimeoutAndClosed() throws IOException {
        try (RawMysqlClient client = loggedIn()) {
            client.writeRaw(RawMysqlClient.header(1000, 0));
            client.writeRaw(new byte[] {RawMysqlClient.COM_QUERY, 'S', 'E', 'L'});
            int outcome = errOrClose(client, Duration.ofSeconds(10));
            assertThat(outcome).as("ERR code, or -1 for a close").isEqualTo(1159);
        }
    }

    @Test
    void commandWithWrongSequenceIdGetsPacketsOutOfOrder() throws IOException {
        try (RawMysqlClient client = loggedIn()) {
            client.query("SELECT 1", 7);
            int outcome = errOrClose(client);
            assertThat(outcome).as("ERR code, or -1 for a close").isEqualTo(PACKETS_OUT_OF_ORDER);
        }
    }

    @Test
    void packetChainAnnouncingOneGibibyteIsRefusedWithoutHanging() throws Exception {
        try (RawMysqlClient client = loggedIn();
                ExecutorService writer = Executors.newSingleThreadExecutor()) {
            AtomicLong written = new AtomicLong();
            // 65 full packets: just over 1 GiB, past max_allowed_packet (1 GiB on the launcher's servers).
            Future<?> flood = writer.submit(() -> {
                byte[] chunk = new byte[1 << 20];
                try {
                    for (int packet = 0; packet < 65; packet++) {
                        client.writeRaw(RawMysqlClient.header(RawMysqlClient.MAX_PAYLOAD, packet));
                        long remaining = RawMysqlClient.MAX_PAYLOAD;
                        if (packet == 0) {
                            client.writeRaw(new byte[] {RawMysqlClient.COM_QUERY});
                            remaining--;
                        }
                        while (remaining > 0) {
                            int n = (int) Math.min(chunk.length, remaining);
                            client.writeRaw(n == chunk.length ? chunk : new byte[n]);
                            remaining -= n;
                            written.addAndGet(n);
                        }
                    }
                } catch (IOException closedByPeer) {
                    // Expected: the peer refuses the packet and closes.
                }
                return null;
            });
            int outcome = errOrClose(client, Duration.ofSeconds(60));
            assertThat(outcome).as("ERR code, or -1 for a close, after %d bytes: the ERR reaches the client although it"
                    + " is still sending", written.get()).isEqualTo(PACKET_TOO_LARGE);
            client.close();
            flood.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientVanishingInTheMiddleOfALargeResultDoesNotLeaveTheQueryRunning() throws IOException {
        String marker = "vanishing_" + System.nanoTime();
        try (RawMysqlClient client = loggedIn()) {
            client.query("SELECT seq, REPEAT('x', 1000) AS " + marker + " FROM seq_1_to_2000000", 0);
            client.skip(256 * 1024);
        }
        Await.until(Duration.ofSeconds(15), "the abandoned query stops on the server", () -> "0".equals(
                fixture.cluster().primary().queryString("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                        + "WHERE ID <> CONNECTION_ID() AND INFO LIKE '%" + marker + "%'")));
    }

    @Test
    void wrongPasswordStormIsRefusedWhileAGoodClientKeepsWorking() throws Exception {
        long backendsBefore = fixture.backendConnectionsOpen();
        AtomicBoolean stormOver = new AtomicBoolean();
        AtomicInteger goodQueries = new AtomicInteger();
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        try (ExecutorService good = Executors.newSingleThreadExecutor();
                ExecutorService storm = Executors.newFixedThreadPool(50)) {
            Future<?> goodClient = good.submit(() -> {
                while (!stormOver.get()) {
                    try (Connection connection = fixture.mariadb("connectTimeout=5000&socketTimeout=10000");
                            Statement statement = connection.createStatement()) {
                        for (int i = 0; i < 25; i++) {
                            try (ResultSet rows = statement.executeQuery("SELECT " + i)) {
                                rows.next();
                                if (rows.getInt(1) != i) {
                                    problems.add("good client read " + rows.getInt(1) + " for " + i);
                                }
                            }
                            goodQueries.incrementAndGet();
                        }
                    } catch (SQLException e) {
                        problems.add("good client failed: " + e);
                    }
                }
                return null;
            });
            List<Future<Integer>> attempts = new java.util.ArrayList<>();
            for (int i = 0; i < 500; i++) {
                attempts.add(storm.submit(() -> {
                    try (RawMysqlClient client = connect()) {
                        Packet answer = client.login(MariaDbCluster.APP_USER, "wrong-pass", MariaDbCluster.APP_DATABASE);
                        return answer.isErr() ? answer.errorCode() : -answer.type() - 1000;
                    }
                }));
            }
            AtomicInteger denied = new AtomicInteger();
            for (Future<Integer> attempt : attempts) {
                int code = attempt.get(60, TimeUnit.SECONDS);
                if (code == ACCESS_DENIED) {
                    denied.incrementAndGet();
                } else {
                    problems.add("wrong password answered with " + code);
                }
            }
            stormOver.set(true);
            goodClient.get(30, TimeUnit.SECONDS);
            assertThat(problems).isEmpty();
            assertThat(denied.get()).isEqualTo(500);
            assertThat(goodQueries.get()).isPositive();
        }
        if (backendsBefore >= 0) {
            assertThat(fixture.backendConnectionsOpen()).as("clients that fail to log in cost no backend connection")
                    .isLessThanOrEqualTo(backendsBefore + 2);
        }
    }

    private static RawMysqlClient connect() throws IOException {
        return RawMysqlClient.connect(fixture.host(), fixture.port(), READ_TIMEOUT);
    }

    private static RawMysqlClient loggedIn() throws IOException {
        RawMysqlClient client = connect();
        Packet answer = client.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE);
        assertThat(answer.type()).as("login answer %s", new String(answer.payload(), StandardCharsets.UTF_8))
                .isEqualTo(RawMysqlClient.OK);
        return client;
    }

    private static int errOrClose(RawMysqlClient client) throws IOException {
        return errOrClose(client, READ_TIMEOUT);
    }

    /**
     * Reads until an ERR packet (returns its code) or the peer's close (returns -1); any other
     * packets before are skipped. Silence for longer than the read timeout fails the test.
     */
    private static int errOrClose(RawMysqlClient client, Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            try {
                Packet packet = client.read();
                if (packet.isErr()) {
                    return packet.errorCode();
                }
            } catch (EOFException | SocketException closed) {
                return -1;
            } catch (SocketTimeoutException silent) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("neither an ERR packet nor a close within " + deadline.toSeconds() + " s");
                }
            }
        }
    }

    private static void assertGoodClientIsServed() throws SQLException {
        try (Connection connection = fixture.mysql("connectTimeout=5000&socketTimeout=10000");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT 'still serving'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("still serving");
        }
    }
}
