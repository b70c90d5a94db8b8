package io.switchyard.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/grafana-dashboard.json} asks only for metrics the proxy publishes: every
 * {@code switchyard_*} name in a panel's query is a row of the README's metrics table (which
 * {@link SwitchyardMetricsTest} checks against a scrape), histogram series included.
 */
class GrafanaDashboardTest {
    private static final Pattern METRIC = Pattern.compile("switchyard_[a-z0-9_]+");
    private static final Pattern README_ROW = Pattern.compile("^\\| `(switchyard_[a-z_]+)` \\| ([a-z]+) \\|", Pattern.MULTILINE);

    @Test
    @SuppressWarnings("unchecked")
    void everyMetricTheDashboardQueriesIsPublished() throws Exception {
        Path file = Files.isRegularFile(Path.of("../docker/grafana-dashboard.json")) ? Path.of("../docker/grafana-dashboard.json")
                : Path.of("docker/grafana-dashboard.json");
        Map<String, Object> dashboard = ConfigFactory.parseString(Files.readString(file)).root().unwrapped();
        List<String> queries = new ArrayList<>();
        for (Object panel : (List<Object>) dashboard.get("panels")) {
            for (Object target : (List<Object>) ((Map<String, Object>) panel).get("targets")) {
                queries.add(String.valueOf(((Map<String, Object>) target).get("expr")));
            }
        }
        Set<String> queried = new TreeSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                queried.add(m.group().replaceFirst("_(bucket|count|sum)$", ""));
            }
        }
        Set<String> published = new TreeSet<>();
        Matcher row = README_ROW.matcher(SwitchyardMetricsTest.metricsSection());
        while (row.find()) {
            published.add(row.group(1));
        }
        assertThat(queries).as("panels with queries").hasSizeGreaterThanOrEqualTo(12);
        assertThat(queried).as("metrics the dashboard queries").isNotEmpty();
        assertThat(published).as("the dashboard's metrics are published").containsAll(queried);
    }
}
