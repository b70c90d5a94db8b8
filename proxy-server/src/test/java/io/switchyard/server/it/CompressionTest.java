package io.switchyard.server.it;

import static io.switchyard.protocol.Capability.CLIENT_COMPRESS;
import static io.switchyard.protocol.Capability.CLIENT_CONNECT_WITH_DB;
import static io.switchyard.protocol.Capability.CLIENT_MULTI_RESULTS;
import static io.switchyard.protocol.Capability.CLIENT_PLUGIN_AUTH;
import static io.switchyard.protocol.Capability.CLIENT_PROTOCOL_41;
import static io.switchyard.protocol.Capability.CLIENT_SECURE_CONNECTION;
import static io.switchyard.protocol.Capability.CLIENT_TRANSACTIONS;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Inflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that ask for the compressed protocol (CLIENT_COMPRESS) get it, with the answers they
 * get directly: the same rows, the same errors, statements and rows larger than one 16 MiB
 * packet, server-side prepared statements, and {@code Compression} reading {@code ON}. The
 * proxy serves them with backend connections that compress too; clients that do not compress
 * keep connections that do not. A compressed packet that breaks the protocol ends only its own
 * session, with error 1835.
 */
class CompressionTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    @BeforeAll
    static void table() {
        fixture.cluster().primary().execute(
                "CREATE TABLE app.packed (id INT PRIMARY KEY, body LONGTEXT)",
                "INSERT INTO app.packed SELECT seq, REPEAT(MD5(seq), 20) FROM app.seq_1_to_20000");
    }

    @Test
    void connectorJGetsWhatItGetsDirectly() throws Exception {
        String params = "useCompression=true&useServerPrepStmts=true&maxAllowedPacket=67108864";
        assertSameWorkload(fixture.mysqlUrl(params), fixture.cluster().primary().jdbcUrl(MariaDbCluster.APP_DATABASE) + "&" + params, 1);
    }

    @Test
    void mariaDbConnectorJGetsWhatItGetsDirectly() throws Exception {
        String params = "useCompression=true&useServerPrepStmts=true";
        assertSameWorkload(fixture.mariadbUrl(params), fixture.cluster().primary().mariaDbJdbcUrl(MariaDbCluster.APP_DATABASE) + "?" + params, 3);
    }

    /** The workload through the proxy ({@code proxied}) and directly gives the same, compressed both ways. */
    private static void assertSameWorkload(String proxied, String direct, int id) throws Exception {
        assertThat(workload(DriverManager.getConnection(proxied, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD), id))
                .isEqualTo(workload(DriverManager.getConnection(direct, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD), id + 1))
                .contains("Compression=ON");
    }

    @Test
    void theCommandLineClientGetsWhatItGetsDirectly() {
        String sql = "SHOW STATUS LIKE 'Compression';\n"
                + "SELECT id, body FROM packed WHERE id % 1000 = 7 ORDER BY id;\n"
                + "SELECT LENGTH(REPEAT('z', 20000000)), MD5(REPEAT('z', 20000000));\n"
                + "SELECT missing FROM packed;\n";
        ProxyFixture.ProcessResult direct = fixture.cli(fixture.cluster().primary().port(), sql, "--compress", "--force",
                "--max-allowed-packet=64M");
        ProxyFixture.ProcessResult proxied = fixture.cli(sql, "--compress", "--force", "--max-allowed-packet=64M");
        assertThat(direct.stdout()).contains("Compression\tON").contains("20000000");
        assertThat(proxied.stdout()).isEqualTo(direct.stdout());
        assertThat(proxied.stderr()).isEqualTo(direct.stderr()).contains("1054");
    }

    @Test
    void aClientThatDoesNotCompressKeepsAConnectionThatDoesNot() throws SQLException {
        try (Connection compressed = fixture.mysql("useCompression=true"); Connection plain = fixture.mysql(null);
             Statement c = compressed.createStatement(); Statement p = plain.createStatement()) {
            for (int i = 0; i < 5; i++) {
                assertThat(status(c)).isEqualTo("ON");
                assertThat(status(p)).isEqualTo("OFF");
            }
        }
    }

    @Test
    void aBrokenCompressedPacketEndsOnlyItsSession() throws Exception {
        try (Connection other = fixture.mysql("useCompression=true"); Statement s = other.createStatement();
             RawMysqlClient raw = RawMysqlClient.connect("127.0.0.1", fixture.port(), Duration.ofSeconds(10))) {
            assertThat(status(s)).isEqualTo("ON");
            RawMysqlClient.Packet login = raw.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD,
                    MariaDbCluster.APP_DATABASE, CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
                            | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH | CLIENT_COMPRESS);
            assertThat(login.type()).as("login").isEqualTo(RawMysqlClient.OK);

            // a compressed packet that announces 500 bytes and holds 60 bytes that are no zlib stream
            byte[] broken = new byte[7 + 60];
            broken[0] = 60;
            broken[4] = (byte) 0xF4;
            broken[5] = 0x01;
            java.util.Arrays.fill(broken, 7, broken.length, (byte) 'x');
            raw.writeRaw(broken);

            byte[] answer = readCompressed(new DataInputStream(raw.input()));
            assertThat(answer[4] & 0xFF).as("an ERR packet").isEqualTo(0xFF);
            assertThat((answer[5] & 0xFF) | (answer[6] & 0xFF) << 8).isEqualTo(1835);
            assertThat(new String(answer, 7, answer.length - 7, StandardCharsets.UTF_8)).contains("zlib");
            assertThat(raw.input().read()).as("the connection is closed").isEqualTo(-1);

            assertThat(status(s)).isEqualTo("ON");
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM packed")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(20000);
            }
        }
    }

    /** The same work on {@code c} (closed afterwards), written down as text to compare; {@code id} keys its own rows. */
    private static List<String> workload(Connection c, int id) throws Exception {
        List<String> out = new ArrayList<>();
        try (c; Statement s = c.createStatement()) {
            out.add("Compression=" + status(s));
            MessageDigest rows = MessageDigest.getInstance("SHA-256");
            int count = 0;
            try (ResultSet rs = s.executeQuery("SELECT id, body FROM packed ORDER BY id")) {
                while (rs.next()) {
                    rows.update((rs.getInt(1) + ":" + rs.getString(2) + "\n").getBytes(StandardCharsets.UTF_8));
                    count++;
                }
            }
            out.add(count + " rows " + HexFormat.of().formatHex(rows.digest()));
            String large = "ab".repeat(9_000_000);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO packed VALUES (?, ?)")) {
                insert.setInt(1, 100_000 + id);
                insert.setString(2, large);
                out.add("inserted " + insert.executeUpdate());
            }
            s.executeUpdate("UPDATE packed SET body = '" + large + "' WHERE id = " + (100_000 + id));
            try (PreparedStatement read = c.prepareStatement("SELECT body, LENGTH(body) FROM packed WHERE id = ?")) {
                for (int i = 0; i < 3; i++) {
                    read.setInt(1, 100_000 + id);
                    try (ResultSet rs = read.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        out.add("read back equal " + rs.getString(1).equals(large) + " " + rs.getLong(2));
                    }
                }
            }
            s.executeUpdate("DELETE FROM packed WHERE id = " + (100_000 + id));
            try {
                s.executeQuery("SELECT missing FROM packed");
                out.add("no error");
            } catch (SQLException e) {
                // MariaDB Connector/J puts the connection's thread id in front of the message.
                out.add(e.getErrorCode() + " " + e.getSQLState() + " " + e.getMessage().replaceFirst("^\\(conn=\\d+\\) ", ""));
            }
        }
        return out;
    }

    private static String status(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Compression'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(2);
        }
    }

    /** Reads one compressed packet and returns what it carries. */
    private static byte[] readCompressed(DataInputStream in) throws IOException, java.util.zip.DataFormatException {
        byte[] header = new byte[7];
        in.readFully(header);
        int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
        int plain = (header[4] & 0xFF) | (header[5] & 0xFF) << 8 | (header[6] & 0xFF) << 16;
        byte[] body = new byte[length];
        in.readFully(body);
        if (plain == 0) {
            return body;
        }
        Inflater inflater = new Inflater();
        inflater.setInput(body);
        byte[] out = new byte[plain];
        if (inflater.inflate(out) != plain) {
            throw new EOFException("short compressed packet");
        }
        inflater.end();
        return out;
    }
}
