package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.it.ProxyFixture.ProcessResult;
import io.switchyard.server.launcher.MariaDbCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Session tracking as the client set it up, compared with a direct connection: MariaDB's test
 * client ({@code mariadb-test}) prints the session-state information of every statement after
 * {@code --enable_session_track_info}, and the scripts below read the tracking settings back.
 * The proxy's backend connections track everything; a client must see what its own settings ask
 * for, and read its own settings, whether its session moves between connections or is pinned.
 */
@Timeout(120)
class SessionTrackingTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    private static final String TRACKED_CHANGES = """
            --enable_session_track_info
            SET time_zone = '+01:00';
            SET sql_mode = 'ANSI';
            SET optimizer_switch = 'index_merge=off';
            SET NAMES latin1;
            USE app;
            SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;
            --disable_session_track_info
            SET NAMES utf8mb4;
            SET time_zone = DEFAULT, sql_mode = DEFAULT, optimizer_switch = DEFAULT;
            """;

    private static final String READ_SETTINGS = """
            SELECT @@session_track_system_variables, @@session_track_schema, @@session_track_state_change,
                   @@session_track_transaction_info;
            SHOW SESSION VARIABLES LIKE 'session_track%';
            """;

    /** Runs {@code script} with {@code mariadb-test} as the application's user against {@code port}. */
    private static ProcessResult run(int port, String script, List<String> options) {
        List<String> command = new java.util.ArrayList<>(List.of("mariadb-test", "--no-defaults", "--protocol=TCP", "-h",
                fixture.host(), "-P", Integer.toString(port), "-u", MariaDbCluster.APP_USER,
                "--password=" + MariaDbCluster.APP_PASSWORD, "--database=" + MariaDbCluster.APP_DATABASE));
        command.addAll(options);
        return Processes.run(command, script, Duration.ofSeconds(60));
    }

    private static void sameAsDirect(String script) {
        sameAsDirect(script, List.of());
    }

    private static void sameAsDirect(String script, List<String> options) {
        ProcessResult direct = run(fixture.cluster().primary().port(), script, options);
        assertThat(direct.exitCode()).as("direct: %s", direct).isZero();
        ProcessResult proxied = run(fixture.port(), script, options);
        assertThat(proxied).as("through the proxy").isEqualTo(direct);
    }

    /**
     * The reset ({@code COM_RESET_CONNECTION}) starts afresh the status counters of a session
     * pinned by reading them: a {@code SHOW STATUS} right after it counts no query of the proxy's
     * own either.
     */
    @Test
    void theStatusCountersRightAfterAResetCountNothing() {
        sameAsDirect("""
                --disable_result_log
                SHOW SESSION STATUS LIKE 'Com_select';
                SELECT 1;
                SELECT 2;
                --enable_result_log
                --reset_connection
                SHOW SESSION STATUS LIKE 'Com_select';
                """);
    }

    @Test
    void theLoginsSettingsAreReportedAndRead() {
        sameAsDirect(READ_SETTINGS + TRACKED_CHANGES + "SELECT 1;\n");
    }

    @Test
    void settingsTheClientChangesAreReportedAndRead() {
        sameAsDirect("""
                --error ER_UNKNOWN_SYSTEM_VARIABLE
                SET SESSION session_track_system_variables = 'no_such_variable';
                SET @@session.session_track_system_variables = 'sql_mode,optimizer_switch';
                SET SESSION session_track_schema = OFF, session_track_transaction_info = STATE;
                --error ER_UNKNOWN_SYSTEM_VARIABLE
                SET SESSION session_track_system_variables = 'no_such_variable';
                """ + TRACKED_CHANGES + READ_SETTINGS + """
                SET SESSION session_track_system_variables = DEFAULT, session_track_schema = DEFAULT,
                    session_track_transaction_info = DEFAULT, session_track_state_change = ON;
                """ + TRACKED_CHANGES + READ_SETTINGS);
    }

    /**
     * A pinned session gets the reports its settings ask for, and reads its own settings (before
     * 2026-12-06 it read the proxy's). {@code SET STATEMENT} pins: its temporary change is reported
     * under the same flag as anything else the statement changed.
     */
    @Test
    void aPinnedSessionGetsWhatItAskedForAndReadsItsSettings() {
        sameAsDirect(READ_SETTINGS + """
                SET @pinned = 1;
                """ + READ_SETTINGS + """
                SET @@session.session_track_system_variables = 'sql_mode,optimizer_switch';
                SET SESSION session_track_state_change = ON;
                """ + TRACKED_CHANGES + READ_SETTINGS + """
                SET @@session.session_track_system_variables = 'time_zone';
                """ + TRACKED_CHANGES + READ_SETTINGS);
        sameAsDirect("""
                SET STATEMENT sql_mode = 'ANSI' FOR SELECT 'a' || 'b';
                """ + READ_SETTINGS + """
                SET SESSION session_track_schema = OFF;
                """ + READ_SETTINGS + TRACKED_CHANGES + READ_SETTINGS, List.of("--ps-protocol"));
    }

    /**
     * With {@code --ps-protocol} each statement is prepared, then executed: the prepare of a read
     * right after a {@code SET} of the settings is not taken for that {@code SET} again (which
     * made the proxy take its own settings, read back after the prepare, for the client's).
     */
    @Test
    void settingsChangedAndReadWithPreparedStatementsAreTheClients() {
        sameAsDirect("""
                SET SESSION session_track_transaction_info = STATE;
                SELECT @@session_track_transaction_info;
                SET SESSION session_track_state_change = ON, session_track_system_variables = 'time_zone';
                """ + READ_SETTINGS + TRACKED_CHANGES + READ_SETTINGS, List.of("--ps-protocol"));
    }

    @Test
    void aSessionThatReadItsSettingsGetsWhatItAskedForAfterwards() {
        sameAsDirect(READ_SETTINGS + TRACKED_CHANGES + """
                SET @@session.session_track_system_variables = 'optimizer_switch';
                """ + TRACKED_CHANGES + READ_SETTINGS);
    }
}
