package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.switchyard.server.it.ProxyFixture.ProcessResult;
import io.switchyard.server.launcher.MariaDbCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client matrix: MySQL drivers of other languages (Python, Node.js, Perl, PHP) run the same
 * checks against the MariaDB server directly and through the proxy, and must see the same thing.
 * Each driver's script (under {@code src/test/clients}, described in its README) prints one line
 * per check with the values it observed and whether they are the ones expected; the direct run
 * must pass every check, and the proxied run must print exactly the same lines.
 *
 * <p>The pool holds two backend connections and each script keeps a second session busy between
 * checks, so with multiplexing the backend connections change hands between the two sessions.
 * A driver that is not installed fails its test with the package to install.
 *
 * <p>Every driver that has protocol compression (all but PyMySQL) also runs its checks with it:
 * given the argument {@code compress}, the script opens every connection with the driver's
 * compression option, and its {@code connect} check requires {@code Compression} to read
 * {@code ON}, so an option the driver ignores fails the direct run. Through the proxy these
 * sessions are served by compressed backend connections, and must again print the same lines.
 */
@Timeout(300)
class ClientMatrixTest {
    private static final Path CLIENTS = Path.of("src", "test", "clients");
    /**
     * Debian's interpreter, where the drivers' packages install (another {@code python3} may come
     * first on the PATH); {@code -B} keeps bytecode files out of the sources.
     */
    private static final List<String> PYTHON = List.of("/usr/bin/python3", "-B");
    private static final String NPM_CI = "the Debian package nodejs, then run 'npm ci' in " + CLIENTS.resolve("node")
            + " (scripts/test does both)";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
    /**
     * Lines each script prints: connect, session, utf8mb4, prepared, stream, error-then-ok,
     * failed-set, user-variable-update, handshake-charset, multi-statements, main-session-state,
     * other-session-state.
     */
    private static final int CHECKS = 12;
    /** The exit code of a script that cannot load its driver. */
    private static final int DRIVER_MISSING = 3;
    /** The script's optional last argument: open every connection with protocol compression. */
    private static final String COMPRESS = "compress";

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "backend.pool.max-connections = 2");

    /** The drivers of the matrix: the script that runs the checks, and what to install when it cannot run. */
    enum Client {
        PYMYSQL("PyMySQL", "the Debian package python3-pymysql", PYTHON, "python/pymysql_matrix.py"),
        MYSQLCLIENT("mysqlclient (MySQLdb)", "the Debian package python3-mysqldb", PYTHON, "python/mysqldb_matrix.py"),
        NODE_MYSQL2("Node mysql2", NPM_CI, List.of("node"), "node/mysql2.js"),
        NODE_MARIADB("Node mariadb", NPM_CI, List.of("node"), "node/mariadb.js"),
        DBD_MYSQL("Perl DBD::mysql", "the Debian package libdbd-mysql-perl", List.of("perl"), "perl/dbd_mysql.pl"),
        DBD_MARIADB("Perl DBD::MariaDB", "the Debian package libdbd-mariadb-perl", List.of("perl"), "perl/dbd_mariadb.pl"),
        PHP_MYSQLI("PHP mysqli", "the Debian packages php-cli and php-mysql", List.of("php"), "php/mysqli.php"),
        PHP_PDO_MYSQL("PHP PDO_mysql", "the Debian packages php-cli and php-mysql", List.of("php"), "php/pdo_mysql.php");

        private final String title;
        private final String install;
        private final List<String> interpreter;
        private final String script;

        Client(String title, String install, List<String> interpreter, String script) {
            this.title = title;
            this.install = install;
            this.interpreter = interpreter;
            this.script = script;
        }

        @Override
        public String toString() {
            return title;
        }
    }

    @Test
    void pyMySqlSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.PYMYSQL, false);
    }

    @Test
    void mysqlclientSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.MYSQLCLIENT, false);
    }

    @Test
    void mysqlclientCompressedSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.MYSQLCLIENT, true);
    }

    @Test
    void nodeMysql2SeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.NODE_MYSQL2, false);
    }

    @Test
    void nodeMysql2CompressedSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.NODE_MYSQL2, true);
    }

    @Test
    void nodeMariadbSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.NODE_MARIADB, false);
    }

    @Test
    void nodeMariadbCompressedSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.NODE_MARIADB, true);
    }

    @Test
    void perlDbdMysqlSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.DBD_MYSQL, false);
    }

    @Test
    void perlDbdMysqlCompressedSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.DBD_MYSQL, true);
    }

    @Test
    void perlDbdMariaDbSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.DBD_MARIADB, false);
    }

    @Test
    void perlDbdMariaDbCompressedSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.DBD_MARIADB, true);
    }

    @Test
    void phpMysqliSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.PHP_MYSQLI, false);
    }

    @Test
    void phpMysqliCompressedSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.PHP_MYSQLI, true);
    }

    @Test
    void phpPdoMysqlSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.PHP_PDO_MYSQL, false);
    }

    @Test
    void phpPdoMysqlCompressedSeesThroughTheProxyWhatItSeesDirectly() {
        assertSameThroughTheProxy(Client.PHP_PDO_MYSQL, true);
    }

    /**
     * Runs the client's checks against MariaDB directly, where every check must pass, then
     * through the proxy, where every line must be the same as directly; with {@code compressed},
     * on connections that use the driver's protocol compression, which the direct run's
     * {@code connect} check shows to be on.
     */
    private static void assertSameThroughTheProxy(Client client, boolean compressed) {
        String title = compressed ? client + ", compressed," : client.toString();
        ProcessResult direct = run(client, fixture.cluster().primary().port(), compressed);
        assertThat(direct.exitCode()).as("%s against MariaDB directly: exit code; stdout:%n%s%nstderr:%n%s",
                title, direct.stdout(), direct.stderr()).isZero();
        assertThat(direct.stdout().lines().filter(line -> !line.startsWith("PASS ") && !line.startsWith("SKIP ")))
                .as("%s against MariaDB directly: checks that did not pass; stderr:%n%s", title, direct.stderr())
                .isEmpty();
        assertThat(direct.stdout().lines().count()).as("checks run by %s", title).isEqualTo(CHECKS);
        if (compressed) {
            assertThat(direct.stdout().lines().findFirst().orElse("(no line)"))
                    .as("%s against MariaDB directly: the connect check", title)
                    .startsWith("PASS connect ").endsWith(" compression=ON");
        }

        ProcessResult proxied = run(client, fixture.port(), compressed);
        assertThat(proxied.stdout()).as("%s through the proxy prints what it printed directly; differences:%n%s%nstderr:%n%s",
                title, differences(direct.stdout(), proxied.stdout()), proxied.stderr()).isEqualTo(direct.stdout());
        assertThat(proxied.exitCode()).as("%s through the proxy: exit code; stderr:%n%s", title, proxied.stderr()).isZero();
    }

    /**
     * Runs the client's script against {@code port}, with the driver's protocol compression when
     * {@code compressed}; fails the test, naming what to install, when the driver is missing.
     */
    private static ProcessResult run(Client client, int port, boolean compressed) {
        Path script = CLIENTS.resolve(client.script);
        assertThat(Files.isRegularFile(script)).as("%s exists (the test runs in the proxy-server module)",
                script.toAbsolutePath()).isTrue();
        List<String> command = new ArrayList<>(client.interpreter);
        command.addAll(List.of(script.toString(), fixture.host(), Integer.toString(port),
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE));
        if (compressed) {
            command.add(COMPRESS);
        }
        ProcessResult result;
        try {
            result = Processes.run(command, "", SCRIPT_TIMEOUT);
        } catch (IllegalStateException notStarted) {
            return fail("%s cannot run (%s): install %s", client, notStarted.getMessage(), client.install);
        }
        if (result.exitCode() == DRIVER_MISSING) {
            return fail("%s is missing: install %s (%s)", client, client.install, result.stderr().strip());
        }
        return result;
    }

    /** The lines of the two outputs that differ, side by side, for the failure message. */
    private static String differences(String direct, String proxied) {
        List<String> expected = direct.lines().toList();
        List<String> actual = proxied.lines().toList();
        List<String> report = new ArrayList<>();
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : "(no line)";
            String got = i < actual.size() ? actual.get(i) : "(no line)";
            if (!want.equals(got)) {
                report.add("  direct: " + want + System.lineSeparator() + "  proxied: " + got);
            }
        }
        return String.join(System.lineSeparator(), report);
    }
}
