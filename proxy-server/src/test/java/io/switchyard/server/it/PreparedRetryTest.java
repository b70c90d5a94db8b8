package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server-side prepared statement's execution ({@code COM_STMT_EXECUTE}) outside a transaction
 * whose backend connection breaks before any of its result reached the client is retried as a
 * text statement is: a read runs again on another connection (the statement prepared there
 * first) and the client sees no error; a write, which may have run, is not run twice: the client
 * gets error 9013. Neither is a read that calls a stored function, whose body may write (text
 * statements alike). The connection is cut by a relay between the proxy and MariaDB at the
 * {@code COM_STMT_EXECUTE}, before the server gets it or just after. Default settings.
 */
class PreparedRetryTest {
    private static final int COM_QUERY = 0x03;
    private static final int COM_STMT_EXECUTE = 0x17;
    private static final String PREPARED = "useServerPrepStmts=true&cachePrepStmts=true&socketTimeout=30000";

    @RegisterExtension
    static final CommandCuttingRelay relay = CommandCuttingRelay.start();

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, cluster -> relay.beforePrimary(cluster));

    @BeforeAll
    static void table() {
        fixture.cluster().primary().execute("CREATE TABLE app.retried (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL)",
                "INSERT INTO app.retried VALUES (1, 'one')",
                "CREATE TABLE app.calls (id INT AUTO_INCREMENT PRIMARY KEY, how VARCHAR(10) NOT NULL)",
                "CREATE FUNCTION app.logged_call(how VARCHAR(10)) RETURNS INT DETERMINISTIC MODIFIES SQL DATA"
                        + " BEGIN INSERT INTO app.calls (how) VALUES (how); RETURN 1; END");
    }

    @ParameterizedTest(name = "cut {0}")
    @ValueSource(strings = {"before the server gets it", "after the server got it"})
    void aReadRunsAgainOnAnotherConnection(String when) throws Exception {
        long retriedBefore = fixture.proxy().stats().retries();
        int cutsBefore = relay.cuts();
        try (Connection c = fixture.mysql(PREPARED);
             PreparedStatement read = c.prepareStatement("SELECT v FROM retried WHERE id = ?")) {
            read.setInt(1, 1);
            relay.cutNext(COM_STMT_EXECUTE, when.startsWith("after"));
            try (ResultSet rs = read.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("one");
            }
            assertThat(relay.cuts() - cutsBefore).as("connections cut at the execution").isEqualTo(1);
            try (ResultSet rs = read.executeQuery()) {
                assertThat(rs.next()).as("the session goes on").isTrue();
            }
        }
        assertThat(fixture.proxy().stats().retries() - retriedBefore).as("statements retried").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text", "prepared"})
    void aReadThatCallsAStoredFunctionIsNotRunTwice(String how) throws Exception {
        int cutsBefore = relay.cuts();
        try (Connection c = fixture.mysql(how.equals("text") ? "socketTimeout=30000" : PREPARED);
             PreparedStatement call = c.prepareStatement("SELECT logged_call(?)")) {
            call.setString(1, how);
            relay.cutNext(how.equals("text") ? COM_QUERY : COM_STMT_EXECUTE, true);
            SQLException lost = catchThrowableOfType(SQLException.class, call::executeQuery);
            assertThat(relay.cuts() - cutsBefore).isEqualTo(1);
            assertThat((Throwable) lost).as("the call whose connection broke under it").isNotNull();
            assertThat(lost.getErrorCode()).isEqualTo(9013);
        }
        assertThat(fixture.cluster().primary().queryString("SELECT COUNT(*) FROM app.calls WHERE how = '" + how + "'"))
                .as("rows the function wrote").isEqualTo("1");
    }

    @Test
    void aWriteThatMayHaveRunIsNotRunTwice() throws Exception {
        int cutsBefore = relay.cuts();
        try (Connection c = fixture.mysql(PREPARED);
             PreparedStatement insert = c.prepareStatement("INSERT INTO retried VALUES (?, ?)")) {
            insert.setInt(1, 2);
            insert.setString(2, "two");
            relay.cutNext(COM_STMT_EXECUTE, true);
            SQLException lost = catchThrowableOfType(SQLException.class, insert::executeUpdate);
            assertThat(relay.cuts() - cutsBefore).isEqualTo(1);
            assertThat((Throwable) lost).as("the write whose connection broke under it").isNotNull();
            assertThat(lost.getErrorCode()).isEqualTo(9013);
            insert.setInt(1, 3);
            insert.setString(2, "three");
            assertThat(insert.executeUpdate()).as("the session goes on").isEqualTo(1);
        }
        assertThat(fixture.cluster().primary().queryString("SELECT GROUP_CONCAT(id ORDER BY id) FROM app.retried WHERE id IN (2, 3)"))
                .as("the write ran once, where the server got it").isEqualTo("2,3");
    }
}
