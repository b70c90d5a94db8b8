package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.it.ProxyFixture.ProcessResult;
import io.switchyard.server.launcher.MariaDbServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code mariadb} command-line client through the proxy. Its standard input is not a
 * terminal, so it runs in batch mode: tab-separated output with a header line.
 */
@Timeout(90)
class CommandLineClientTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    @Test
    void scriptOnStandardInputRunsEveryStatement() {
        ProcessResult result = fixture.cli("""
                CREATE OR REPLACE TABLE cli_script (id INT PRIMARY KEY, v VARCHAR(10));
                INSERT INTO cli_script VALUES (1, 'one'), (2, 'two');
                UPDATE cli_script SET v = 'TWO' WHERE id = 2;
                SELECT id, v FROM cli_script ORDER BY id;
                SELECT DATABASE() AS db;
                """);
        assertSucceeded(result);
        assertThat(result.stdout()).isEqualTo("id\tv\n1\tone\n2\tTWO\ndb\napp\n");
    }

    @Test
    void severalStatementsInOneExecuteOption() {
        ProcessResult result = fixture.cli("", "-N", "-e",
                "SELECT 1; SELECT 'a' UNION ALL SELECT 'b'; DO SLEEP(0); SELECT 'h\u00e9 \uD83D\uDE00'");
        assertSucceeded(result);
        assertThat(result.stdout()).isEqualTo("1\na\nb\nh\u00e9 \uD83D\uDE00\n");
    }

    @Test
    void failingStatementStopsTheScriptWithItsError() {
        ProcessResult result = fixture.cli("SELECT 'before';\nSELECT * FROM cli_missing;\nSELECT 'after';\n", "-N");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stdout()).isEqualTo("before\n");
        assertThat(result.stderr()).contains("ERROR 1146 (42S02) at line 2").contains("cli_missing");
    }

    @Test
    void loadDataLocalInfileReadsTheClientsFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cli.csv");
        StringBuilder rows = new StringBuilder();
        for (int id = 1; id <= 300; id++) {
            rows.append(id).append(",row ").append(id).append('\n');
        }
        Files.writeString(file, rows, StandardCharsets.UTF_8);
        ProcessResult result = fixture.cli("CREATE OR REPLACE TABLE cli_infile (id INT PRIMARY KEY, v VARCHAR(20));\n"
                + "LOAD DATA LOCAL INFILE '" + file.toAbsolutePath() + "' INTO TABLE cli_infile "
                + "FIELDS TERMINATED BY ',' (id, v);\n"
                + "SELECT COUNT(*), SUM(id), MAX(v) FROM cli_infile;\n", "-N", "--local-infile=1");
        assertSucceeded(result);
        assertThat(result.stdout()).isEqualTo("300\t45150\trow 99\n");
    }

    @Test
    void warningsOfAStatementAreShownAfterIt() {
        ProcessResult result = fixture.cli("""
                SET SESSION sql_mode = '';
                CREATE OR REPLACE TABLE cli_warn (v VARCHAR(2));
                INSERT INTO cli_warn VALUES ('too long');
                SHOW WARNINGS;
                SET SESSION sql_mode = 'ERROR_FOR_DIVISION_BY_ZERO';
                SELECT 1/0 AS q;
                SHOW WARNINGS;
                SELECT @@warning_count;
                """, "-N");
        assertSucceeded(result);
        assertThat(result.stdout()).isEqualTo("Warning\t1265\tData truncated for column 'v' at row 1\n"
                + "NULL\nWarning\t1365\tDivision by 0\n1\n");
    }

    /**
     * A statement that uses no table and raises no condition leaves the diagnostics area alone,
     * so SHOW WARNINGS still reports the statement before it. A multiplexing proxy must run
     * SHOW WARNINGS on the backend connection that ran the statement that warned.
     */
    @Test
    void warningsSurviveATablelessStatementThatRaisesNone() {
        ProcessResult result = fixture.cli("""
                SET SESSION sql_mode = '';
                CREATE OR REPLACE TABLE cli_sticky (v VARCHAR(2));
                INSERT INTO cli_sticky VALUES ('too long');
                SELECT 1/0 AS q;
                SHOW WARNINGS;
                """, "-N");
        assertSucceeded(result);
        assertThat(result.stdout()).isEqualTo("NULL\nWarning\t1265\tData truncated for column 'v' at row 1\n");
    }

    @Test
    void showWarningsOptionPrintsWarningsAfterEachStatement() {
        ProcessResult result = fixture.cli("SET SESSION sql_mode = 'ERROR_FOR_DIVISION_BY_ZERO';\nSELECT 1/0;\n",
                "-N", "--show-warnings");
        assertSucceeded(result);
        assertThat(result.stdout()).contains("NULL").contains("Warning (Code 1365): Division by 0");
    }

    @Test
    void statusCommandDescribesTheConnection() {
        ProcessResult result = fixture.cli("", "-e", "status");
        assertSucceeded(result);
        assertThat(result.stdout())
                .containsPattern("Connection id:\\s+\\d+")
                .containsPattern("Current database:\\s+app")
                .containsPattern("Current user:\\s+app@")
                .containsPattern("Server version:\\s+10\\.\\d+\\.\\d+-MariaDB")
                .containsPattern("Connection:\\s+127\\.0\\.0\\.1 via TCP/IP")
                .containsPattern("TCP port:\\s+" + fixture.port())
                .contains("Uptime:");
    }

    /**
     * The server ends a transaction left idle past {@code idle_transaction_timeout} by closing the
     * connection. The session's state (the transaction) lived on that connection, so the proxy
     * closes the client connection too, and the client's library reports exactly what it reports
     * directly: "server has gone away" on the next statement.
     */
    @Test
    void aTransactionTheServerEndedLooksTheSameAsDirect() {
        String script = """
                SET SESSION idle_transaction_timeout = 1;
                BEGIN;
                SELECT 'in';
                system sleep 3
                SELECT 'after';
                """;
        ProcessResult direct = fixture.cli(fixture.cluster().primary().port(), script, "-N");
        ProcessResult proxied = fixture.cli(script, "-N");
        assertThat(direct.stderr()).as("direct").contains("ERROR 2006 (HY000) at line 5");
        assertThat(proxied).as("through the proxy").isEqualTo(direct);
    }

    /**
     * OK packets whose counts are 2^63 or more: -1 put into an {@code AUTO_INCREMENT} column
     * gives an insert id of 2^64 - 1 (MariaDB's {@code partition_innodb} does this), and the
     * client reads the OK as directly ("Received malformed packet" when the proxy wrote it short).
     */
    @Test
    void insertIdsOfTwoToTheSixtyThreeOrMoreReachTheClientWhole() {
        String script = """
                CREATE OR REPLACE TABLE cli_big_id (a INT AUTO_INCREMENT PRIMARY KEY);
                INSERT INTO cli_big_id VALUES (-1);
                SELECT LAST_INSERT_ID(), ROW_COUNT();
                CREATE OR REPLACE TABLE cli_big_id (a BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY);
                INSERT INTO cli_big_id VALUES (18446744073709551610);
                INSERT INTO cli_big_id VALUES ();
                SELECT a FROM cli_big_id ORDER BY a;
                DROP TABLE cli_big_id;
                """;
        ProcessResult direct = fixture.cli(fixture.cluster().primary().port(), script, "-N");
        ProcessResult proxied = fixture.cli(script, "-N");
        assertSucceeded(direct);
        assertThat(proxied).as("through the proxy").isEqualTo(direct);
    }

    /**
     * The server reads a schema name (at login, and in {@code COM_INIT_DB} or {@code USE}) in the
     * connection's client character set. A session that switched its own to cp932 ({@code charset}
     * of the client, a {@code SET NAMES}) gives its backend connection back that way; the next
     * session that borrows it must have its own character set there before its schema is
     * selected, or a UTF-8 name is read as cp932: another error, or another schema.
     */
    @Test
    void aSchemaNameIsReadInTheSessionsCharacterSetOnABorrowedConnection() {
        int direct = fixture.cluster().primary().port();
        fixture.cluster().primary().execute("CREATE DATABASE IF NOT EXISTS `café_ü` CHARACTER SET utf8mb4",
                "GRANT ALL PRIVILEGES ON `café_ü`.* TO '" + io.switchyard.server.launcher.MariaDbCluster.APP_USER + "'@'%'");
        String leaveCp932 = "charset cp932; SELECT 1;\n";
        for (String charset : new String[] {"utf8", "utf8mb4"}) {
            for (String schema : new String[] {"café_ü", "app😁 "}) {
                for (String use : new String[] {"login", "USE"}) {
                    assertSucceeded(fixture.cli(leaveCp932, "-N", "--default-character-set=utf8"));
                    ProcessResult proxied = use.equals("login")
                            ? fixture.cliIn(fixture.port(), schema, "SELECT DATABASE(), @@character_set_client;\n", "-N",
                                    "--default-character-set=" + charset)
                            : fixture.cli("USE `" + schema + "`;\nSELECT DATABASE(), @@character_set_client;\n", "-N",
                                    "--default-character-set=" + charset);
                    ProcessResult expected = use.equals("login")
                            ? fixture.cliIn(direct, schema, "SELECT DATABASE(), @@character_set_client;\n", "-N",
                                    "--default-character-set=" + charset)
                            : fixture.cli(direct, "USE `" + schema + "`;\nSELECT DATABASE(), @@character_set_client;\n", "-N",
                                    "--default-character-set=" + charset);
                    assertThat(proxied).as("schema %s by %s, client character set %s, through the proxy", schema, use, charset)
                            .isEqualTo(expected);
                }
            }
        }
    }

    /**
     * A statement whose backend connection dies under it (here its server thread is killed)
     * may or may not have run; the client gets the proxy's error, which MariaDB's client library
     * can read (it refuses the client-range codes such as 2013 in an ERR packet), and the session
     * goes on.
     */
    @Test
    void aStatementWhoseBackendDiesGetsAnErrorTheClientLibraryReads() throws Exception {
        try (ExecutorService killer = Executors.newSingleThreadExecutor()) {
            Future<?> kill = killer.submit(() -> {
                MariaDbServer primary = fixture.cluster().primary();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline) {
                    for (var row : primary.query("SELECT id FROM information_schema.processlist WHERE info LIKE 'DO SLEEP(7)%'")) {
                        primary.execute("KILL " + row.get("id"));
                        return null;
                    }
                    Thread.sleep(20);
                }
                throw new AssertionError("the statement never showed up on the server");
            });
            ProcessResult result = fixture.cli("DO SLEEP(7);\nSELECT 'next';\n", "-N", "--force");
            kill.get(30, TimeUnit.SECONDS);
            assertThat(result.stderr()).contains("ERROR 9013 (08S01) at line 1: Lost connection to backend 127.0.0.1:"
                    + fixture.cluster().primary().port()).contains("may or may not have run");
            assertThat(result.stdout()).isEqualTo("next\n");
        }
    }

    private static void assertSucceeded(ProcessResult result) {
        assertThat(result.exitCode()).as("exit code; stderr: %s", result.stderr()).isZero();
        assertThat(result.stderr()).isEmpty();
    }
}
