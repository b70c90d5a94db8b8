package io.switchyard.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.netty.bootstrap.Bootstrap;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.BackendSettings;
import io.switchyard.frontend.SessionRegistry;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.config.SwitchyardConfig;
import io.switchyard.server.metrics.MetricsEndpoint;
import io.switchyard.server.metrics.SwitchyardMetrics;
import io.switchyard.stats.ProxyStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who may read the console: anyone while the metrics port listens on loopback; the admin user
 * (HTTP basic authentication) while it listens on every address; nobody while it listens off
 * loopback and the admin password is still the default. {@code /metrics} stays open in every
 * case. The requests travel over loopback to a listener bound to {@code 0.0.0.0}.
 */
@Timeout(30)
class ConsoleAccessTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ConfigRuntime runtime;
    private MetricsEndpoint endpoint;

    private void start(String bind, String adminPassword) {
        SwitchyardConfig config = ConfigLoader.fromString("""
                switchyard.servers = [ { host = "127.0.0.1", port = 3306 } ]
                switchyard.admin.password = "%s"
                """.formatted(adminPassword));
        BackendSettings settings = new BackendSettings(1_000, null, false);
        runtime = new ConfigRuntime(config.rows(), config.backend().pool(),
                (address, pool) -> new BackendPool(address, pool, settings, new Bootstrap()));
        ProxyStats stats = new ProxyStats(10);
        SessionRegistry sessions = new SessionRegistry();
        endpoint = MetricsEndpoint.start(bind, 0, SwitchyardMetrics.create(stats, runtime, sessions),
                Console.start(bind, config.admin(), stats, runtime, sessions, null));
    }

    @AfterEach
    void stop() {
        endpoint.close();
        runtime.close();
    }

    private HttpResponse<String> get(String path, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                .timeout(Duration.ofSeconds(10)).GET();
        if (user != null) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onLoopbackThePageAndItsDocumentAreOpen() throws Exception {
        start("127.0.0.1", "admin");
        HttpResponse<String> page = get("/", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>Switchyard console</title>").doesNotContain("https://", "http://cdn");

        HttpResponse<String> api = get("/api/console", null, null);
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.headers().firstValue("Content-Type")).contains("application/json");
        Config doc = ConfigFactory.parseString(api.body());
        assertThat(doc.getConfigList("hostgroups")).hasSize(1);
        Config server = doc.getConfigList("hostgroups").get(0).getConfigList("servers").get(0);
        assertThat(server.getString("server")).isEqualTo("127.0.0.1:3306");
        assertThat(server.getString("status")).isEqualTo("ONLINE");
        assertThat(doc.getLong("history.interval_ms")).isEqualTo(1_000);
        assertThat(doc.getList("digests")).isEmpty();
        assertThat(doc.getIsNull("fleet")).as("no fleet").isTrue();
    }

    @Test
    void offLoopbackTheConsoleAsksForTheAdminCredentials() throws Exception {
        start("0.0.0.0", "s3cret-Console");
        for (String path : new String[] {"/", "/api/console"}) {
            HttpResponse<String> anonymous = get(path, null, null);
            assertThat(anonymous.statusCode()).as("%s without credentials", path).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic "));
            assertThat(get(path, "admin", "wrong").statusCode()).as("%s with a wrong password", path).isEqualTo(401);
            assertThat(get(path, "root", "s3cret-Console").statusCode()).as("%s as another user", path).isEqualTo(401);
            assertThat(get(path, "admin", "s3cret-Console").statusCode()).as("%s as admin", path).isEqualTo(200);
        }
        assertThat(get("/metrics", null, null).statusCode()).as("Prometheus scrapes without credentials").isEqualTo(200);
    }

    @Test
    void offLoopbackWithTheDefaultAdminPasswordNobodyReadsTheConsole() throws Exception {
        start("0.0.0.0", "admin");
        HttpResponse<String> refused = get("/", "admin", "admin");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("admin.password is the default").contains("bind metrics to 127.0.0.1");
        assertThat(get("/api/console", "admin", "admin").statusCode()).isEqualTo(403);
        assertThat(get("/metrics", null, null).statusCode()).isEqualTo(200);
    }
}
