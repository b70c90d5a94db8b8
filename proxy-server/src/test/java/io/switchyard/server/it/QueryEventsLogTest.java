package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The query events log through a real client: a statement matched by a rule with {@code log},
 * one slower than {@code mysql-long_query_time} and, with {@code mysql-eventslog_default_log = 1},
 * every statement but those of a rule with {@code log = 0} become JSON lines with where they ran
 * and how they ended; statements nothing asks for are not logged.
 */
class QueryEventsLogTest {

    private static List<Map<String, Object>> lines(Path base) {
        Path file = base.resolveSibling(base.getFileName() + ".00000001");
        List<Map<String, Object>> out = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            try {
                for (String line : Files.readAllLines(file)) {
                    out.add(ConfigFactory.parseString(line).root().unwrapped());
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    private static List<String> digestTexts(Path base) {
        return lines(base).stream().map(m -> String.valueOf(m.get("digest_text"))).toList();
    }

    @Test
    void loggedStatementsBecomeJsonLinesWithWhereTheyRanAndHowTheyEnded() throws Exception {
        Path dir = Files.createTempDirectory("switchyard-eventslog");
        Path base = dir.resolve("events");
        String hocon = """
                query-rules = [
                  { rule-id = 1, match-digest = "^SELECT \\\\? AS logged", log = true }
                  { rule-id = 2, match-digest = "^SELECT \\\\? AS quiet", log = false }
                ]
                variables { mysql-eventslog_filename = "%s", mysql-long_query_time = 300 }
                """.formatted(base);
        try (ProxyFixture fixture = ProxyFixture.start(0, hocon);
             Connection c = fixture.mysql("");
             Statement s = c.createStatement()) {
            MariaDbServer primary = fixture.cluster().primary();
            try (ResultSet rs = s.executeQuery("SELECT 'x' AS logged")) {
                rs.next();
            }
            s.executeQuery("SELECT 1 AS fast").close();
            s.executeQuery("SELECT SLEEP(0.5) AS slow").close();
            SQLException missing = null;
            try {
                s.executeQuery("SELECT 2 AS logged FROM no_such_table").close();
            } catch (SQLException e) {
                missing = e;
            }
            assertThat((Throwable) missing).isNotNull();
            Await.until(Duration.ofSeconds(5), "three lines", () -> lines(base).size() == 3);
            List<Map<String, Object>> logged = lines(base);
            assertThat(digestTexts(base)).containsExactly("SELECT ? AS logged", "SELECT SLEEP(?) AS slow",
                    "SELECT ? AS logged FROM no_such_table");
            Map<String, Object> first = logged.get(0);
            assertThat(first).containsEntry("user", "app").containsEntry("schema", "app").containsEntry("client", "127.0.0.1")
                    .containsEntry("hostgroup", 0).containsEntry("server", primary.host() + ":" + primary.port())
                    .containsEntry("rows_sent", 1).containsEntry("error", 0);
            assertThat(first.get("digest").toString()).startsWith("0x");
            assertThat(((Number) logged.get(1).get("duration_us")).longValue()).as("the slow one").isGreaterThanOrEqualTo(500_000);
            assertThat(logged.get(2)).containsEntry("error", 1146);

            fixture.proxy().runtime().update(rows -> rows.withVariables(rows.variables().with("mysql-eventslog_default_log", "1")));
            s.executeQuery("SELECT 3 AS everything").close();
            s.executeQuery("SELECT 4 AS quiet").close();
            s.executeQuery("SELECT 5 AS last").close();
            Await.until(Duration.ofSeconds(5), "two more lines", () -> lines(base).size() == 5);
            assertThat(digestTexts(base)).endsWith("SELECT ? AS everything", "SELECT ? AS last");
            assertThat(fixture.proxy().stats().events().written()).isEqualTo(5);
            assertThat(fixture.proxy().stats().events().lost()).isZero();
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
