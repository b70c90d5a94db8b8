package io.switchyard.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.BackendSettings;
import io.switchyard.frontend.SessionRegistry;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.config.SwitchyardConfig;
import io.switchyard.server.console.Console;
import io.switchyard.stats.ProxyStats;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP side of the endpoint on a loopback port: what it answers, and a clear error when its port is taken. */
@Timeout(30)
class MetricsEndpointTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ConfigRuntime runtime;
    private MetricsEndpoint endpoint;

    @BeforeEach
    void start() {
        SwitchyardConfig config = ConfigLoader.fromString("switchyard.servers = [ { host = \"127.0.0.1\", port = 3306 } ]");
        BackendSettings settings = new BackendSettings(1_000, null, false);
        runtime = new ConfigRuntime(config.rows(), config.backend().pool(),
                (address, pool) -> new BackendPool(address, pool, settings, new Bootstrap()));
        endpoint = MetricsEndpoint.start("127.0.0.1", 0, SwitchyardMetrics.create(new ProxyStats(10), runtime, new SessionRegistry()),
                console(config));
    }

    private Console console(SwitchyardConfig config) {
        return Console.start("127.0.0.1", config.admin(), new ProxyStats(10), runtime, new SessionRegistry(), null);
    }

    @AfterEach
    void stop() {
        endpoint.close();
        runtime.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void getMetricsAnswersInThePrometheusTextFormat() throws Exception {
        HttpResponse<String> r = send("GET", "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains(SwitchyardMetrics.CONTENT_TYPE);
        assertThat(r.body()).contains("switchyard_backend_connections{server=\"127.0.0.1:3306\",state=\"used\"} 0");
        assertThat(send("HEAD", "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void otherPathsAreNotFoundAndOtherMethodsNotAllowed() throws Exception {
        assertThat(send("GET", "/").statusCode()).as("the console's page").isEqualTo(200);
        assertThat(send("GET", "/index.html").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/metricsx").statusCode()).isEqualTo(404);
        for (String path : new String[] {"/metrics", "/", "/api/console"}) {
            HttpResponse<String> post = send("POST", path);
            assertThat(post.statusCode()).as("POST %s", path).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
        }
    }

    @Test
    void aTakenPortFailsWithTheSettingsToChange() {
        SwitchyardMetrics second = SwitchyardMetrics.create(new ProxyStats(10), runtime, new SessionRegistry());
        SwitchyardConfig config = ConfigLoader.fromString("switchyard.servers = []");
        assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1", endpoint.port(), second, console(config)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + endpoint.port())
                .hasMessageContaining("switchyard.metrics.port")
                .hasMessageContaining("switchyard.metrics.enabled = false");
    }
}
