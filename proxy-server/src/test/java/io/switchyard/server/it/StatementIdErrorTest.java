package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An error that names a prepared statement names it by the id the client knows. A
 * {@code COM_STMT_FETCH} of a statement without an open cursor fails with 1421 "The statement (n)
 * has no open cursor"; through the proxy the client's id and its backend copy's differ (here an
 * SQL {@code PREPARE} took an id of the server's first), and the message named the copy's (before:
 * 2 where the client's statement was 1).
 */
class StatementIdErrorTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    private static final byte COM_STMT_PREPARE = 0x16;
    private static final byte COM_STMT_FETCH = 0x1C;

    @Test
    void aFetchWithoutACursorNamesTheStatementByTheClientsId() throws Exception {
        for (int port : new int[] {fixture.cluster().primary().port(), fixture.port()}) {
            List<String> seen = fetchWithoutCursor(port);
            assertThat(seen.get(1)).as("port %d", port).isEqualTo("1421 The statement (" + seen.get(0) + ") has no open cursor");
        }
    }

    /** Prepares {@code SELECT 1} after an SQL {@code PREPARE}, fetches from it; returns the id the prepare gave and the fetch's error. */
    private static List<String> fetchWithoutCursor(int port) throws Exception {
        try (RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", port, Duration.ofSeconds(10))) {
            assertThat(client.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE).type())
                    .isEqualTo(RawMysqlClient.OK);
            client.rows("PREPARE taken FROM 'SELECT 2'");
            ByteArrayOutputStream prepare = new ByteArrayOutputStream();
            prepare.write(COM_STMT_PREPARE);
            prepare.writeBytes("SELECT 1".getBytes(StandardCharsets.US_ASCII));
            client.write(0, prepare.toByteArray());
            RawMysqlClient.Packet ok = client.read();
            assertThat(ok.type()).as("prepare").isEqualTo(RawMysqlClient.OK);
            byte[] p = ok.payload();
            long id = (p[1] & 0xFFL) | (p[2] & 0xFFL) << 8 | (p[3] & 0xFFL) << 16 | (p[4] & 0xFFL) << 24;
            client.read();
            client.read();
            byte[] fetch = {COM_STMT_FETCH, p[1], p[2], p[3], p[4], 1, 0, 0, 0};
            client.write(0, fetch);
            RawMysqlClient.Packet answer = client.read();
            List<String> seen = new ArrayList<>();
            seen.add(String.valueOf(id));
            seen.add(answer.isErr() ? answer.errorCode() + " " + answer.errorMessage() : "no error");
            return seen;
        }
    }
}
