package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.testing.Await;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@code docker/compose.yaml} as a user runs it: {@code docker compose up --build} of a MySQL 8.4
 * primary and replica with the image built from {@code docker/Dockerfile} in front. Runs after
 * {@code package} (failsafe: the image copies target/switchyard.jar) and only where a Docker
 * engine and the {@code docker compose} command are available; skipped otherwise.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerComposeIT {
    private static final Duration START = Duration.ofMinutes(5);

    @Container
    static final ComposeContainer COMPOSE = new ComposeContainer(composeFile())
            .withLocalCompose(true)
            .withBuild(true)
            .withRemoveVolumes(true)
            .withExposedService("switchyard", 6033, Wait.forListeningPort().withStartupTimeout(START))
            .withExposedService("switchyard", 6070, Wait.forHttp("/metrics").forStatusCode(200).withStartupTimeout(START));

    private static File composeFile() {
        Path here = Path.of("docker/compose.yaml");
        return (Files.exists(here) ? here : Path.of("..").resolve(here)).toAbsolutePath().toFile();
    }

    private static Connection connect() throws SQLException {
        String url = "jdbc:mysql://" + COMPOSE.getServiceHost("switchyard", 6033) + ":"
                + COMPOSE.getServicePort("switchyard", 6033) + "/app?sslMode=DISABLED&allowPublicKeyRetrieval=true";
        return DriverManager.getConnection(url, "app", "app-pass");
    }

    @Test
    void writesReachThePrimaryAndReadsTheReplicaThroughTheImage() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS compose_check (id INT PRIMARY KEY, v VARCHAR(10))");
            s.executeUpdate("REPLACE INTO compose_check VALUES (1, 'written')");
            Await.until(Duration.ofSeconds(30), "the row replicates and a read through the proxy finds it", () -> {
                try (ResultSet rs = s.executeQuery("SELECT v FROM compose_check WHERE id = 1")) {
                    return rs.next() && rs.getString(1).equals("written");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("reads go to the replica (server id 2)").isEqualTo(2);
            }
        }
    }

    @Test
    void theImageServesMetrics() throws Exception {
        URI metrics = URI.create("http://" + COMPOSE.getServiceHost("switchyard", 6070) + ":"
                + COMPOSE.getServicePort("switchyard", 6070) + "/metrics");
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("switchyard_");
    }
}
