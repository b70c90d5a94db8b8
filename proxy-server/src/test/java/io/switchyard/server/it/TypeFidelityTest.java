package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values survive the proxy exactly, with both drivers, over the text protocol (plain statements)
 * and the binary protocol (server-side prepared statements). Each value is written through the
 * driver, read back through the driver, and checked on the server itself as text, so a driver
 * that is wrong both ways cannot hide a corruption.
 */
@Timeout(120)
class TypeFidelityTest {
    private static final BigDecimal DECIMAL = new BigDecimal(
            "-12345678901234567890123456789012345.123456789012345678901234567890");
    private static final LocalDateTime DATETIME = LocalDateTime.of(2024, 2, 29, 23, 59, 59, 999_999_000);
    private static final LocalDateTime TIMESTAMP = LocalDateTime.of(2037, 12, 31, 1, 2, 3, 4_000);
    private static final String JSON = "{\"emoji\": \"\uD83D\uDE00\", \"n\": 1.5, \"nested\": [null, true, \"a\\\"b\"]}";
    private static final long BIT_PATTERN = 0x8000_0000_0000_0001L;
    private static final String UNSIGNED_MAX = "18446744073709551615";
    private static final double[] DOUBLES = {0.1 + 0.2, -Double.MAX_VALUE, Double.MIN_NORMAL, 1e-300, 123456789.0, -0.0};
    private static final String TEXT = "h\u00e9llo \uD83D\uDE00 \u4e16\u754c \uD834\uDD1E '\"\\ %_";
    private static final int BLOB_BYTES = 20 * 1024 * 1024;

    private static final AtomicInteger ids = new AtomicInteger();
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    @BeforeAll
    static void startProxy() {
        fixture.cluster().primary().execute("CREATE TABLE app.fidelity (id INT PRIMARY KEY, "
                + "dec65 DECIMAL(65,30), dt DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, js JSON, "
                + "b64 BIT(64), ubig BIGINT UNSIGNED, dbl DOUBLE, txt VARCHAR(100) CHARACTER SET utf8mb4, "
                + "blb LONGBLOB)");
    }



    /** Driver and protocol: Connector/J and MariaDB Connector/J, each with text and binary protocol. */
    static Stream<String> clients() {
        return Stream.of("mysql:useServerPrepStmts=false", "mysql:useServerPrepStmts=true",
                "mariadb:useServerPrepStmts=false", "mariadb:useServerPrepStmts=true");
    }

    private static Connection connect(String client, String extra) throws SQLException {
        String[] parts = client.split(":", 2);
        String params = parts[1] + (extra.isEmpty() ? "" : "&" + extra);
        return parts[0].equals("mysql") ? fixture.mysql(params) : fixture.mariadb(params);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void everyTypeRoundTripsExactly(String client) throws SQLException {
        int id = ids.incrementAndGet();
        try (Connection connection = connect(client, "")) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO fidelity "
                    + "(id, dec65, dt, ts, js, b64, ubig, dbl, txt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setInt(1, id);
                insert.setBigDecimal(2, DECIMAL);
                if (client.startsWith("mysql")) {
                    // Connector/J drops the fraction of temporal parameters for servers announcing 5.5.5-…
                    // (ConnectorJTest pins that down), so it sends these as text.
                    insert.setString(3, "2024-02-29 23:59:59.999999");
                    insert.setString(4, "2037-12-31 01:02:03.000004");
                } else {
                    insert.setObject(3, DATETIME);
                    insert.setObject(4, TIMESTAMP);
                }
                insert.setString(5, JSON);
                insert.setBytes(6, longBytes(BIT_PATTERN));
                insert.setBigDecimal(7, new BigDecimal(UNSIGNED_MAX));
                insert.setDouble(8, DOUBLES[0]);
                insert.setString(9, TEXT);
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
            try (ResultSet row = select(connection, client, "SELECT dec65, dt, ts, js, b64, ubig, dbl, txt "
                    + "FROM fidelity WHERE id = ?", id)) {
                assertThat(row.next()).isTrue();
                assertThat(row.getBigDecimal(1)).isEqualByComparingTo(DECIMAL);
                assertThat(row.getBigDecimal(1).toPlainString()).isEqualTo(DECIMAL.toPlainString());
                assertThat(row.getObject(2, LocalDateTime.class)).isEqualTo(DATETIME);
                assertThat(row.getObject(3, LocalDateTime.class)).isEqualTo(TIMESTAMP);
                assertThat(row.getString(4)).isEqualTo(JSON);
                assertThat(row.getBytes(5)).isEqualTo(longBytes(BIT_PATTERN));
                assertThat(row.getString(6)).isEqualTo(UNSIGNED_MAX);
                assertThat(row.getBigDecimal(6)).isEqualTo(new BigDecimal(UNSIGNED_MAX));
                assertThat(row.getDouble(7)).isEqualTo(DOUBLES[0]);
                assertThat(row.getString(8)).isEqualTo(TEXT);
            }
        }
        assertThat(fixture.cluster().primary().query("SELECT CAST(dec65 AS CHAR) d, CAST(dt AS CHAR) dt, "
                + "CAST(ts AS CHAR) ts, js, HEX(b64) b, CAST(ubig AS CHAR) u, CAST(CHAR_LENGTH(txt) AS CHAR) chars, HEX(txt) hx "
                + "FROM app.fidelity WHERE id = " + id).get(0)).containsExactly(
                java.util.Map.entry("d", DECIMAL.toPlainString()),
                java.util.Map.entry("dt", "2024-02-29 23:59:59.999999"),
                java.util.Map.entry("ts", "2037-12-31 01:02:03.000004"),
                java.util.Map.entry("js", JSON),
                java.util.Map.entry("b", "8000000000000001"),
                java.util.Map.entry("u", UNSIGNED_MAX),
                java.util.Map.entry("chars", Integer.toString(TEXT.codePointCount(0, TEXT.length()))),
                java.util.Map.entry("hx", HexFormat.of().withUpperCase().formatHex(TEXT.getBytes(
                        java.nio.charset.StandardCharsets.UTF_8))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void serverWrittenValuesReadBackExactly(String client) throws SQLException {
        int id = ids.incrementAndGet();
        fixture.cluster().primary().execute("INSERT INTO app.fidelity (id, dec65, dt, ts, js, b64, ubig, dbl, txt) "
                + "VALUES (" + id + ", '" + DECIMAL.toPlainString() + "', '2024-02-29 23:59:59.999999', "
                + "'2037-12-31 01:02:03.000004', '" + JSON.replace("\\", "\\\\") + "', b'"
                + Long.toBinaryString(BIT_PATTERN) + "', " + UNSIGNED_MAX + ", " + (0.1 + 0.2) + "e0, 0x"
                + HexFormat.of().formatHex(TEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ")");
        try (Connection connection = connect(client, "");
                ResultSet row = select(connection, client, "SELECT dec65, dt, ts, js, b64, ubig, dbl, txt "
                        + "FROM fidelity WHERE id = ?", id)) {
            assertThat(row.next()).isTrue();
            assertThat(row.getBigDecimal(1).toPlainString()).isEqualTo(DECIMAL.toPlainString());
            assertThat(row.getObject(2, LocalDateTime.class)).isEqualTo(DATETIME);
            assertThat(row.getObject(3, LocalDateTime.class)).isEqualTo(TIMESTAMP);
            assertThat(row.getString(4)).isEqualTo(JSON);
            assertThat(row.getBytes(5)).isEqualTo(longBytes(BIT_PATTERN));
            assertThat(new BigInteger(row.getString(6))).isEqualTo(new BigInteger(UNSIGNED_MAX));
            assertThat(row.getDouble(7)).isEqualTo(0.1 + 0.2);
            assertThat(row.getString(8)).isEqualTo(TEXT);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void doublesKeepEveryBit(String client) throws SQLException {
        try (Connection connection = connect(client, "")) {
            for (double value : DOUBLES) {
                try (ResultSet row = select(connection, client, "SELECT CAST(? AS DOUBLE)", value)) {
                    row.next();
                    assertThat(Double.doubleToRawLongBits(row.getDouble(1)) == Double.doubleToRawLongBits(value)
                            || (value == 0.0 && row.getDouble(1) == 0.0))
                            .as("%s read back as %s", value, row.getDouble(1)).isTrue();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void nullsComeBackAsNullInEveryType(String client) throws SQLException {
        int id = ids.incrementAndGet();
        try (Connection connection = connect(client, "")) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO fidelity "
                    + "(id, dec65, dt, ts, js, b64, ubig, dbl, txt, blb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setInt(1, id);
                int[] types = {java.sql.Types.DECIMAL, java.sql.Types.TIMESTAMP, java.sql.Types.TIMESTAMP,
                        java.sql.Types.VARCHAR, java.sql.Types.VARBINARY, java.sql.Types.BIGINT, java.sql.Types.DOUBLE,
                        java.sql.Types.VARCHAR, java.sql.Types.BLOB};
                for (int i = 0; i < types.length; i++) {
                    insert.setNull(i + 2, types[i]);
                }
                insert.executeUpdate();
            }
            try (ResultSet row = select(connection, client,
                    "SELECT dec65, dt, ts, js, b64, ubig, dbl, txt, blb FROM fidelity WHERE id = ?", id)) {
                assertThat(row.next()).isTrue();
                for (int column = 1; column <= 9; column++) {
                    assertThat(row.getObject(column)).as("column %d", column).isNull();
                    assertThat(row.wasNull()).isTrue();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void twentyMebibyteBlobRoundTripsByteForByte(String client) throws SQLException {
        int id = ids.incrementAndGet();
        byte[] blob = new byte[BLOB_BYTES];
        new Random(id).nextBytes(blob);
        try (Connection connection = connect(client, "maxAllowedPacket=1073741824")) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO fidelity (id, blb) VALUES (?, ?)")) {
                insert.setInt(1, id);
                insert.setBytes(2, blob);
                insert.executeUpdate();
            }
            try (ResultSet row = select(connection, client, "SELECT blb FROM fidelity WHERE id = ?", id)) {
                assertThat(row.next()).isTrue();
                byte[] read = row.getBytes(1);
                assertThat(read).hasSize(BLOB_BYTES);
                assertThat(sha256(read)).isEqualTo(sha256(blob));
            }
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("UPDATE fidelity SET blb = NULL WHERE id = " + id);
            }
        }
        assertThat(fixture.cluster().primary().queryString("SELECT COUNT(*) FROM app.fidelity WHERE id = " + id))
                .isEqualTo("1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void zeroDatesReadAsNullOrAsText(String client) throws SQLException {
        int id = ids.incrementAndGet();
        String extra = client.startsWith("mysql") ? "zeroDateTimeBehavior=CONVERT_TO_NULL" : "";
        try (Connection connection = connect(client, extra)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET SESSION sql_mode = ''");
                statement.executeUpdate("INSERT INTO fidelity (id, dt) VALUES (" + id + ", '0000-00-00 00:00:00')");
            }
            try (ResultSet row = select(connection, client,
                    "SELECT dt, CAST(dt AS CHAR), dt = '0000-00-00' FROM fidelity WHERE id = ?", id)) {
                assertThat(row.next()).isTrue();
                assertThat(row.getTimestamp(1)).isNull();
                assertThat(row.getString(2)).isEqualTo("0000-00-00 00:00:00.000000");
                assertThat(row.getInt(3)).isEqualTo(1);
            }
        }
    }

    /** Runs {@code sql} with one parameter; the statement closes with its result set. */
    private static ResultSet select(Connection connection, String client, String sql, Object parameter)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.closeOnCompletion();
        statement.setObject(1, parameter);
        ResultSet rows = statement.executeQuery();
        return rows;
    }

    private static byte[] longBytes(long value) {
        return java.nio.ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
