package io.switchyard.server.it;

import static io.switchyard.protocol.Capability.CLIENT_CONNECT_WITH_DB;
import static io.switchyard.protocol.Capability.CLIENT_MULTI_RESULTS;
import static io.switchyard.protocol.Capability.CLIENT_MULTI_STATEMENTS;
import static io.switchyard.protocol.Capability.CLIENT_MYSQL;
import static io.switchyard.protocol.Capability.CLIENT_PLUGIN_AUTH;
import static io.switchyard.protocol.Capability.CLIENT_PROTOCOL_41;
import static io.switchyard.protocol.Capability.CLIENT_PS_MULTI_RESULTS;
import static io.switchyard.protocol.Capability.CLIENT_SECURE_CONNECTION;
import static io.switchyard.protocol.Capability.CLIENT_SESSION_TRACK;
import static io.switchyard.protocol.Capability.CLIENT_TRANSACTIONS;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.protocol.ServerStatus;
import io.switchyard.server.launcher.MariaDbCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client without CLIENT_DEPRECATE_EOF gets, through the proxy, the packets it gets directly:
 * the proxy's backend connections end every result with an OK, and the relay writes the EOF
 * packets such a client expects (after column definitions, after a prepare reply's parameters
 * and columns, at the end of rows), with their sequence ids and status flags. Each response
 * shape runs on one connection directly and on one through the proxy, and every packet is
 * compared: sequence id and payload, except the statement id the proxy numbers itself and the
 * session-state flag, which follows what the client gets in OK packets. A warning the server
 * raises while it sends the rows is counted in the EOF after the columns too (the relay cannot
 * tell it from one raised before, such as {@code 1 / 0} in a {@code WHERE}, which the server
 * counts there).
 */
class EofFramingTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    private static final long EOF_CLIENT = CLIENT_MYSQL | CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PS_MULTI_RESULTS | CLIENT_MULTI_STATEMENTS
            | CLIENT_PLUGIN_AUTH;
    private static final int COM_QUERY = 0x03;
    private static final int COM_FIELD_LIST = 0x04;
    private static final int COM_STMT_PREPARE = 0x16;
    private static final int COM_STMT_EXECUTE = 0x17;
    private static final int COM_STMT_CLOSE = 0x19;
    private static final int COM_STMT_FETCH = 0x1C;
    private static final int CURSOR_READ_ONLY = 1;
    /** A statement whose warning the server raises while it sends the row, after the EOF that ends the columns. */
    private static final String WARNING_WHILE_SENDING = "SELECT 1 / 0";

    @BeforeAll
    static void schema() {
        fixture.cluster().primary().execute(
                "SET GLOBAL log_bin_trust_function_creators = 1",
                "CREATE FUNCTION app.out_of_range() RETURNS TINYINT BEGIN RETURN 1e10; END",
                "CREATE TABLE app.framing (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO app.framing VALUES (1, 'one'), (2, 'two'), (3, 'three')",
                "CREATE PROCEDURE app.two_results() BEGIN SELECT 1 AS a; SELECT id, name FROM app.framing; END",
                "CREATE PROCEDURE app.out_params(OUT x INT, INOUT y INT) BEGIN "
                        + "SELECT id FROM app.framing WHERE id = 1; SET x = 7; SET y = y + 1; END");
    }

    @Test
    void textResultsGetTheirEofPackets() throws Exception {
        String[] statements = {
            "SELECT 1 UNION SELECT 2",
            "SELECT id, name FROM app.framing ORDER BY id",
            "SELECT id FROM app.framing WHERE id > 10",
            "SELECT 1; SELECT 2 AS b; DO 1",
            "BEGIN",
            "SELECT name FROM app.framing WHERE id = 2",
            "COMMIT",
            WARNING_WHILE_SENDING,
            "SELECT id FROM app.framing WHERE 1 / 0 = 1",
            "CALL app.two_results()",
            "SELECT (SELECT 1 UNION SELECT 2)",
            "SELECT * FROM app.no_such_table",
            "SELECT REPEAT('x', 30000) AS big UNION ALL SELECT REPEAT('y', 30000)",
            "SHOW WARNINGS"};
        for (long caps : new long[] {EOF_CLIENT, EOF_CLIENT | CLIENT_SESSION_TRACK}) {
            List<String> direct = new ArrayList<>();
            List<String> proxied = new ArrayList<>();
            try (RawMysqlClient d = login(fixture.cluster().primary().port(), caps); RawMysqlClient p = login(fixture.port(), caps)) {
                for (String sql : statements) {
                    String directly = exchange(d, query(sql), false);
                    if (sql.equals(WARNING_WHILE_SENDING)) {
                        // the one known difference: the EOF after the columns counts the warning
                        // the server raised while it sent the row
                        assertThat(directly).contains("3:fe00000200");
                        directly = directly.replace("3:fe00000200", "3:fe01000200");
                    }
                    direct.add(sql + " -> " + directly);
                    proxied.add(sql + " -> " + exchange(p, query(sql), false));
                }
            }
            assertThat(proxied).isEqualTo(direct);
        }
    }

    @Test
    void preparedStatementsCursorsOutParametersAndFieldListsGetTheirEofPackets() throws Exception {
        List<String> direct = preparedSteps(fixture.cluster().primary().port());
        List<String> proxied = preparedSteps(fixture.port());
        assertThat(direct).anySatisfy(step -> assertThat(step).startsWith("execute call"));
        assertThat(proxied).isEqualTo(direct);
    }

    private static List<String> preparedSteps(int port) throws IOException {
        List<String> steps = new ArrayList<>();
        try (RawMysqlClient c = login(port, EOF_CLIENT)) {
            RawMysqlClient.Packet[] reply = new RawMysqlClient.Packet[1];
            steps.add("prepare select -> " + exchange(c, RawMysqlClient.command(COM_STMT_PREPARE, "SELECT id, name, ? FROM app.framing WHERE id > ?"),
                    false, reply));
            int select = statementId(reply[0]);
            steps.add("execute select -> " + exchange(c, execute(select, 0, 2, 1, 0), false));
            steps.add("execute with cursor -> " + exchange(c, execute(select, CURSOR_READ_ONLY, 2, 1, 0), true));
            steps.add("fetch -> " + exchange(c, fetch(select, 2), false));
            steps.add("fetch rest -> " + exchange(c, fetch(select, 10), false));
            steps.add("cursor over nothing -> " + exchange(c, execute(select, CURSOR_READ_ONLY, 2, 1, 99), true));
            steps.add("prepare failing -> " + exchange(c, RawMysqlClient.command(COM_STMT_PREPARE, "SELECT app.out_of_range()"), false, reply));
            int failing = statementId(reply[0]);
            steps.add("cursor that cannot open -> " + exchange(c, executeWithoutParameters(failing, CURSOR_READ_ONLY), true));
            steps.add("failing without a cursor -> " + exchange(c, executeWithoutParameters(failing, 0), false));
            steps.add("prepare call -> " + exchange(c, RawMysqlClient.command(COM_STMT_PREPARE, "CALL app.out_params(?, ?)"), false, reply));
            int call = statementId(reply[0]);
            steps.add("execute call -> " + exchange(c, execute(call, 0, 2, 0, 5), false));
            steps.add("prepare no parameters -> " + exchange(c, RawMysqlClient.command(COM_STMT_PREPARE, "SELECT 1 AS one"), false, reply));
            steps.add("prepare write -> " + exchange(c, RawMysqlClient.command(COM_STMT_PREPARE, "DO ?"), false, reply));
            steps.add("field list -> " + exchange(c, RawMysqlClient.command(COM_FIELD_LIST, "framing\0"), false));
            c.write(0, closeStatement(select));
            steps.add("after close -> " + exchange(c, query("SELECT 2"), false));
        }
        return steps;
    }

    private static RawMysqlClient login(int port, long capabilities) throws IOException {
        RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", port, Duration.ofSeconds(10));
        RawMysqlClient.Packet answer = client.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD,
                MariaDbCluster.APP_DATABASE, capabilities);
        assertThat(answer.type()).as("login").isEqualTo(RawMysqlClient.OK);
        return client;
    }

    private static String exchange(RawMysqlClient c, byte[] command, boolean cursor) throws IOException {
        return exchange(c, command, cursor, new RawMysqlClient.Packet[1]);
    }

    /** Sends {@code command}, reads its whole response as an EOF client frames it; {@code first[0]} gets its first packet. */
    private static String exchange(RawMysqlClient c, byte[] command, boolean cursor, RawMysqlClient.Packet[] first)
            throws IOException {
        c.write(0, command);
        List<RawMysqlClient.Packet> packets = new ArrayList<>();
        first[0] = readInto(c, packets);
        readResponse(c, command[0] & 0xFF, cursor, first[0], packets);
        StringBuilder text = new StringBuilder();
        for (RawMysqlClient.Packet p : packets) {
            text.append(p.sequence()).append(':').append(normalized(command[0] & 0xFF, p, p == first[0])).append(' ');
        }
        return text.toString().trim();
    }

    /** The rest of a response whose first packet is {@code first}, framed without CLIENT_DEPRECATE_EOF. */
    private static void readResponse(RawMysqlClient c, int command, boolean cursor, RawMysqlClient.Packet first,
                                     List<RawMysqlClient.Packet> packets) throws IOException {
        if (first.isErr()) {
            return;
        }
        switch (command) {
            case COM_STMT_PREPARE -> {
                ByteBuffer ok = ByteBuffer.wrap(first.payload()).order(ByteOrder.LITTLE_ENDIAN);
                int columns = ok.getShort(5) & 0xFFFF;
                int params = ok.getShort(7) & 0xFFFF;
                for (int group : new int[] {params, columns}) {
                    for (int i = 0; i <= group && group > 0; i++) {
                        readInto(c, packets);
                    }
                }
            }
            case COM_FIELD_LIST, COM_STMT_FETCH -> {
                RawMysqlClient.Packet p = first;
                while (!isEof(p) && !p.isErr()) {
                    p = readInto(c, packets);
                }
            }
            default -> {
                RawMysqlClient.Packet p = first;
                while (true) {
                    int status;
                    if (p.type() == RawMysqlClient.OK) {
                        status = okStatus(p.payload());
                    } else {
                        long columns = p.payload()[0] & 0xFF;
                        for (long i = 0; i < columns; i++) {
                            readInto(c, packets);
                        }
                        RawMysqlClient.Packet eof = readInto(c, packets);
                        if (eof.isErr()) {
                            return;
                        }
                        status = eofStatus(eof.payload());
                        if (cursor && ServerStatus.has(status, ServerStatus.CURSOR_EXISTS)) {
                            return;
                        }
                        do {
                            p = readInto(c, packets);
                        } while (!isEof(p) && !p.isErr());
                        if (p.isErr()) {
                            return;
                        }
                        status = eofStatus(p.payload());
                    }
                    if (!ServerStatus.has(status, ServerStatus.MORE_RESULTS_EXISTS)) {
                        return;
                    }
                    p = readInto(c, packets);
                    if (p.isErr()) {
                        return;
                    }
                }
            }
        }
    }

    private static RawMysqlClient.Packet readInto(RawMysqlClient c, List<RawMysqlClient.Packet> packets) throws IOException {
        RawMysqlClient.Packet p = c.read();
        packets.add(p);
        return p;
    }

    private static boolean isEof(RawMysqlClient.Packet p) {
        return p.type() == 0xFE && p.payload().length < 9;
    }

    /**
     * The packet as hex, with the statement id of a prepare reply zeroed and the session-state
     * flag of OK and EOF packets cleared; long rows shortened to their length and first bytes.
     */
    private static String normalized(int command, RawMysqlClient.Packet p, boolean first) {
        byte[] b = p.payload().clone();
        if (isEof(p) && b.length >= 5) {
            b[4] &= (byte) ~(ServerStatus.SESSION_STATE_CHANGED >> 8);
        } else if (p.type() == RawMysqlClient.OK && first && command == COM_STMT_PREPARE) {
            b[1] = b[2] = b[3] = b[4] = 0;
        } else if (p.type() == RawMysqlClient.OK && first) {
            int at = 1 + lenEncSize(b[1]);
            at += lenEncSize(b[at]);
            b[at + 1] &= (byte) ~(ServerStatus.SESSION_STATE_CHANGED >> 8);
        }
        String hex = HexFormat.of().formatHex(b, 0, Math.min(b.length, 48));
        return b.length > 48 ? hex + "…(" + b.length + ")" : hex;
    }

    private static int lenEncSize(byte first) {
        return switch (first & 0xFF) {
            case 0xFC -> 3;
            case 0xFD -> 4;
            case 0xFE -> 9;
            default -> 1;
        };
    }

    private static int okStatus(byte[] ok) {
        int at = 1 + lenEncSize(ok[1]);
        at += lenEncSize(ok[at]);
        return (ok[at] & 0xFF) | (ok[at + 1] & 0xFF) << 8;
    }

    private static int eofStatus(byte[] eof) {
        return (eof[3] & 0xFF) | (eof[4] & 0xFF) << 8;
    }

    private static int statementId(RawMysqlClient.Packet prepareReply) {
        assertThat(prepareReply.type()).as("prepare reply").isEqualTo(RawMysqlClient.OK);
        return ByteBuffer.wrap(prepareReply.payload()).order(ByteOrder.LITTLE_ENDIAN).getInt(1);
    }

    private static byte[] query(String sql) {
        return RawMysqlClient.command(COM_QUERY, sql);
    }


    /** COM_STMT_EXECUTE of a statement with {@code params} INT parameters (the first two given). */
    private static byte[] execute(int statement, int flags, int params, int first, int second) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        head.put((byte) COM_STMT_EXECUTE).putInt(statement).put((byte) flags).putInt(1);
        out.writeBytes(head.array());
        out.write(0);
        out.write(1);
        ByteBuffer types = ByteBuffer.allocate(params * 2 + params * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < params; i++) {
            types.putShort((short) 3);
        }
        types.putInt(first).putInt(second);
        out.writeBytes(types.array());
        return out.toByteArray();
    }

    private static byte[] executeWithoutParameters(int statement, int flags) {
        return ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).put((byte) COM_STMT_EXECUTE).putInt(statement)
                .put((byte) flags).putInt(1).array();
    }

    private static byte[] fetch(int statement, int rows) {
        return ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put((byte) COM_STMT_FETCH).putInt(statement).putInt(rows).array();
    }

    private static byte[] closeStatement(int statement) {
        return ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).put((byte) COM_STMT_CLOSE).putInt(statement).array();
    }
}
