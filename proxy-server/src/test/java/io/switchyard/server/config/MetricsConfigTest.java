package io.switchyard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code metrics} block: defaults, environment overrides, validation, and the compose example. */
@Timeout(30)
class MetricsConfigTest {

    @Test
    void metricsAreOnByDefaultOnLoopbackPort6070() {
        SwitchyardConfig.Metrics m = ConfigLoader.load(null, Map.of()).metrics();
        assertThat(m).isEqualTo(new SwitchyardConfig.Metrics(true, "127.0.0.1", 6070));
    }

    @Test
    void environmentVariablesOverrideEachSetting() {
        SwitchyardConfig.Metrics m = ConfigLoader.load(null, Map.of("SWITCHYARD_METRICS_ENABLED", "false",
                "SWITCHYARD_METRICS_BIND", "0.0.0.0", "SWITCHYARD_METRICS_PORT", "9104")).metrics();
        assertThat(m).isEqualTo(new SwitchyardConfig.Metrics(false, "0.0.0.0", 9104));
    }

    @Test
    void portOutsideTheRangeIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> ConfigLoader.fromString("switchyard.metrics.port = 70000"))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessageContaining("inline config")
                .hasMessageContaining("port = 70000 is outside 0..65535");
        assertThatThrownBy(() -> ConfigLoader.fromString("switchyard.metrics.bind = \"\""))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessageContaining("metrics.bind must not be empty");
    }

    @Test
    void composeExampleConfigurationIsValid() {
        SwitchyardConfig config = ConfigLoader.load(repositoryFile("docker/switchyard.conf"), Map.of());
        assertThat(config.metrics()).isEqualTo(new SwitchyardConfig.Metrics(true, "0.0.0.0", 6070));
        assertThat(config.servers()).hasSize(2);
        assertThat(config.rows().replicationHostgroups()).hasSize(1);
        assertThat(config.queryRules()).hasSize(2);
    }

    private static Path repositoryFile(String path) {
        Path here = Path.of(path);
        return Files.exists(here) ? here : Path.of("..").resolve(path);
    }
}
