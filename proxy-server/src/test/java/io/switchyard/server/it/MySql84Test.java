package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.Switchyard;
import io.switchyard.server.config.ConfigLoader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.MySQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The proxy in front of MySQL 8.4, whose users authenticate with {@code caching_sha2_password}:
 * the proxy logs in to the server with that plugin (fast path and full authentication) and
 * relays results. Runs only where a Docker engine is available; skipped otherwise.
 */
@Testcontainers(disabledWithoutDocker = true)
class MySql84Test {

    @Container
    static final MySQLContainer<?> MYSQL = new MySQLContainer<>(DockerImageName.parse("mysql:8.4"))
            .withDatabaseName("app").withUsername("app").withPassword("app-pass");

    @Test
    void queriesRunThroughTheProxyAgainstACachingSha2Server() throws Exception {
        String hocon = """
                switchyard {
                  frontend { bind = "127.0.0.1", port = 0 }
                  metrics { port = 0 }
                  servers = [ { hostgroup = 0, host = "%s", port = %d } ]
                  users = [ { username = "app", password = "app-pass", default-hostgroup = 0 } ]
                }
                """.formatted(MYSQL.getHost(), MYSQL.getMappedPort(3306));
        try (Switchyard proxy = Switchyard.start(ConfigLoader.fromString(hocon))) {
            for (int attempt = 0; attempt < 2; attempt++) {
                try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + proxy.port()
                        + "/app?sslMode=DISABLED&allowPublicKeyRetrieval=true&useServerPrepStmts=true", "app", "app-pass");
                     PreparedStatement ps = c.prepareStatement("SELECT ?, VERSION(), CURRENT_USER()")) {
                    ps.setInt(1, 42);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt(1)).isEqualTo(42);
                        assertThat(rs.getString(2)).startsWith("8.4");
                        assertThat(rs.getString(3)).startsWith("app@");
                    }
                }
            }
        }
    }
}
