package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.it.ProxyFixture.ProcessResult;
import io.switchyard.server.launcher.MariaDbCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's reproductions ({@code src/test/resources/repro}): defects found by using the
 * proxy as users do, each run with a real client straight against the MariaDB server and then
 * through the proxy in front of the same server. The client must print the same output, write
 * the same errors and exit with the same code both ways.
 *
 * <p>The SQL files run as {@code mariadb -h127.0.0.1 -P PORT -u... -p... -f < FILE} (continue
 * after errors); the Perl scripts are the DBD::MariaDB then DBD::mysql sequence, on a proxy
 * started for them alone. Every process is killed once {@link #CLIENT_TIMEOUT} has passed, so a
 * response that never ends fails the test instead of hanging it.
 */
@Timeout(300)
class ReproductionTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final String PERL_DATABASE = "compat";
    /**
     * The defaults of a server started without {@code --character-set-server} (the launcher's
     * servers default to utf8mb4, which hides the difference between a session's handshake
     * character set and the server's default one).
     */
    private static final String[] LATIN1_SERVER_DEFAULTS = {
        "SET GLOBAL character_set_server = 'latin1'", "SET GLOBAL collation_server = 'latin1_swedish_ci'",
        "SET GLOBAL character_set_client = 'latin1'", "SET GLOBAL character_set_connection = 'latin1'",
        "SET GLOBAL character_set_results = 'latin1'", "SET GLOBAL collation_connection = 'latin1_swedish_ci'"};

    @Test
    void userVariableAssignedInsideAnUpdateWritesTheSameValuesThroughTheProxy() {
        ProcessResult direct = assertSameOutputThroughProxy("user-var-update.sql");

        assertThat(direct.stdout()).contains("1\ta2\n2\tb3\n3\tc4\n");
    }

    @Test
    void failedSetLeavesTheGoodSetBeforeItAndLaterStatementsAlone() {
        ProcessResult direct = assertSameOutputThroughProxy("failed-set.sql");

        assertThat(direct.stderr()).contains("cte_max_recursion_depth");
        assertThat(direct.stdout()).contains("1000000").contains("5000");
    }

    @Test
    void cursorLoopProcedureReturnsAResultSetPerRowAndKeepsTheConnection() {
        ProcessResult direct = assertSameOutputThroughProxy("procedure-cursor.sql");

        assertThat(direct.exitCode()).isZero();
        assertThat(direct.stdout()).contains("10\tb10").contains("30\tb30");
    }

    @Test
    void topLevelForLoopSettingNamesReturnsAResultSetPerCollation() {
        ProcessResult direct = assertSameOutputThroughProxy("compound.sql");

        assertThat(direct.exitCode()).isZero();
        assertThat(direct.stdout()).contains("utf8mb4_unicode_ci");
    }

    /**
     * Sessions of DBD::MariaDB, then one of DBD::mysql that asks for utf8mb4 in its handshake, on
     * a proxy that has served nothing else, in front of a server whose default character set is
     * latin1: the last session must run in utf8mb4 as it does on the server.
     */
    @Test
    void dbdMysqlSessionAfterDbdMariaDbSessionsRunsInTheCharacterSetItAskedFor(@TempDir Path dir) {
        Path first = copyResource("charset-first-dbd-mariadb.pl", dir);
        Path then = copyResource("charset-then-dbd-mysql.pl", dir);
        try (ProxyFixture fresh = ProxyFixture.start(0)) {
            fresh.cluster().primary().execute("CREATE DATABASE IF NOT EXISTS " + PERL_DATABASE);
            fresh.cluster().primary().execute(LATIN1_SERVER_DEFAULTS);
            int serverPort = fresh.cluster().primary().port();
            ProcessResult directFirst = perl(first, serverPort);
            ProcessResult directThen = perl(then, serverPort);
            assertThat(directFirst.stdout()).as("direct; stderr: %s", directFirst.stderr())
                    .contains("PASS perl_mariadb.connect").doesNotContain("FAIL");
            assertThat(directThen.stdout()).as("direct; stderr: %s", directThen.stderr()).contains("len=12 cs=utf8mb4");

            ProcessResult proxiedFirst = perl(first, fresh.port());
            ProcessResult proxiedThen = perl(then, fresh.port());

            assertThat(proxiedFirst).as("charset-first-dbd-mariadb.pl through the proxy").isEqualTo(directFirst);
            assertThat(proxiedThen).as("charset-then-dbd-mysql.pl through the proxy").isEqualTo(directThen);
        }
    }

    /** Runs {@code file} with the command-line client directly, then through the proxy; returns the direct run. */
    private static ProcessResult assertSameOutputThroughProxy(String file) {
        String sql = readResource(file);
        ProcessResult direct = mariadb(fixture.cluster().primary().port(), sql);
        assertThat(direct.stderr()).as("direct run of %s", file).doesNotContain("killed after");

        ProcessResult proxied = mariadb(fixture.port(), sql);

        assertThat(proxied).as("%s through the proxy", file).isEqualTo(direct);
        return direct;
    }

    private static ProcessResult mariadb(int port, String sql) {
        return Processes.run(List.of("mariadb", "--no-defaults", "--protocol=TCP", "-h127.0.0.1", "-P" + port,
                "-u" + MariaDbCluster.APP_USER, "-p" + MariaDbCluster.APP_PASSWORD, "--skip-ssl", "-f"), sql, CLIENT_TIMEOUT);
    }

    private static ProcessResult perl(Path script, int port) {
        List<String> command = new ArrayList<>(List.of("perl", script.toString(), "127.0.0.1", Integer.toString(port),
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, PERL_DATABASE));
        return Processes.run(command, "", CLIENT_TIMEOUT.multipliedBy(2));
    }

    private static String readResource(String file) {
        try (InputStream in = ReproductionTest.class.getResourceAsStream("/repro/" + file)) {
            assertThat(in).as("test resource repro/%s", file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path copyResource(String file, Path dir) {
        Path target = dir.resolve(file);
        try {
            Files.writeString(target, readResource(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
