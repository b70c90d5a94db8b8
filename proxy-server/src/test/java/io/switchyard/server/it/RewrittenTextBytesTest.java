package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.testing.Await;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code utf8mb4} client may send bytes that are not UTF-8 inside a string literal (binary data
 * escaped into the text, as PHP's and Perl's drivers do), and the server stores them as they
 * are. A statement a query rule rewrites, and the copy a rule sends to its
 * {@code mirror_hostgroup}, carry those bytes as the client sent them (before, the proxy wrote
 * them again as UTF-8 and each became {@code EF BF BD}, the replacement character).
 */
class RewrittenTextBytesTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %d }
              { hostgroup = 2, host = "127.0.0.1", port = %d, comment = "the same server, as a mirror" }
            ]
            query-rules = [
              { rule-id = 1, match-pattern = "^INSERT INTO raw_bytes_old ", replace-pattern = "INSERT INTO raw_bytes ", apply = true }
              { rule-id = 2, match-pattern = "^INSERT INTO raw_bytes VALUES \\\\(2,", mirror-hostgroup = 2, apply = true }
            ]
            """.formatted(cluster.primary().port(), cluster.primary().port()));

    private static final byte[] NOT_UTF8 = {(byte) 0xFF, (byte) 0xFE, (byte) 0xC3, 0x28, (byte) 0xE2, (byte) 0x82};

    @Test
    void bytesThatAreNotUtf8ReachTheServerAsSentInARewriteAndInAMirrorsCopy() throws Exception {
        fixture.cluster().primary().execute("CREATE OR REPLACE TABLE app.raw_bytes (id INT, b BLOB)");
        try (RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", fixture.port(), Duration.ofSeconds(10))) {
            assertThat(client.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE).type())
                    .isEqualTo(RawMysqlClient.OK);
            for (String table : List.of("raw_bytes_old VALUES (1, '", "raw_bytes VALUES (2, '")) {
                ByteArrayOutputStream query = new ByteArrayOutputStream();
                query.write(0x03);
                query.writeBytes(("INSERT INTO " + table).getBytes(StandardCharsets.US_ASCII));
                query.writeBytes(NOT_UTF8);
                query.writeBytes("')".getBytes(StandardCharsets.US_ASCII));
                client.write(0, query.toByteArray());
                RawMysqlClient.Packet answer = client.read();
                assertThat(answer.isErr()).as(answer.isErr() ? answer.errorMessage() : "OK").isFalse();
            }
        }
        Await.until(Duration.ofSeconds(10), "the mirror's copy ran",
                () -> fixture.cluster().primary().query("SELECT COUNT(*) AS n FROM app.raw_bytes").get(0).get("n").toString().equals("3"));
        List<String> rows = fixture.cluster().primary().query("SELECT id, HEX(b) AS b FROM app.raw_bytes ORDER BY id").stream()
                .map(row -> row.get("id") + " " + row.get("b")).toList();
        assertThat(rows).containsExactly("1 FFFEC328E282", "2 FFFEC328E282", "2 FFFEC328E282");
    }
}
