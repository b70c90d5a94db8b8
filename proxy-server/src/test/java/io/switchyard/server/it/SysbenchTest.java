package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.it.ProxyFixture.ProcessResult;
import io.switchyard.server.launcher.MariaDbCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sysbench's {@code oltp_read_write} through the proxy, with server-side prepared statements
 * ({@code --db-ps-mode=auto}) and with plain queries ({@code disable}). Skipped when sysbench is
 * not installed.
 *
 * <p>Errors: sysbench stops with a non-zero exit and a {@code FATAL} line on any error outside
 * its ignore list. The ignore list (1213 deadlock, 1205 lock wait timeout, 1020 record changed)
 * covers conflicts four threads on two 1000-row tables legitimately cause on a bare server; the
 * transaction is rolled back and retried and reported as an "ignored error". They are allowed
 * up to 2% of transactions: more means the proxy broke isolation or serialised badly.
 * Reconnects must stay at zero.
 */
@Timeout(120)
class SysbenchTest {
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(45);
    private static final Pattern TRANSACTIONS = Pattern.compile("transactions:\\s+(\\d+)");
    private static final Pattern IGNORED_ERRORS = Pattern.compile("ignored errors:\\s+(\\d+)");
    private static final Pattern RECONNECTS = Pattern.compile("reconnects:\\s+(\\d+)");

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    @BeforeAll
    static void startProxy() {
        assertThat(Processes.run(List.of("sh", "-c", "command -v sysbench"), "", Duration.ofSeconds(10)).exitCode())
                .as("sysbench is not installed (Debian package sysbench; scripts/test installs it)").isZero();
    }



    @ParameterizedTest(name = "--db-ps-mode={0}")
    @ValueSource(strings = {"auto", "disable"})
    void oltpReadWriteRunsWithoutErrors(String psMode) {
        ProcessResult prepare = sysbench(psMode, "prepare", 2);
        assertThat(prepare.exitCode()).as("prepare: %s%s", prepare.stdout(), prepare.stderr()).isZero();
        try {
            ProcessResult run = sysbench(psMode, "run", 4, "--time=5", "--report-interval=0");
            String output = run.stdout() + run.stderr();
            assertThat(run.exitCode()).as("run: %s", output).isZero();
            assertThat(output).doesNotContain("FATAL");
            long transactions = number(TRANSACTIONS, output);
            assertThat(transactions).as("transactions in 5 s").isPositive();
            assertThat(number(IGNORED_ERRORS, output)).as("ignored errors: %s", output)
                    .isLessThanOrEqualTo(Math.max(2, transactions / 50));
            assertThat(number(RECONNECTS, output)).as("reconnects").isZero();
        } finally {
            ProcessResult cleanup = sysbench(psMode, "cleanup", 1);
            assertThat(cleanup.exitCode()).as("cleanup: %s%s", cleanup.stdout(), cleanup.stderr()).isZero();
        }
    }

    private static ProcessResult sysbench(String psMode, String command, int threads, String... extra) {
        List<String> args = new ArrayList<>(List.of("sysbench", "oltp_read_write", "--db-driver=mysql",
                "--mysql-host=" + fixture.host(), "--mysql-port=" + fixture.port(),
                "--mysql-user=" + MariaDbCluster.APP_USER, "--mysql-password=" + MariaDbCluster.APP_PASSWORD,
                "--mysql-db=" + MariaDbCluster.APP_DATABASE, "--mysql-ssl=off", "--db-ps-mode=" + psMode,
                "--tables=2", "--table-size=1000", "--threads=" + threads));
        args.addAll(List.of(extra));
        args.add(command);
        return Processes.run(args, "", STEP_TIMEOUT);
    }

    private static long number(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        assertThat(matcher.find()).as("%s in sysbench output:%n%s", pattern, output).isTrue();
        return Long.parseLong(matcher.group(1));
    }
}
