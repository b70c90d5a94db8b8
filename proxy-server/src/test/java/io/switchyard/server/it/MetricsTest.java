package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.backend.BackendPool;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Prometheus endpoint of a proxy in front of a primary (hostgroup 0) and a replica
 * (hostgroup 1, where {@code ^SELECT} goes), scraped over HTTP while Connector/J clients send a
 * known number of statements: the counters move by exactly what was sent.
 *
 * <p>The statement counters ({@code switchyard_queries_total}, {@code switchyard_errors_total},
 * {@code switchyard_query_duration_seconds}) and the per-server query and byte counters are fed by
 * the data path's recording; their tests are skipped (not passed) while the data path records
 * nothing, and run by themselves once it does.
 */
@Timeout(120)
class MetricsTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(1, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %d, comment = "primary" }
              { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica" }
            ]
            query-rules = [ { rule-id = 1, match-pattern = "^SELECT", destination-hostgroup = 1, apply = true } ]
            """.formatted(cluster.primary().port(), cluster.replicas().get(0).port()));

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int SELECTS = 7;
    private static final int UPDATES = 3;
    private static final int SYNTAX_ERRORS = 2;

    static String primary;
    static String replica;

    @BeforeAll
    static void table() {
        primary = "127.0.0.1:" + fixture.cluster().primary().port();
        replica = "127.0.0.1:" + fixture.cluster().replicas().get(0).port();
        fixture.cluster().primary().execute("CREATE TABLE app.metered (id INT PRIMARY KEY, v INT)", "INSERT INTO app.metered VALUES (1, 0)");
    }

    @Test
    void clientConnectionsAndLoginsAreCounted() throws Exception {
        Await.until(Duration.ofSeconds(5), "sessions of earlier tests have ended", () -> fixture.proxy().sessions().size() == 0);
        Scrape before = scrape();
        assertThat(before.value("switchyard_client_connections")).isZero();
        try (Connection first = fixture.mysql(""); Connection second = fixture.mysql("")) {
            assertThat(first.isValid(5) && second.isValid(5)).isTrue();
            Scrape during = scrape();
            assertThat(during.value("switchyard_client_connections")).isEqualTo(2);
            assertThat(during.delta(before, "switchyard_client_connections_accepted_total")).isEqualTo(2);
        }
        assertThatThrownBy(() -> DriverManager.getConnection(fixture.mysqlUrl(""), MariaDbCluster.APP_USER, "wrong-password").close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1045));

        Await.until(Duration.ofSeconds(5), "the closed sessions leave the gauge", () -> scrape().value("switchyard_client_connections") == 0);
        Scrape after = scrape();
        assertThat(after.delta(before, "switchyard_client_connections_accepted_total")).isEqualTo(3);
        assertThat(after.delta(before, "switchyard_client_auth_failures_total")).isEqualTo(1);
    }

    @Test
    void backendPoolsAndServerStatusAreShownPerServer() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1").close();
            s.executeUpdate("UPDATE metered SET v = v + 1 WHERE id = 1");

            Scrape now = scrape();
            for (BackendPool pool : fixture.proxy().runtime().pools()) {
                String server = pool.address().toString();
                assertThat(now.value("switchyard_backend_connections", "server", server, "state", "used"))
                        .as("used connections of %s", server).isEqualTo(pool.inUse());
                assertThat(now.value("switchyard_backend_connections", "server", server, "state", "free"))
                        .as("free connections of %s", server).isEqualTo(pool.idle());
                assertThat(pool.total()).as("connections open to %s", server).isPositive();
                assertThat(now.value("switchyard_backend_connects_total", "server", server, "result", "ok"))
                        .as("connects of %s", server).isEqualTo(pool.connectOk()).isPositive();
                assertThat(now.value("switchyard_backend_connects_total", "server", server, "result", "error")).isZero();
            }
            assertThat(now.value("switchyard_server_status", "hostgroup", "0", "server", primary, "status", "ONLINE")).isEqualTo(1);
            assertThat(now.value("switchyard_server_status", "hostgroup", "0", "server", primary, "status", "SHUNNED")).isZero();
            assertThat(now.value("switchyard_server_status", "hostgroup", "1", "server", replica, "status", "ONLINE")).isEqualTo(1);
            assertThat(now.samples("switchyard_server_status", "hostgroup", "1", "server", primary)).isEmpty();
        }
    }

    @Test
    void statementsAreCountedByHostgroupKindAndErrorCode() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            long questions = fixture.proxy().stats().questions();
            warmUp(s);
            assertThat(within(Duration.ofSeconds(2), () -> fixture.proxy().stats().questions() >= questions + 2))
                    .as("finished statements are recorded in ProxyStats").isTrue();

            Scrape before = scrape();
            sendKnownStatements(s);
            Scrape after = scrapeWhen(now -> now.delta(before, "switchyard_queries_total") >= SELECTS + UPDATES + SYNTAX_ERRORS);

            assertThat(after.delta(before, "switchyard_queries_total", "hostgroup", "1", "kind", "SELECT")).isEqualTo(SELECTS);
            assertThat(after.delta(before, "switchyard_queries_total", "hostgroup", "0", "kind", "UPDATE")).isEqualTo(UPDATES);
            assertThat(after.delta(before, "switchyard_queries_total", "hostgroup", "0", "kind", "UNKNOWN")).isEqualTo(SYNTAX_ERRORS);
            assertThat(after.delta(before, "switchyard_queries_total")).isEqualTo(SELECTS + UPDATES + SYNTAX_ERRORS);
            assertThat(after.delta(before, "switchyard_errors_total", "code", "1064")).isEqualTo(SYNTAX_ERRORS);
            assertThat(after.delta(before, "switchyard_errors_total")).isEqualTo(SYNTAX_ERRORS);
            assertThat(after.delta(before, "switchyard_query_duration_seconds_count", "hostgroup", "1")).isEqualTo(SELECTS);
            assertThat(after.delta(before, "switchyard_query_duration_seconds_count", "hostgroup", "0")).isEqualTo(UPDATES + SYNTAX_ERRORS);
            assertThat(after.value("switchyard_query_duration_seconds_bucket", "hostgroup", "1", "le", "+Inf"))
                    .isEqualTo(after.value("switchyard_query_duration_seconds_count", "hostgroup", "1"));
            assertThat(after.delta(before, "switchyard_query_duration_seconds_sum")).isPositive();
        }
    }

    @Test
    void backendQueriesAndBytesAreCountedPerServer() throws Exception {
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            long sent = backendQueries();
            warmUp(s);
            assertThat(within(Duration.ofSeconds(2), () -> backendQueries() >= sent + 2))
                    .as("statements are counted per server").isTrue();

            Scrape before = scrape();
            sendKnownStatements(s);
            Scrape after = scrapeWhen(now -> now.delta(before, "switchyard_backend_queries_total") >= SELECTS + UPDATES + SYNTAX_ERRORS);

            assertThat(after.delta(before, "switchyard_backend_queries_total", "server", replica)).isEqualTo(SELECTS);
            assertThat(after.delta(before, "switchyard_backend_queries_total", "server", primary)).isEqualTo(UPDATES + SYNTAX_ERRORS);
            assertThat(after.delta(before, "switchyard_backend_sent_bytes_total", "server", replica)).isPositive();
            assertThat(after.delta(before, "switchyard_backend_received_bytes_total", "server", replica)).isPositive();
            assertThat(after.delta(before, "switchyard_backend_sent_bytes_total", "server", primary)).isPositive();
            assertThat(after.delta(before, "switchyard_backend_received_bytes_total", "server", primary)).isPositive();
        }
    }

    @Test
    void onlyTheMetricsAndConsolePathsAreServed() throws Exception {
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(metrics.body()).contains("# TYPE switchyard_client_connections gauge", "# TYPE jvm_memory_used_bytes gauge");
        assertThat(get("/").statusCode()).as("the console's page").isEqualTo(200);
        assertThat(get("/api/console").statusCode()).as("the console's document").isEqualTo(200);
        assertThat(get("/metrics/more").statusCode()).isEqualTo(404);
        assertThat(get("/api/console/more").statusCode()).isEqualTo(404);
        assertThat(get("/health").statusCode()).isEqualTo(404);
    }

    /**
     * Runs a statement on each hostgroup so that both backend connections of the session exist and
     * carry the session's state: what follows is sent as is, with nothing replayed before it.
     */
    private static void warmUp(Statement s) throws SQLException {
        s.executeQuery("SELECT 0").close();
        s.executeUpdate("UPDATE metered SET v = v WHERE id = 1");
    }

    private static void sendKnownStatements(Statement s) throws SQLException {
        for (int i = 0; i < SELECTS; i++) {
            s.executeQuery("SELECT " + i).close();
        }
        for (int i = 0; i < UPDATES; i++) {
            assertThat(s.executeUpdate("UPDATE metered SET v = v + 1 WHERE id = 1")).isEqualTo(1);
        }
        for (int i = 0; i < SYNTAX_ERRORS; i++) {
            assertThatThrownBy(() -> s.execute("SELEC 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1064));
        }
    }

    private static long backendQueries() {
        return fixture.proxy().runtime().pools().stream().mapToLong(BackendPool::queries).sum();
    }

    /** True when {@code condition} holds within {@code timeout}; for counters recorded just after the client has its reply. */
    private static boolean within(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(25);
        }
        return true;
    }

    /** The first scrape for which {@code ready} holds, polled for up to 5 s (the last one after that). */
    private static Scrape scrapeWhen(Predicate<Scrape> ready) throws InterruptedException {
        Scrape[] last = {scrape()};
        within(Duration.ofSeconds(5), () -> ready.test(last[0] = scrape()));
        return last[0];
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        int port = fixture.proxy().metrics().orElseThrow().port();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static Scrape scrape() {
        try {
            HttpResponse<String> response = get("/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            return Scrape.parse(response.body());
        } catch (IOException e) {
            throw new AssertionError("scrape failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while scraping", e);
        }
    }

    /** One scrape in the Prometheus text format: samples with their labels. */
    record Scrape(List<Sample> samples) {
        private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        static Scrape parse(String text) {
            List<Sample> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Matcher m = LINE.matcher(line);
                assertThat(m.matches()).as("sample line: %s", line).isTrue();
                Map<String, String> labels = new HashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3).replace("+Inf", "Infinity"))));
            }
            return new Scrape(out);
        }

        /** Samples named {@code name} whose labels include the given name/value pairs. */
        List<Sample> samples(String name, String... labelPairs) {
            return samples.stream().filter(s -> s.name().equals(name) && s.has(labelPairs)).toList();
        }

        /** The sum of those samples; 0 when there is none. */
        double value(String name, String... labelPairs) {
            return samples(name, labelPairs).stream().mapToDouble(Sample::value).sum();
        }

        double delta(Scrape before, String name, String... labelPairs) {
            return value(name, labelPairs) - before.value(name, labelPairs);
        }
    }

    record Sample(String name, Map<String, String> labels, double value) {
        boolean has(String... labelPairs) {
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(labels.get(labelPairs[i]))) {
                    return false;
                }
            }
            return true;
        }
    }
}
