package io.switchyard.server.it;

import static io.switchyard.protocol.Capability.CLIENT_CONNECT_WITH_DB;
import static io.switchyard.protocol.Capability.CLIENT_DEPRECATE_EOF;
import static io.switchyard.protocol.Capability.CLIENT_MULTI_RESULTS;
import static io.switchyard.protocol.Capability.CLIENT_PLUGIN_AUTH;
import static io.switchyard.protocol.Capability.CLIENT_PROTOCOL_41;
import static io.switchyard.protocol.Capability.CLIENT_SECURE_CONNECTION;
import static io.switchyard.protocol.Capability.CLIENT_TRANSACTIONS;
import static io.switchyard.protocol.Capability.MARIADB_CLIENT_CACHE_METADATA;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MariaDB's prepared-statement metadata caching ({@code MARIADB_CLIENT_CACHE_METADATA}), which
 * MariaDB Connector/J and libmariadb negotiate: a client gets through the proxy, packet for packet,
 * what the server sends it directly. A result's column count says whether column definitions
 * follow; an execution of a prepared statement leaves out the definitions the client already holds
 * (from the prepare or the last execution that sent them), also after
 * {@code character_set_results} changed, and also when the proxy prepared the statement again on
 * another connection (a second client with the same protocol options holds the first one).
 */
class MetadataCachingTest {
    private static final long CAPABILITIES = CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH | MARIADB_CLIENT_CACHE_METADATA;
    private static final byte COM_STMT_PREPARE = 0x16;
    private static final byte COM_STMT_EXECUTE = 0x17;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "event-loop-threads = 1");

    @ParameterizedTest(name = "CLIENT_DEPRECATE_EOF {0}")
    @ValueSource(booleans = {true, false})
    void aClientThatCachesMetadataGetsWhatTheServerWouldSendIt(boolean deprecateEof) throws Exception {
        long caps = CAPABILITIES | (deprecateEof ? CLIENT_DEPRECATE_EOF : 0);
        MariaDbServer primary = fixture.cluster().primary();
        List<String> direct = conversation(primary.host(), primary.port(), caps, deprecateEof, null);
        List<String> proxied;
        long reprepares = fixture.proxy().stats().stmtReprepares();
        try (RawMysqlClient holder = RawMysqlClient.connect(fixture.host(), fixture.port(), Duration.ofSeconds(10))) {
            assertThat(holder.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE, caps).type())
                    .isEqualTo(RawMysqlClient.OK);
            proxied = conversation(fixture.host(), fixture.port(), caps, deprecateEof, holder);
        }
        assertThat(fixture.proxy().stats().stmtReprepares()).as("the last execution was prepared again elsewhere")
                .isGreaterThan(reprepares);

        assertThat(direct).as("the server left definitions out").anyMatch(line -> line.startsWith("execute") && line.contains(" 0200 "));
        assertThat(proxied).isEqualTo(direct);
    }

    /**
     * A text query, a prepare, executions before and after {@code character_set_results}
     * changes; with {@code holder}, that session holds the connection the client used in a
     * transaction before the last execution, so the proxy runs it (and prepares it) elsewhere.
     * Returns every packet received as "step seq payload-hex", statement ids left out.
     */
    private static List<String> conversation(String host, int port, long caps, boolean deprecateEof, RawMysqlClient holder)
            throws Exception {
        List<String> seen = new ArrayList<>();
        try (RawMysqlClient c = RawMysqlClient.connect(host, port, Duration.ofSeconds(10))) {
            RawMysqlClient.Packet login = c.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE, caps);
            assertThat(login.type()).isEqualTo(RawMysqlClient.OK);
            c.query("SELECT 'x' AS c", 0);
            readResult(c, "query", deprecateEof, caps, seen);

            // a text of its own per kind of client: clients with and without EOF packets share
            // connections, which must not hold this statement from the other kind's run
            c.write(0, RawMysqlClient.command(COM_STMT_PREPARE, "SELECT CHARSET(?) AS c, 'y' AS d" + (deprecateEof ? "" : " FROM DUAL")));
            RawMysqlClient.Packet ok = c.read();
            byte[] id = {ok.payload()[1], ok.payload()[2], ok.payload()[3], ok.payload()[4]};
            seen.add("prepare " + ok.sequence() + " " + HexFormat.of().formatHex(ok.payload(), 5, ok.payload().length));
            for (int i = 0; i < 1 + 2 + (deprecateEof ? 0 : 2); i++) {
                record(c.read(), "prepare", seen);
            }
            byte[] execute = {COM_STMT_EXECUTE, id[0], id[1], id[2], id[3], 0, 1, 0, 0, 0, 0, 1, (byte) 0xfe, 0, 1, 'z'};
            for (String step : new String[] {"first", "again", "binary results", "utf8mb4 results", "elsewhere"}) {
                if (step.equals("binary results") || step.equals("utf8mb4 results")) {
                    c.query("SET character_set_results = " + (step.startsWith("binary") ? "binary" : "utf8mb4"), 0);
                    record(c.read(), "set", seen);
                }
                if (step.equals("elsewhere") && holder != null) {
                    holder.query("BEGIN", 0);
                    assertThat(holder.read().type()).isEqualTo(RawMysqlClient.OK);
                    holder.query("SELECT a FROM mux_marker", 0);
                    readResult(holder, "holder", deprecateEof, caps, new ArrayList<>());
                }
                c.write(0, execute);
                readResult(c, "execute " + step, deprecateEof, caps, seen);
                if (step.equals("elsewhere") && holder != null) {
                    holder.query("COMMIT", 0);
                    assertThat(holder.read().type()).isEqualTo(RawMysqlClient.OK);
                }
            }
        }
        return seen;
    }

    /**
     * The server sends a prepared statement's definitions again when the client's character set
     * ({@code character_set_client}, as the collation the last {@code SET NAMES ... COLLATE} or
     * the login gave it) changed since it last sent them, not when only
     * {@code character_set_results} changed; and always for the results of a {@code CALL}. Each
     * step runs a statement, then executes the prepared statement; after each marked step another
     * session (through the proxy) takes the connection the client used, so the proxy moves the
     * client to another connection and sets its session up there.
     */
    @ParameterizedTest(name = "login collation {0}")
    @ValueSource(ints = {45, 224})
    void theClientsCharacterSetDecidesWhenDefinitionsAreSentAgain(int collation) throws Exception {
        long caps = CAPABILITIES | CLIENT_DEPRECATE_EOF;
        MariaDbServer primary = fixture.cluster().primary();
        List<String> direct = charsetConversation(primary.host(), primary.port(), caps, collation, null);
        List<String> proxied;
        long reprepares = fixture.proxy().stats().stmtReprepares();
        List<RawMysqlClient> holders = new ArrayList<>();
        try {
            proxied = charsetConversation(fixture.host(), fixture.port(), caps, collation, holders);
        } finally {
            for (RawMysqlClient h : holders) {
                h.close();
            }
        }
        assertThat(fixture.proxy().stats().stmtReprepares() - reprepares).as("each move went to a connection new to the statement")
                .isGreaterThanOrEqualTo(4);
        assertThat(direct).as("the server sent definitions again").anyMatch(line -> line.contains("[follow]") && line.contains("latin1"));
        assertThat(direct).as("the server left definitions out").anyMatch(line -> line.contains("[cached]"));
        assertThat(proxied).isEqualTo(direct);
    }

    private static List<String> charsetConversation(String host, int port, long caps, int collation, List<RawMysqlClient> holders)
            throws Exception {
        String[][] steps = {
            {"", "SELECT 'x' AS t"},
            {"", "SET NAMES utf8mb4"},
            {"", "SET NAMES utf8mb4 COLLATE utf8mb4_bin"},
            {"move", "SET character_set_results = binary"},
            // The names come in latin1 now; the server compares what it derives, not the bytes it sends.
            {"move", "SET character_set_results = latin1"},
            {"", "SET NAMES utf8mb4 COLLATE utf8mb4_bin"},
            {"move", "SET character_set_client = latin1"},
            {"move", "SELECT 'x' AS t"},
            {"", "SET CHARACTER SET utf8mb4"},
            {"", "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci"},
            {"move", "SET NAMES latin1 COLLATE latin1_bin"},
            {"move", "SELECT 'x' AS t"},
        };
        List<String> seen = new ArrayList<>();
        try (RawMysqlClient c = RawMysqlClient.connect(host, port, Duration.ofSeconds(10))) {
            RawMysqlClient.Packet login = c.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE,
                    caps, collation);
            assertThat(login.type()).isEqualTo(RawMysqlClient.OK);
            byte[] execute = prepare(c, "SELECT 'y' AS dé, a FROM mux_marker", seen);
            for (String[] step : steps) {
                c.query(step[1], 0);
                results(c, step[1], seen);
                if (step[0].equals("move") && holders != null) {
                    RawMysqlClient holder = RawMysqlClient.connect(host, port, Duration.ofSeconds(10));
                    holders.add(holder);
                    RawMysqlClient.Packet in = holder.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD,
                            MariaDbCluster.APP_DATABASE, caps, collation);
                    assertThat(in.type()).as(() -> in.errorMessage()).isEqualTo(RawMysqlClient.OK);
                    holder.query("BEGIN", 0);
                    RawMysqlClient.Packet begun = holder.read();
                    assertThat(begun.type()).as(() -> begun.errorMessage()).isEqualTo(RawMysqlClient.OK);
                    holder.query("SELECT a FROM mux_marker", 0);
                    results(holder, "holder", new ArrayList<>());
                }
                c.write(0, execute);
                results(c, "execute after " + step[1], seen);
            }
            // Last, as it pins the session: a procedure's results always carry their definitions.
            byte[] call = prepare(c, "CALL mux_marker_rows()", seen);
            for (int i = 0; i < 2; i++) {
                c.write(0, call);
                results(c, "execute CALL", seen);
            }
        }
        return seen;
    }

    /** Prepares {@code sql}, recording the definitions; returns a COM_STMT_EXECUTE of it (no parameters). */
    private static byte[] prepare(RawMysqlClient c, String sql, List<String> seen) throws IOException {
        c.write(0, RawMysqlClient.command(COM_STMT_PREPARE, sql));
        RawMysqlClient.Packet ok = c.read();
        assertThat(ok.type()).as(sql).isEqualTo(RawMysqlClient.OK);
        int definitions = (ok.payload()[5] & 0xff) + (ok.payload()[7] & 0xff);
        for (int i = 0; i < definitions; i++) {
            record(c.read(), "prepare", seen);
        }
        return new byte[] {COM_STMT_EXECUTE, ok.payload()[1], ok.payload()[2], ok.payload()[3], ok.payload()[4], 0, 1, 0, 0, 0};
    }

    /** Reads every result of a command (CLIENT_DEPRECATE_EOF), recording each packet; a column count is marked by whether definitions follow. */
    private static void results(RawMysqlClient c, String step, List<String> seen) throws IOException {
        while (true) {
            RawMysqlClient.Packet first = c.read();
            if (first.isErr()) {
                record(first, step, seen);
                return;
            }
            if (first.type() == RawMysqlClient.OK) {
                record(first, step, seen);
                if ((statusFlags(first.payload()) & SERVER_MORE_RESULTS_EXIST) == 0) {
                    return;
                }
                continue;
            }
            byte[] count = first.payload();
            boolean follow = count[count.length - 1] != 0;
            seen.add(step + " " + first.sequence() + " " + HexFormat.of().formatHex(count) + (follow ? " [follow]" : " [cached]"));
            for (int i = 0; follow && i < count[0]; i++) {
                RawMysqlClient.Packet definition = c.read();
                seen.add(step + " " + definition.sequence() + " " + HexFormat.of().formatHex(definition.payload()) + " "
                        + new String(definition.payload(), StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "."));
            }
            while (true) {
                RawMysqlClient.Packet row = c.read();
                record(row, step, seen);
                if (row.isErr()) {
                    return;
                }
                if (row.type() == 0xfe && row.payload().length < 0xffffff) {
                    if ((statusFlags(row.payload()) & SERVER_MORE_RESULTS_EXIST) == 0) {
                        return;
                    }
                    break;
                }
            }
        }
    }

    private static final int SERVER_MORE_RESULTS_EXIST = 8;

    /** The status flags of an OK packet (or an OK-like EOF): after the header byte and two length-encoded integers. */
    private static int statusFlags(byte[] ok) {
        int at = 1;
        for (int i = 0; i < 2; i++) {
            int b = ok[at] & 0xff;
            at += b < 0xfb ? 1 : b == 0xfc ? 3 : b == 0xfd ? 4 : 9;
        }
        return (ok[at] & 0xff) | (ok[at + 1] & 0xff) << 8;
    }

    private static void readResult(RawMysqlClient c, String step, boolean deprecateEof, long caps, List<String> seen)
            throws IOException {
        RawMysqlClient.Packet first = c.read();
        record(first, step, seen);
        if (first.type() == RawMysqlClient.OK || first.isErr()) {
            return;
        }
        byte[] count = first.payload();
        boolean follow = (caps & MARIADB_CLIENT_CACHE_METADATA) == 0 || count[count.length - 1] != 0;
        int definitions = follow ? count[0] : 0;
        for (int i = 0; i < definitions + (deprecateEof ? 0 : 1); i++) {
            record(c.read(), step, seen);
        }
        while (true) {
            RawMysqlClient.Packet row = c.read();
            record(row, step, seen);
            if ((row.type() == 0xfe && row.payload().length < 0xffffff) || row.isErr()) {
                return;
            }
        }
    }

    private static void record(RawMysqlClient.Packet p, String step, List<String> seen) {
        seen.add(step + " " + p.sequence() + " " + HexFormat.of().formatHex(p.payload()) + " ");
    }


    @org.junit.jupiter.api.BeforeAll
    static void table() {
        fixture.cluster().primary().execute("CREATE TABLE IF NOT EXISTS app.mux_marker (a INT)", "INSERT INTO app.mux_marker VALUES (1)",
                "CREATE OR REPLACE PROCEDURE app.mux_marker_rows() SELECT 'z' AS e, a FROM app.mux_marker");
    }
}
