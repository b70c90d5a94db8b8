package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.it.RawMysqlClient.Packet;
import io.switchyard.server.launcher.MariaDbCluster;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client port and the admin port answer the same fault on the wire with the same error, and
 * close the connection after it. Both limits are set to 4 MiB here so one oversized packet fits
 * both; the admin's read timeout is its fixed 30 s, the client port's 1 s.
 */
@Timeout(120)
class PortFaultParityTest {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(45);

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(0,
            cluster -> "frontend.max-allowed-packet = 4MiB\nfrontend.net-read-timeout = 1s");

    /** What a hostile client does on a fresh connection. */
    private interface Fault {
        void send(RawMysqlClient client, Port port) throws IOException;
    }

    private enum Port { CLIENT, ADMIN }

    @Test
    void garbledHandshakeResponseGets1043OnBothPorts() throws Exception {
        assertBothAnswer(1043, (client, port) -> {
            Packet greeting = client.readGreeting();
            client.write(greeting.sequence() + 1, new byte[] {1, 2, 3, 4, 5});
        });
    }

    @Test
    void handshakeResponseWithWrongSequenceIdGets1156OnBothPorts() throws Exception {
        assertBothAnswer(1156, (client, port) -> {
            client.readGreeting();
            client.write(5, new byte[32]);
        });
    }

    @Test
    void commandWithWrongSequenceIdGets1156OnBothPorts() throws Exception {
        assertBothAnswer(1156, (client, port) -> {
            logIn(client, port);
            client.query("SELECT 1", 7);
        });
    }

    @Test
    void emptyCommandPacketGets1835OnBothPorts() throws Exception {
        assertBothAnswer(1835, (client, port) -> {
            logIn(client, port);
            client.write(0, new byte[0]);
        });
    }

    @Test
    void packetOverTheLimitGets1153OnBothPorts() throws Exception {
        assertBothAnswer(1153, (client, port) -> {
            logIn(client, port);
            client.writeRaw(RawMysqlClient.header(5 << 20, 0));
            client.writeRaw(new byte[] {RawMysqlClient.COM_QUERY});
        });
    }

    @Test
    void packetLeftHalfSentGets1159OnBothPorts() throws Exception {
        assertBothAnswer(1159, (client, port) -> {
            logIn(client, port);
            client.writeRaw(RawMysqlClient.header(1000, 0));
            client.writeRaw(new byte[] {RawMysqlClient.COM_QUERY, 'S', 'E', 'L'});
        });
    }

    /** Runs {@code fault} against both ports at once and checks that each answers {@code code} and closes. */
    private static void assertBothAnswer(int code, Fault fault) throws Exception {
        CompletableFuture<Integer> client = CompletableFuture.supplyAsync(() -> answer(Port.CLIENT, fault));
        CompletableFuture<Integer> admin = CompletableFuture.supplyAsync(() -> answer(Port.ADMIN, fault));
        assertThat(List.of(client.get(), admin.get())).as("ERR codes of the client port and the admin port")
                .containsExactly(code, code);
    }

    /** The code of the ERR the port answers {@code fault} with, after which it must close the connection. */
    private static int answer(Port port, Fault fault) {
        int at = port == Port.CLIENT ? fixture.port() : fixture.adminPort();
        try (RawMysqlClient client = RawMysqlClient.connect(fixture.host(), at, READ_TIMEOUT)) {
            fault.send(client, port);
            Packet answer = client.read();
            assertThat(answer.isErr()).as("%s port answers with an ERR packet", port).isTrue();
            assertThat(closed(client)).as("%s port closes the connection after %d", port, answer.errorCode()).isTrue();
            return answer.errorCode();
        } catch (IOException e) {
            throw new AssertionError(port + " port: " + e, e);
        }
    }

    private static boolean closed(RawMysqlClient client) throws IOException {
        try {
            return client.input().read() == -1;
        } catch (SocketException | EOFException reset) {
            return true;
        }
    }

    private static void logIn(RawMysqlClient client, Port port) throws IOException {
        Packet answer = port == Port.CLIENT
                ? client.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE)
                : client.login("admin", "admin", "main");
        assertThat(answer.type()).as("%s port login answer %s", port, new String(answer.payload(), StandardCharsets.UTF_8))
                .isEqualTo(RawMysqlClient.OK);
    }
}
