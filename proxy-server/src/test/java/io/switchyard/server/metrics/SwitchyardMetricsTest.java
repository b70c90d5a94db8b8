package io.switchyard.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.BackendSettings;
import io.switchyard.backend.ServerState;
import io.switchyard.frontend.SessionRegistry;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.config.SwitchyardConfig;
import io.switchyard.stats.ProxyStats;
import io.switchyard.stats.StatementKind;
import io.switchyard.topology.ServerRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The meters of a proxy built from a real configuration runtime and real statistics, without
 * any network: the names and types published match the README's table, and per-server meters
 * follow servers loaded and removed at run time.
 */
@Timeout(30)
class SwitchyardMetricsTest {
    private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);
    private static final Pattern README_ROW = Pattern.compile("^\\| `(switchyard_[a-z_]+)` \\| ([a-z]+) \\|", Pattern.MULTILINE);

    private ConfigRuntime runtime;
    private ProxyStats stats;
    private io.switchyard.monitor.Monitor monitor;
    private SwitchyardMetrics metrics;

    @BeforeEach
    void build() {
        SwitchyardConfig config = ConfigLoader.fromString("""
                switchyard {
                  servers = [
                    { hostgroup = 0, host = "127.0.0.1", port = 3306 }
                    { hostgroup = 1, host = "127.0.0.1", port = 3307 }
                    { hostgroup = 1, host = "127.0.0.1", port = 3306 }
                  ]
                  users = [ { username = "app", password = "p" } ]
                }
                """);
        BackendSettings settings = new BackendSettings(1_000, null, false);
        runtime = new ConfigRuntime(config.rows(), config.backend().pool(),
                (address, pool) -> new BackendPool(address, pool, settings, new Bootstrap()));
        stats = new ProxyStats(100);
        metrics = SwitchyardMetrics.create(stats, runtime, new SessionRegistry());
        monitor = new io.switchyard.monitor.Monitor(runtime);
        metrics.bindMonitor(monitor);
        metrics.bindFleet(new FleetOfTwo());
    }

    /** A fleet as its link reports it: this node and one other (fleet mode's meters only read it). */
    private static final class FleetOfTwo implements io.switchyard.admin.FleetLink {
        @Override
        public io.switchyard.runtime.RuntimeConfig load(java.util.function.UnaryOperator<io.switchyard.runtime.RuntimeRows> change,
                                                        java.util.function.Predicate<io.switchyard.runtime.RuntimeRows> editedFrom,
                                                        String statement) throws Refused {
            throw new Refused(io.switchyard.protocol.ProxyError.FLEET_UNAVAILABLE.format(statement, "none", 3));
        }

        @Override
        public List<Node> nodes() {
            return List.of(new Node("a", "127.0.0.1", 6033, 6032, 3, 10, 2, 100, 5.0, List.of(0), true),
                    new Node("b", "127.0.0.1", 6034, 6035, 3, 12, 1, 50, 2.5, List.of(), false));
        }

        @Override
        public Status status() {
            return new Status("test", "a", true, 3);
        }
    }

    @AfterEach
    void close() {
        monitor.close();
        metrics.close();
        runtime.close();
    }

    @Test
    void everyPublishedMetricIsInTheReadmeTableAndNoOther() throws IOException {
        stats.statementDone(1, "app", "app", "127.0.0.1", null, StatementKind.SELECT, 250, 0, 1, 0, 0);
        stats.statementDone(0, "app", "app", "127.0.0.1", null, StatementKind.UPDATE, 900, 1, 0, 1064, 1);
        stats.ruleHit(10);

        Map<String, String> published = new TreeMap<>();
        Matcher m = TYPE_LINE.matcher(metrics.scrape());
        while (m.find()) {
            if (m.group(1).startsWith("switchyard_")) {
                published.put(m.group(1), m.group(2));
            }
        }
        Map<String, String> documented = new TreeMap<>();
        Matcher row = README_ROW.matcher(metricsSection());
        while (row.find()) {
            documented.put(row.group(1), row.group(2));
        }
        assertThat(documented).as("README 'Metrics' table (name and type) against the scrape").isEqualTo(published);
    }

    @Test
    void fleetMetersShowEveryNode() {
        assertThat(metrics.scrape())
                .contains("switchyard_fleet_connected 1.0", "switchyard_fleet_config_version 3.0", "switchyard_fleet_nodes 2.0",
                        "switchyard_fleet_node_client_connections{node=\"b\"} 1.0",
                        "switchyard_fleet_node_queries_per_second{node=\"a\"} 5.0");
    }

    @Test
    void perServerMetersFollowServersLoadedAndRemoved() {
        assertThat(metrics.scrape())
                .contains("switchyard_backend_connections{server=\"127.0.0.1:3307\",state=\"used\"} 0")
                .contains("switchyard_server_status{hostgroup=\"1\",server=\"127.0.0.1:3307\",status=\"ONLINE\"} 1")
                .contains("switchyard_server_status{hostgroup=\"1\",server=\"127.0.0.1:3307\",status=\"SHUNNED\"} 0");

        runtime.update(rows -> rows.withServers(List.of(
                new ServerRow(0, "127.0.0.1", 3306, ServerState.ONLINE, 1, false, 1000, 0, false, ""),
                new ServerRow(1, "127.0.0.1", 3308, ServerState.OFFLINE_SOFT, 1, false, 1000, 0, false, ""))));

        String after = metrics.scrape();
        assertThat(after).doesNotContain("127.0.0.1:3307")
                .doesNotContain("switchyard_server_status{hostgroup=\"1\",server=\"127.0.0.1:3306\"")
                .contains("switchyard_backend_connections{server=\"127.0.0.1:3308\",state=\"free\"} 0")
                .contains("switchyard_server_status{hostgroup=\"1\",server=\"127.0.0.1:3308\",status=\"OFFLINE_SOFT\"} 1")
                .contains("switchyard_server_status{hostgroup=\"0\",server=\"127.0.0.1:3306\",status=\"ONLINE\"} 1");
    }

    @Test
    void shunnedServerShowsTheMonitorsStatus() {
        runtime.pool(new io.switchyard.backend.ServerAddress("127.0.0.1", 3307)).health().shun(ServerState.SHUNNED);
        assertThat(metrics.scrape())
                .contains("switchyard_server_status{hostgroup=\"1\",server=\"127.0.0.1:3307\",status=\"SHUNNED\"} 1")
                .contains("switchyard_server_status{hostgroup=\"1\",server=\"127.0.0.1:3307\",status=\"ONLINE\"} 0");
    }

    /** The README's "Metrics" section, up to the next second-level heading. */
    static String metricsSection() throws IOException {
        String readme = Files.readString(readme());
        int start = readme.indexOf("\n## Metrics\n");
        assertThat(start).as("README has a '## Metrics' section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static Path readme() {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("README.md"), Path.of("../README.md")));
        return candidates.stream().filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new AssertionError("README.md not found from " + Path.of("").toAbsolutePath()));
    }
}
