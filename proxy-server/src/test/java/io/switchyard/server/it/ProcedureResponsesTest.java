package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.Wire;
import io.switchyard.protocol.auth.NativePassword;
import io.switchyard.server.it.RawMysqlClient.Packet;
import io.switchyard.server.launcher.MariaDbCluster;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stored-procedure and compound-statement responses of every shape, run straight against the
 * MariaDB server and then through the proxy in front of it: the client must see the same thing
 * both ways (every result set with its columns and rows, update counts, warnings, errors, OUT
 * parameters, and for the raw clients every status flag) and the connection must answer a plain
 * query afterwards.
 *
 * <p>A {@code CALL} answers with one result set per {@code SELECT} the procedure runs, each
 * ending with {@code SERVER_MORE_RESULTS_EXISTS}, then a final OK. In the binary protocol, OUT
 * and INOUT parameters come back as one more result set flagged {@code SERVER_PS_OUT_PARAMS}. A
 * result set produced while the procedure has a cursor open carries
 * {@code SERVER_STATUS_CURSOR_EXISTS} in its column-definition EOF although the client opened no
 * cursor (a top-level {@code FOR} loop is such a cursor too); only clients without
 * {@code CLIENT_DEPRECATE_EOF} receive that EOF. Both JDBC drivers negotiate
 * {@code CLIENT_DEPRECATE_EOF}, so the raw clients, which log in as libmariadb (the library of
 * the {@code mariadb} command-line client) does, are the ones that see it.
 *
 * <p>MySQL Connector/J never prepares a {@code CALL} on the server, whatever
 * {@code useServerPrepStmts} says (its {@code CallableStatement} is client-side), so the binary
 * protocol is driven by MariaDB Connector/J and the raw client; the direct run checks that they
 * really executed a prepared statement. Every read is bounded by a socket timeout: a response
 * that never ends fails the test instead of hanging it.
 */
@Timeout(180)
class ProcedureResponsesTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    private static final int SOCKET_TIMEOUT_MS = 20_000;
    private static final int ROWS_SHOWN = 20;
    private static final int MAX_RESULTS = 10_000;
    private static final long MAX_ROWS = 10_000_000;
    private static final String FOLLOW_UP = "SELECT 'usable' AS follow_up";
    private static final String USABLE = "follow-up usable";
    private static final long RAW_CAPABILITIES = Capability.CLIENT_MYSQL | Capability.CLIENT_CONNECT_WITH_DB
            | Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_TRANSACTIONS | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_RESULTS | Capability.CLIENT_PS_MULTI_RESULTS | Capability.CLIENT_PLUGIN_AUTH;
    private static final int UTF8MB4_GENERAL_CI = 45;

    /** A client and the protocol it speaks for the statement under test. */
    enum Client {
        CONNECTOR_J_TEXT("jdbc:mysql", "sslMode=DISABLED&allowPublicKeyRetrieval=true&useServerPrepStmts=false", false),
        MARIADB_TEXT("jdbc:mariadb", "useServerPrepStmts=false", false),
        MARIADB_BINARY("jdbc:mariadb", "useServerPrepStmts=true", true),
        /** COM_QUERY without CLIENT_DEPRECATE_EOF, as libmariadb and the mariadb command-line client speak. */
        RAW_TEXT(null, null, false),
        /** COM_STMT_PREPARE and COM_STMT_EXECUTE without CLIENT_DEPRECATE_EOF. */
        RAW_BINARY(null, null, true);

        private final String scheme;
        private final String params;
        private final boolean binary;

        Client(String scheme, String params, boolean binary) {
            this.scheme = scheme;
            this.params = params;
            this.binary = binary;
        }

        boolean raw() {
            return scheme == null;
        }

        Connection connect(int port) throws SQLException {
            String url = scheme + "://127.0.0.1:" + port + "/" + MariaDbCluster.APP_DATABASE + "?" + params
                    + "&connectTimeout=5000&socketTimeout=" + SOCKET_TIMEOUT_MS;
            return DriverManager.getConnection(url, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
        }
    }

    /**
     * One statement a test sends. The statement under test goes in the client's protocol, with
     * {@code parameters} bound in the binary protocol; the others (setting up, reading back) go
     * as text.
     */
    private record Step(String sql, boolean underTest, List<Object> parameters) {
        static Step underTest(String sql, Object... parameters) {
            return new Step(sql, true, Arrays.asList(parameters));
        }

        static Step text(String sql) {
            return new Step(sql, false, List.of());
        }
    }

    /** What a JDBC test does on its connection; everything the client sees goes into {@code seen}. */
    @FunctionalInterface
    private interface JdbcExchange {
        void run(Connection connection, List<String> seen) throws SQLException;
    }

    /** One conversation on a new connection to {@code port}, returning what the client saw. */
    @FunctionalInterface
    private interface Conversation {
        List<String> at(int port) throws SQLException;
    }

    @BeforeAll
    static void createProcedures() {
        fixture.cluster().primary().execute(
                "CREATE OR REPLACE PROCEDURE app.pr_fifty_results() BEGIN DECLARE i INT DEFAULT 1; "
                        + "WHILE i <= 50 DO SELECT i AS result_set, REPEAT('x', i) AS payload; SET i = i + 1; END WHILE; END",
                "CREATE OR REPLACE PROCEDURE app.pr_out_params(IN a INT, OUT doubled INT, INOUT label VARCHAR(40)) "
                        + "BEGIN SELECT a AS seen_input; SET doubled = a * 2; SET label = CONCAT(label, '-', a); END",
                "CREATE OR REPLACE PROCEDURE app.pr_error_after_two() BEGIN SELECT 'first' AS step; "
                        + "SELECT 'second' AS step; SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'third step refused'; END",
                "CREATE OR REPLACE PROCEDURE app.pr_warning_after_two() BEGIN SELECT 'first' AS step; "
                        + "SELECT 'second' AS step; "
                        + "SIGNAL SQLSTATE '01000' SET MESSAGE_TEXT = 'second step was approximate', MYSQL_ERRNO = 1642; END",
                "CREATE OR REPLACE TABLE app.pr_counter (id INT PRIMARY KEY, n INT NOT NULL)",
                "INSERT INTO app.pr_counter VALUES (1, 0)",
                "CREATE OR REPLACE PROCEDURE app.pr_no_result() BEGIN UPDATE app.pr_counter SET n = n + 1 WHERE id = 1; END",
                "CREATE OR REPLACE PROCEDURE app.pr_inner() BEGIN SELECT 'inner' AS level; SELECT 'inner again' AS level; END",
                "CREATE OR REPLACE PROCEDURE app.pr_outer() BEGIN SELECT 'outer before' AS level; CALL app.pr_inner(); "
                        + "SELECT 'outer after' AS level; END",
                "CREATE OR REPLACE PROCEDURE app.pr_empty_then_one() BEGIN "
                        + "SELECT seq AS n, CAST(seq AS CHAR) AS label FROM seq_1_to_10 WHERE seq > 100; "
                        + "SELECT 'after the empty one' AS note; END",
                "CREATE OR REPLACE PROCEDURE app.pr_large() BEGIN "
                        + "SELECT seq AS id, CONCAT('row-', seq) AS label FROM seq_1_to_100000; END",
                // procedure-cursor.sql, as filed
                "DROP DATABASE IF EXISTS sptest",
                "CREATE DATABASE sptest",
                "CREATE TABLE sptest.t1 (a INT, b VARCHAR(32))",
                "CREATE TABLE sptest.t2 LIKE sptest.t1",
                "INSERT INTO sptest.t1 VALUES (10,'b10'),(20,'b20'),(30,'b30')",
                """
                CREATE PROCEDURE sptest.p1()
                BEGIN
                  DECLARE c CURSOR FOR SELECT a,b FROM t1;
                  BEGIN
                    DECLARE done INT DEFAULT 0;
                    DECLARE rec ROW TYPE OF c;
                    DECLARE CONTINUE HANDLER FOR NOT FOUND SET done=1;
                    OPEN c;
                    read_loop: LOOP
                      FETCH c INTO rec;
                      IF done THEN LEAVE read_loop; END IF;
                      SELECT rec.a ,rec.b FROM dual;
                      INSERT INTO t2 VALUES (rec.a, rec.b);
                    END LOOP;
                    CLOSE c;
                  END;
                END
                """);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void fiftyResultSetsFromOneCallArriveInOrder(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, Step.underTest("CALL pr_fifty_results()"));

        assertThat(resultSets(direct)).hasSize(50);
        assertThat(rows(direct)).startsWith(row("1", "x")).endsWith(row("50", "x".repeat(50)));
    }

    /** procedure-cursor.sql: through the proxy, the connection used to end with 2013. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void cursorLoopWithNotFoundHandlerReturnsAResultSetPerRowAndKeepsTheConnection(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, Step.underTest("CALL sptest.p1()"));

        assertThat(resultSets(direct)).hasSize(3);
        assertThat(rows(direct)).containsExactly(row("10", "b10"), row("20", "b20"), row("30", "b30"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void outAndInoutParametersComeBackAfterTheProceduresResultSet(Client client) throws SQLException {
        List<Step> steps = client.binary
                ? List.of(Step.underTest("CALL pr_out_params(?, ?, ?)", 21, null, "n"))
                : List.of(Step.text("SET @label = 'n'"), Step.underTest("CALL pr_out_params(21, @doubled, @label)"),
                        Step.text("SELECT @doubled AS doubled, @label AS label"));

        List<String> direct = assertSameThroughProxy(client, steps.toArray(Step[]::new));

        assertThat(rows(direct)).startsWith(row("21")).contains(row("42", "n-21"));
        if (client == Client.RAW_BINARY) {
            assertThat(direct).as("the parameters' result set is flagged").anyMatch(line -> line.contains("|PS_OUT_PARAMS"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Client.class, names = {"CONNECTOR_J_TEXT", "MARIADB_BINARY"})
    void outAndInoutParametersReachACallableStatement(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, UnaryOperator.identity(), port -> converseJdbc(client, port, (connection, seen) -> {
            try (CallableStatement call = connection.prepareCall("{CALL pr_out_params(?, ?, ?)}")) {
                call.setInt(1, 21);
                call.registerOutParameter(2, Types.INTEGER);
                call.setString(3, "n");
                call.registerOutParameter(3, Types.VARCHAR);
                drain(call, call.execute(), seen);
                seen.add("out doubled " + call.getInt(2));
                seen.add("out label " + call.getString(3));
            }
        }));

        assertThat(direct).contains(row("21"), "out doubled 42", "out label n-21");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void errorSignalledAfterTwoResultSetsReachesTheClient(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, Step.underTest("CALL pr_error_after_two()"));

        assertThat(direct).contains("error 1644 45000 third step refused");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void warningSignalledAfterResultSetsReachesTheClient(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, Step.underTest("CALL pr_warning_after_two()"),
                Step.text("SHOW WARNINGS"));

        assertThat(rows(direct)).contains(row("first"), row("second"), row("Warning", "1642", "second step was approximate"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void procedureWithoutResultSetReturnsOnlyItsUpdateCount(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, Step.underTest("CALL pr_no_result()"));

        assertThat(resultSets(direct)).isEmpty();
        assertThat(direct).anyMatch(line -> line.startsWith("update count 1"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void nestedCallReturnsTheOuterAndInnerResultSetsInOrder(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, Step.underTest("CALL pr_outer()"));

        assertThat(rows(direct)).containsExactly(row("outer before"), row("inner"), row("inner again"), row("outer after"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void resultSetWithNoRowsIsFollowedByTheNext(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, Step.underTest("CALL pr_empty_then_one()"));

        assertThat(resultSets(direct)).hasSize(2);
        assertThat(direct).anyMatch(line -> line.startsWith("  0 rows"));
        assertThat(rows(direct)).containsExactly(row("after the empty one"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void hundredThousandRowsFromAProcedureArriveComplete(Client client) throws SQLException {
        // For a client without CLIENT_DEPRECATE_EOF, the EOF after the columns of a result longer
        // than the relay looks ahead (16 KiB) carries the status before the result, without the
        // flags of one statement (documented); everything else is as directly.
        UnaryOperator<List<String>> throughProxy = direct -> client.raw() ? withStatusBeforeAtFirstColumnsEnd(direct) : direct;
        List<String> direct = assertSameThroughProxy(client, throughProxy, Step.underTest("CALL pr_large()"));

        assertThat(direct).anyMatch(line -> line.startsWith("  100000 rows, sha256 "));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void topLevelForLoopReturnsAResultSetPerIteration(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client,
                Step.underTest("FOR rec IN (SELECT seq AS x FROM seq_1_to_5) DO SELECT rec.x; END FOR"));

        assertThat(resultSets(direct)).hasSize(5);
    }

    /** compound.sql as one statement: the loop changes the connection's collation as it goes. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void topLevelForLoopThatSetsNamesReturnsAResultSetPerCollation(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, Step.text("SET @charset = 'utf8mb4'"),
                Step.underTest("FOR rec IN (SELECT COLLATION_NAME FROM INFORMATION_SCHEMA.COLLATION_CHARACTER_SET_APPLICABILITY "
                        + "WHERE CHARACTER_SET_NAME = @charset AND COLLATION_NAME LIKE 'utf8mb4_unicode%' ORDER BY ID) "
                        + "DO EXECUTE IMMEDIATE CONCAT('SET NAMES ', @charset, ' COLLATE ', rec.COLLATION_NAME); "
                        + "SELECT rec.COLLATION_NAME; END FOR"),
                Step.text("SELECT @@collation_connection"));

        assertThat(resultSets(direct).size()).isGreaterThan(2);
        assertThat(rows(direct)).contains(row("utf8mb4_unicode_ci"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void notAtomicBlockReturnsSeveralResultSets(Client client) throws SQLException {
        List<String> direct = assertSameThroughProxy(client, Step.underTest("BEGIN NOT ATOMIC DECLARE i INT DEFAULT 0; "
                + "WHILE i < 3 DO SET i = i + 1; SELECT i AS iteration, REPEAT('y', i) AS payload; END WHILE; "
                + "SELECT 'done' AS last_step; END"));

        assertThat(resultSets(direct)).hasSize(4);
        assertThat(rows(direct)).endsWith(row("done"));
    }

    private static List<String> assertSameThroughProxy(Client client, Step... steps) throws SQLException {
        return assertSameThroughProxy(client, UnaryOperator.identity(), steps);
    }

    /** Same; what the client sees through the proxy is {@code throughProxy} applied to what it saw directly. */
    private static List<String> assertSameThroughProxy(Client client, UnaryOperator<List<String>> throughProxy, Step... steps)
            throws SQLException {
        List<Step> list = List.of(steps);
        return assertSameThroughProxy(client, throughProxy, client.raw()
                ? port -> converseRaw(client, port, list)
                : port -> converseJdbc(client, port, (connection, seen) -> runJdbc(client, connection, list, seen)));
    }

    /** The first result's columns end with the status of autocommit alone, the status before it. */
    private static List<String> withStatusBeforeAtFirstColumnsEnd(List<String> direct) {
        List<String> out = new ArrayList<>(direct);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).startsWith("  columns end ")) {
                out.set(i, "  columns end 0 warnings, status " + flags(ServerStatus.AUTOCOMMIT));
                break;
            }
        }
        return out;
    }

    /**
     * Runs {@code conversation} straight to the server, then through the proxy, and asserts the
     * client saw the same both times, ending with a usable connection. Returns what it saw
     * directly, for the test's own expectations.
     */
    private static List<String> assertSameThroughProxy(Client client, UnaryOperator<List<String>> throughProxy,
                                                       Conversation conversation) throws SQLException {
        long executionsBefore = statementExecutions();
        List<String> direct = conversation.at(fixture.cluster().primary().port());
        if (client.binary) {
            assertThat(statementExecutions() - executionsBefore).as("COM_STMT_EXECUTE sent by %s", client).isPositive();
        }
        assertThat(direct).as("direct to the server").endsWith(USABLE);

        List<String> proxied = conversation.at(fixture.port());

        assertThat(proxied).as("through the proxy").isEqualTo(throughProxy.apply(direct));
        return direct;
    }

    // ---- JDBC clients

    private static List<String> converseJdbc(Client client, int port, JdbcExchange exchange) throws SQLException {
        List<String> seen = new ArrayList<>();
        try (Connection connection = client.connect(port)) {
            try {
                exchange.run(connection, seen);
            } catch (SQLException e) {
                seen.add(describe("error", e));
            }
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(FOLLOW_UP)) {
                seen.add(rows.next() ? "follow-up " + rows.getString(1) : "follow-up without a row");
            } catch (SQLException e) {
                seen.add(describe("follow-up error", e));
            }
        }
        return seen;
    }

    private static void runJdbc(Client client, Connection connection, List<Step> steps, List<String> seen) throws SQLException {
        for (Step step : steps) {
            if (step.underTest() && client.binary) {
                try (PreparedStatement prepared = connection.prepareStatement(step.sql())) {
                    for (int i = 0; i < step.parameters().size(); i++) {
                        prepared.setObject(i + 1, step.parameters().get(i));
                    }
                    drain(prepared, prepared.execute(), seen);
                }
            } else {
                try (Statement statement = connection.createStatement()) {
                    drain(statement, statement.execute(step.sql()), seen);
                }
            }
        }
    }

    /** Walks every result of an executed statement, then its warnings. */
    private static void drain(Statement statement, boolean isResultSet, List<String> seen) throws SQLException {
        boolean resultSet = isResultSet;
        for (int results = 0; results < MAX_RESULTS; results++) {
            if (resultSet) {
                try (ResultSet rows = statement.getResultSet()) {
                    record(rows, seen);
                }
            } else {
                int count = statement.getUpdateCount();
                if (count == -1) {
                    break;
                }
                seen.add("update count " + count);
            }
            resultSet = statement.getMoreResults();
        }
        for (SQLWarning warning = statement.getWarnings(); warning != null; warning = warning.getNextWarning()) {
            seen.add(describe("warning", warning));
        }
    }

    /** Columns, the first rows, the row count and a digest of every row. */
    private static void record(ResultSet rows, List<String> seen) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            columns.add(meta.getColumnLabel(i) + " " + meta.getColumnTypeName(i));
        }
        seen.add("result set " + String.join(", ", columns));
        RowDigest digest = new RowDigest();
        while (rows.next()) {
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                values.add(rows.getString(i));
            }
            digest.add(row(values.toArray(String[]::new)), seen);
        }
        seen.add(digest.summary(""));
    }

    /** Code, SQLSTATE and the first line of the message, without the connection id MariaDB Connector/J prefixes. */
    private static String describe(String kind, SQLException e) {
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("").replaceFirst("^\\(conn=\\d+\\) ", "");
        return kind + " " + e.getErrorCode() + " " + e.getSQLState() + " " + message;
    }

    // ---- raw clients

    private static List<String> converseRaw(Client client, int port, List<Step> steps) {
        List<String> seen = new ArrayList<>();
        try (RawMysqlClient raw = RawMysqlClient.connect("127.0.0.1", port, Duration.ofMillis(SOCKET_TIMEOUT_MS))) {
            Packet login = login(raw);
            assertThat(login.isErr()).as("login refused: %s", login.isErr() ? login.errorMessage() : "").isFalse();
            for (Step step : steps) {
                if (step.underTest() && client.binary) {
                    executePrepared(raw, step, seen);
                } else {
                    raw.query(step.sql(), 0);
                    readResponse(raw, false, seen);
                }
            }
            List<String> followUp = new ArrayList<>();
            raw.query(FOLLOW_UP, 0);
            readResponse(raw, false, followUp);
            seen.addAll(followUp.contains(row("usable")) ? List.of(USABLE) : followUp);
        } catch (SocketTimeoutException e) {
            seen.add("no answer within " + SOCKET_TIMEOUT_MS + " ms");
        } catch (EOFException e) {
            seen.add("connection closed by the peer");
        } catch (IOException e) {
            seen.add("connection failed: " + e);
        }
        return seen;
    }

    /**
     * Logs in with the capabilities libmariadb asks for that shape a procedure's response:
     * CLIENT_MULTI_RESULTS and CLIENT_PS_MULTI_RESULTS (without which the server sends no OUT
     * parameters), and no CLIENT_DEPRECATE_EOF. Follows one authentication switch.
     */
    private static Packet login(RawMysqlClient raw) throws IOException {
        Packet greeting = raw.readGreeting();
        if (greeting.isErr()) {
            return greeting;
        }
        HandshakeV10 handshake = HandshakeV10.decode(Unpooled.wrappedBuffer(greeting.payload()));
        byte[] password = MariaDbCluster.APP_PASSWORD.getBytes(StandardCharsets.UTF_8);
        HandshakeResponse41 response = new HandshakeResponse41(RAW_CAPABILITIES, Wire.MAX_PAYLOAD, UTF8MB4_GENERAL_CI,
                MariaDbCluster.APP_USER, NativePassword.scramble(password, handshake.seed()), MariaDbCluster.APP_DATABASE,
                "mysql_native_password", Map.of());
        ByteBuf payload = Unpooled.buffer();
        response.encode(payload);
        raw.write(greeting.sequence() + 1, Arrays.copyOf(payload.array(), payload.writerIndex()));
        Packet answer = raw.read();
        if (answer.type() == OkPacket.EOF_HEADER) { // authentication switch: plugin name, NUL, new seed
            ByteBuf request = Unpooled.wrappedBuffer(answer.payload()).skipBytes(1);
            Wire.readNulString(request);
            byte[] seed = new byte[NativePassword.SCRAMBLE_LENGTH];
            request.readBytes(seed);
            raw.write(answer.sequence() + 1, NativePassword.scramble(password, seed));
            answer = raw.read();
        }
        return answer;
    }

    /** COM_STMT_PREPARE, COM_STMT_EXECUTE binding the step's parameters, COM_STMT_CLOSE. */
    private static void executePrepared(RawMysqlClient raw, Step step, List<String> seen) throws IOException {
        raw.write(0, command(Command.STMT_PREPARE, step.sql().getBytes(StandardCharsets.UTF_8)));
        Packet prepared = raw.read();
        if (prepared.isErr()) {
            seen.add(describe(prepared));
            return;
        }
        ByteBuf ok = Unpooled.wrappedBuffer(prepared.payload());
        int statementId = ok.getIntLE(1);
        int columns = ok.getUnsignedShortLE(5);
        int parameters = ok.getUnsignedShortLE(7);
        seen.add("prepared with " + columns + " columns, " + parameters + " parameters, "
                + ok.getUnsignedShortLE(10) + " warnings");
        readDefinitions(raw, parameters, "parameter", seen);
        readDefinitions(raw, columns, "column", seen);

        ByteArrayOutputStream execute = new ByteArrayOutputStream();
        writeIntLE(execute, statementId, 4);
        execute.write(0); // CURSOR_TYPE_NO_CURSOR
        writeIntLE(execute, 1, 4); // iteration count
        if (parameters > 0) {
            execute.writeBytes(bindParameters(step.parameters(), parameters));
        }
        raw.write(0, command(Command.STMT_EXECUTE, execute.toByteArray()));
        readResponse(raw, true, seen);

        ByteArrayOutputStream close = new ByteArrayOutputStream();
        writeIntLE(close, statementId, 4);
        raw.write(0, command(Command.STMT_CLOSE, close.toByteArray()));
    }

    /** Null bitmap, new-params-bound flag, types, values: integers as LONGLONG, text as VAR_STRING. */
    private static byte[] bindParameters(List<Object> values, int count) {
        assertThat(values).as("parameters to bind").hasSize(count);
        byte[] nulls = new byte[(count + 7) / 8];
        ByteBuf types = Unpooled.buffer();
        ByteBuf data = Unpooled.buffer();
        for (int i = 0; i < count; i++) {
            Object value = values.get(i);
            if (value == null) {
                nulls[i / 8] |= (byte) (1 << (i % 8));
                types.writeShortLE(0x06); // MYSQL_TYPE_NULL
            } else if (value instanceof Integer number) {
                types.writeShortLE(0x08); // MYSQL_TYPE_LONGLONG
                data.writeLongLE(number);
            } else {
                types.writeShortLE(0xfd); // MYSQL_TYPE_VAR_STRING
                Wire.writeLenEncString(data, value.toString());
            }
        }
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(nulls).writeByte(1).writeBytes(types).writeBytes(data);
        return Arrays.copyOf(out.array(), out.writerIndex());
    }

    private static void readDefinitions(RawMysqlClient raw, int count, String kind, List<String> seen) throws IOException {
        if (count == 0) {
            return;
        }
        for (int i = 0; i < count; i++) {
            seen.add("  " + kind + " " + printable(raw.read().payload()));
        }
        seen.add("  " + kind + "s end " + describeEof(raw.read()));
    }

    /**
     * Reads one command's whole response: results while the last one says
     * {@code SERVER_MORE_RESULTS_EXISTS}, each result set with its column definitions, the EOF
     * after them (and its status flags), its rows and the EOF that ends them.
     */
    private static void readResponse(RawMysqlClient raw, boolean binaryRows, List<String> seen) throws IOException {
        for (int results = 0; results < MAX_RESULTS; results++) {
            Packet first = raw.read();
            if (first.isErr()) {
                seen.add(describe(first));
                return;
            }
            if (first.type() == OkPacket.HEADER) {
                OkPacket ok = OkPacket.decode(Unpooled.wrappedBuffer(first.payload()));
                seen.add("update count " + ok.affectedRows() + ", insert id " + ok.lastInsertId() + ", "
                        + ok.warnings() + " warnings, status " + flags(ok.statusFlags())
                        + (ok.info().isEmpty() ? "" : ", info " + ok.info()));
                if (!ServerStatus.has(ok.statusFlags(), ServerStatus.MORE_RESULTS_EXISTS)) {
                    return;
                }
                continue;
            }
            long columns = Wire.readLenEncInt(Unpooled.wrappedBuffer(first.payload()));
            List<String> definitions = new ArrayList<>();
            int[] types = new int[(int) columns];
            for (int i = 0; i < columns; i++) {
                byte[] definition = raw.read().payload();
                types[i] = columnType(definition);
                definitions.add(printable(definition));
            }
            seen.add("result set " + String.join(", ", definitions));
            seen.add("  columns end " + describeEof(raw.read()));
            RowDigest digest = new RowDigest();
            for (long rows = 0; rows <= MAX_ROWS; rows++) {
                Packet packet = raw.read();
                if (packet.isErr()) {
                    seen.add(digest.summary(""));
                    seen.add(describe(packet));
                    return;
                }
                if (isEof(packet)) {
                    String eof = describeEof(packet);
                    seen.add(digest.summary(", end " + eof));
                    if (!ServerStatus.has(eofStatus(packet), ServerStatus.MORE_RESULTS_EXISTS)) {
                        return;
                    }
                    break;
                }
                digest.add(binaryRows ? binaryRow(packet.payload(), types) : textRow(packet.payload(), types.length), seen);
            }
        }
        seen.add("more than " + MAX_RESULTS + " results");
    }

    /** The values of a text-protocol row: length-encoded strings (NULL has its own marker). */
    private static String textRow(byte[] payload, int columns) {
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < columns && in.isReadable(); i++) {
            values.add(Wire.readLenEncString(in));
        }
        return row(values.toArray(String[]::new));
    }

    /**
     * The values of a binary-protocol row: a 0x00 header, a NULL bitmap offset by two bits, then
     * each non-NULL value in the encoding of its column type.
     */
    private static String binaryRow(byte[] payload, int[] types) {
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        in.skipBytes(1);
        byte[] nulls = new byte[(types.length + 7 + 2) / 8];
        in.readBytes(nulls);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            int bit = i + 2;
            if ((nulls[bit / 8] & (1 << (bit % 8))) != 0) {
                values.add(null);
                continue;
            }
            values.add(switch (types[i]) {
                case 0x01 -> Byte.toString(in.readByte()); // TINY
                case 0x02, 0x0d -> Short.toString(in.readShortLE()); // SHORT, YEAR
                case 0x03, 0x09 -> Integer.toString(in.readIntLE()); // LONG, INT24
                case 0x08 -> Long.toString(in.readLongLE()); // LONGLONG
                case 0x04 -> Float.toString(in.readFloatLE()); // FLOAT
                case 0x05 -> Double.toString(in.readDoubleLE()); // DOUBLE
                case 0x07, 0x0a, 0x0b, 0x0c -> "temporal " + printable(Wire.readLenEncBytes(in)); // TIMESTAMP, DATE, TIME, DATETIME
                default -> Wire.readLenEncString(in);
            });
        }
        return row(values.toArray(String[]::new));
    }

    /** The type byte of a column definition: after six length-encoded strings, the fixed-length block's seventh byte. */
    private static int columnType(byte[] definition) {
        ByteBuf in = Unpooled.wrappedBuffer(definition);
        for (int i = 0; i < 6; i++) {
            Wire.readLenEncBytes(in);
        }
        Wire.readLenEncInt(in); // length of the fixed-length block
        in.skipBytes(2 + 4); // character set, column length
        return in.readUnsignedByte();
    }

    private static boolean isEof(Packet packet) {
        return packet.type() == OkPacket.EOF_HEADER && packet.payload().length < 9;
    }

    private static int eofStatus(Packet packet) {
        return OkPacket.statusFlags(Unpooled.wrappedBuffer(packet.payload()), 0, packet.payload().length);
    }

    private static String describeEof(Packet packet) {
        if (!isEof(packet)) {
            return "expected EOF, got " + printable(packet.payload());
        }
        ByteBuf buf = Unpooled.wrappedBuffer(packet.payload());
        return OkPacket.warnings(buf, 0, packet.payload().length) + " warnings, status " + flags(eofStatus(packet));
    }

    private static String describe(Packet err) {
        ErrPacket decoded = ErrPacket.decode(Unpooled.wrappedBuffer(err.payload()));
        return "error " + decoded.code() + " " + decoded.sqlState() + " " + decoded.message();
    }

    /** Status flags by their names in {@link ServerStatus}, so a difference reads as such. */
    private static String flags(int status) {
        List<String> set = new ArrayList<>();
        int named = 0;
        for (Field field : ServerStatus.class.getFields()) {
            if (field.getType() == int.class && Modifier.isStatic(field.getModifiers())) {
                int flag = staticInt(field);
                named |= flag;
                if (ServerStatus.has(status, flag)) {
                    set.add(field.getName());
                }
            }
        }
        if ((status & ~named) != 0) {
            set.add(String.format("0x%04x", status & ~named));
        }
        return String.join("|", set);
    }

    private static int staticInt(Field field) {
        try {
            return field.getInt(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] command(Command command, byte[] argument) {
        byte[] payload = new byte[argument.length + 1];
        payload[0] = (byte) command.code;
        System.arraycopy(argument, 0, payload, 1, argument.length);
        return payload;
    }

    private static void writeIntLE(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }

    /** Printable ASCII as it is, every other byte as {@code \xNN}. */
    private static String printable(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                text.append((char) c);
            } else {
                text.append(String.format("\\x%02x", c));
            }
        }
        return text.toString();
    }

    // ---- transcripts

    /** The first rows of a result set in full, then how many there were and a digest of all. */
    private static final class RowDigest {
        private final MessageDigest sha256;
        private long count;

        RowDigest() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void add(String row, List<String> seen) {
            sha256.update((row + "\n").getBytes(StandardCharsets.UTF_8));
            if (count < ROWS_SHOWN) {
                seen.add(row);
            }
            count++;
        }

        String summary(String suffix) {
            return "  " + count + " rows, sha256 " + HexFormat.of().formatHex(sha256.digest()) + suffix;
        }
    }

    private static String row(String... values) {
        return "  row " + String.join(" | ", Arrays.stream(values).map(String::valueOf).toList());
    }

    private static List<String> rows(List<String> transcript) {
        return transcript.stream().filter(line -> line.startsWith("  row ")).toList();
    }

    private static List<String> resultSets(List<String> transcript) {
        return transcript.stream().filter(line -> line.startsWith("result set ")).toList();
    }

    /** The server's count of COM_STMT_EXECUTE, all sessions. */
    private static long statementExecutions() throws SQLException {
        try (Connection connection = DriverManager.getConnection(fixture.cluster().primary().mariaDbJdbcUrl(null),
                        MariaDbCluster.ROOT_USER, MariaDbCluster.ROOT_PASSWORD);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'")) {
            rows.next();
            return rows.getLong(2);
        }
    }
}
