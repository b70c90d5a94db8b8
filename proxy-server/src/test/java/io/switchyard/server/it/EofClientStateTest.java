package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.testing.Await;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients without CLIENT_DEPRECATE_EOF (PyMySQL, PHP's mysqlnd and others) get results that end
 * with an EOF packet, which carries no session-tracking information: when a stored function
 * called inside a {@code SELECT} changes the session (a user variable, a system variable, a
 * temporary table), the server's EOF only says that something changed. The session then stays
 * on its connection, so what it reads next is what it reads directly. A second client of the
 * same capabilities holds the connection the first one used last inside a transaction, so that
 * a session free to move would move; one event loop, so both share one pool partition.
 */
class EofClientStateTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(0, cluster -> "event-loop-threads = 1\n");

    @BeforeAll
    static void functions() {
        fixture.cluster().primary().execute(
                "SET GLOBAL log_bin_trust_function_creators = 1",
                "CREATE TABLE app.holder (id INT PRIMARY KEY)",
                "INSERT INTO app.holder VALUES (1)",
                "CREATE FUNCTION app.set_variable() RETURNS INT BEGIN SET @from_function = 7; RETURN 1; END",
                "CREATE FUNCTION app.set_length() RETURNS INT BEGIN SET SESSION group_concat_max_len = 5000; RETURN 2; END",
                "CREATE FUNCTION app.make_temporary() RETURNS INT BEGIN "
                        + "CREATE TEMPORARY TABLE IF NOT EXISTS app.from_function (a INT); RETURN 3; END",
                "CREATE FUNCTION app.pure() RETURNS INT RETURN 4",
                "CREATE DATABASE other_schema",
                "CREATE FUNCTION other_schema.set_variable() RETURNS INT BEGIN SET @from_other = 8; RETURN 5; END",
                "CREATE FUNCTION other_schema.pure() RETURNS INT RETURN 6");
    }

    @Test
    void stateAStoredFunctionChangesInsideASelectStaysWithTheSession() throws Exception {
        String[][] steps = {
            {"SELECT app.set_variable()", "SELECT @from_function"},
            {"SELECT app.set_length()", "SELECT @@group_concat_max_len"},
            {"SELECT app.make_temporary()", "SELECT COUNT(*) FROM app.from_function"},
            {"SELECT app.pure()", "SELECT @@sql_mode"}};
        List<String> expected = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        for (String[] step : steps) {
            expected.add(run(fixture.cluster().primary().port(), step));
            proxied.add(run(fixture.port(), step));
        }
        assertThat(expected).containsExactly("[[1]] [[7]]", "[[2]] [[5000]]", "[[3]] [[0]]",
                "[[4]] [[STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION]]");
        assertThat(proxied).isEqualTo(expected);
    }

    /**
     * Inside a transaction the server flags every statement's EOF as a change, so there the flag
     * tells nothing; the OK that ends the result on the proxy's connections says what changed.
     * After the transaction, a session whose function changed its state keeps the connection
     * that state lives on (the process list shows it held while the session sleeps), and one
     * whose function changed nothing gives its connection back.
     */
    @Test
    void aChangeAStoredFunctionMadeInsideATransactionKeepsTheSessionOnItsConnection() throws Exception {
        String[][] steps = {
            {"SELECT app.set_variable()", "SELECT @from_function", "[[7]]"},
            {"SELECT app.set_length()", "SELECT @@group_concat_max_len", "[[5000]]"},
            {"SELECT app.make_temporary()", "SELECT COUNT(*) FROM app.from_function", "[[0]]"},
            {"SELECT other_schema.set_variable()", "SELECT @from_other", "[[8]]"}};
        for (String[] step : steps) {
            try (RawMysqlClient a = login(fixture.port())) {
                String thread = functionInTransaction(a, step[0]);
                assertThat(heldThread(a)).as(step[0]).isEqualTo(thread);
                assertThat(String.valueOf(a.rows(step[1]))).as(step[1]).isEqualTo(step[2]);
            }
        }
        try (RawMysqlClient a = login(fixture.port())) {
            functionInTransaction(a, "SELECT app.pure()");
            // The proxy reads the function's body once the client has the COMMIT's answer, then
            // gives the connection back.
            Await.until(Duration.ofSeconds(5), "the connection given back after a function that changed nothing",
                    () -> "-1".equals(heldThreadOrNull(a)));
        }
    }

    /** Runs {@code call} inside a transaction that read a table; returns the server thread it ran on. */
    private static String functionInTransaction(RawMysqlClient a, String call) throws Exception {
        a.rows("BEGIN");
        a.rows("SELECT id FROM app.holder");
        String thread = heldThread(a);
        assertThat(thread).as("held in the transaction").isNotEqualTo("-1");
        a.rows(call);
        a.rows("COMMIT");
        return thread;
    }

    /** The server thread the session of {@code client} holds while it sleeps, as the process list shows it. */
    private static String heldThread(RawMysqlClient client) throws Exception {
        try (java.sql.Connection admin = fixture.admin(); java.sql.Statement s = admin.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT srv_thread_id FROM stats_mysql_processlist WHERE cli_port = "
                     + client.localPort())) {
            assertThat(rs.next()).as("the session's row").isTrue();
            return rs.getString(1);
        }
    }

    private static String heldThreadOrNull(RawMysqlClient client) {
        try {
            return heldThread(client);
        } catch (Exception e) {
            return null;
        }
    }

    /** Runs the function's {@code SELECT}, lets another client hold a connection in a transaction, then the read. */
    private static String run(int port, String[] step) throws IOException {
        try (RawMysqlClient a = login(port); RawMysqlClient b = login(port)) {
            b.rows("SELECT 1");
            String called = String.valueOf(a.rows(step[0]));
            b.rows("BEGIN");
            b.rows("SELECT id FROM app.holder");
            try {
                return called + " " + a.rows(step[1]);
            } catch (IOException e) {
                return called + " " + e.getMessage();
            } finally {
                b.rows("COMMIT");
            }
        }
    }

    private static RawMysqlClient login(int port) throws IOException {
        RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", port, Duration.ofSeconds(10));
        RawMysqlClient.Packet answer = client.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE);
        assertThat(answer.type()).as("login").isEqualTo(RawMysqlClient.OK);
        return client;
    }
}
