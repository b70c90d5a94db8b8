package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Query timeouts: a statement that runs past its rule's {@code timeout} (or
 * {@code mysql-default_query_timeout}) is answered with error 1907 and killed on the server,
 * and the client's connection stays usable.
 */
class QueryTimeoutTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, """
            query-rules = [
              { rule-id = 1, match-pattern = "^SELECT SLEEP\\\\(20\\\\)", timeout = 500ms }
              { rule-id = 2, match-pattern = "^SELECT 'audited'", log = true }
            ]
            variables { mysql-default_query_timeout = 2000 }
            """);

    private static long sleepersOnTheServer() {
        return fixture.cluster().primary().query(
                "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP%'").stream()
                .mapToLong(r -> ((Number) r.get("n")).longValue()).sum();
    }

    @Test
    void aRuleTimeoutAnswers1907AndKillsTheStatementOnTheServer() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> s.executeQuery("SELECT SLEEP(20)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1907);
                        assertThat(e.getMessage()).contains("500 ms");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            Await.until(Duration.ofSeconds(5), "the statement is gone from the server's process list", () -> sleepersOnTheServer() == 0);
            try (ResultSet rs = s.executeQuery("SELECT 'usable'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("usable");
            }
        }
        assertThat(fixture.proxy().stats().queryTimeouts()).isPositive();
        assertThat(fixture.proxy().stats().errorsByCode()).containsKey(1907);
    }

    @Test
    void theDefaultTimeoutAppliesWhenNoRuleSetsOne() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT SLEEP(30)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1907));
            Await.until(Duration.ofSeconds(5), "killed on the server", () -> sleepersOnTheServer() == 0);
            try (ResultSet rs = s.executeQuery("SELECT SLEEP(0.2), 'fast enough'")) {
                rs.next();
                assertThat(rs.getString(2)).isEqualTo("fast enough");
            }
        }
    }

    @Test
    void aTimeoutInsideATransactionLeavesTheTransactionUsable() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.execute("BEGIN");
            assertThatThrownBy(() -> s.executeQuery("SELECT SLEEP(20)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1907));
            try (ResultSet rs = s.executeQuery("SELECT @@in_transaction")) {
                rs.next();
                assertThat(rs.getInt(1)).as("KILL QUERY ends the statement, not the transaction").isEqualTo(1);
            }
            s.execute("ROLLBACK");
        }
    }

    @Test
    void aRuleWithLogWritesOneLinePerMatchingStatement() throws Exception {
        ch.qos.logback.classic.Logger queryLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.switchyard.querylog");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        queryLog.addAppender(lines);
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.executeQuery("SELECT 'audited', 1").close();
            s.executeQuery("SELECT 'not audited'").close();
        } finally {
            queryLog.detachAppender(lines);
        }
        assertThat(lines.list).hasSize(1);
        assertThat(lines.list.get(0).getFormattedMessage()).contains("user=app", "hostgroup=0", "query=SELECT 'audited', 1");
    }
}
