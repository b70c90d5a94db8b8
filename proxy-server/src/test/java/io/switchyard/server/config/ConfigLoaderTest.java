package io.switchyard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void shippedExampleConfigIsValid() {
        SwitchyardConfig config = ConfigLoader.load(Path.of("../conf/switchyard.conf"), Map.of());
        assertThat(config.frontend().port()).isEqualTo(6033);
        assertThat(config.servers()).hasSize(1);
        assertThat(config.users()).extracting(u -> u.username()).containsExactly("app");
    }

    @Test
    void shippedReadWriteSplitExampleIsValid() {
        SwitchyardConfig config = ConfigLoader.load(Path.of("../conf/read-write-split.conf"), Map.of());
        assertThat(config.servers()).hasSize(3);
        assertThat(config.queryRules()).extracting(r -> r.destinationHostgroup()).containsExactly(0, 1);
    }

    @Test
    void invalidRegexInARuleIsRejectedNamingTheRule() {
        assertThatThrownBy(() -> ConfigLoader.fromString("""
                switchyard.servers = [ { hostgroup = 0, host = "127.0.0.1", port = 3306 } ]
                switchyard.query-rules = [ { rule-id = 42, match-pattern = "^SELECT (", destination-hostgroup = 0 } ]
                """))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessageContaining("rule 42")
                .hasMessageContaining("match_pattern");
    }

    @Test
    void ruleSendingToAnUnknownHostgroupIsRejected() {
        assertThatThrownBy(() -> ConfigLoader.fromString("""
                switchyard.servers = [ { hostgroup = 0, host = "127.0.0.1", port = 3306 } ]
                switchyard.query-rules = [ { rule-id = 7, match-pattern = "^SELECT", destination-hostgroup = 9 } ]
                """))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessageContaining("rule_id=7")
                .hasMessageContaining("destination_hostgroup 9");
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        SwitchyardConfig config = ConfigLoader.fromString("");
        assertThat(config.frontend().port()).isEqualTo(6033);
        assertThat(config.frontend().maxAllowedPacket()).isEqualTo(64L * 1024 * 1024);
        assertThat(config.backend().pool().acquireTimeoutMillis()).isEqualTo(10_000);
    }

    @Test
    void environmentVariableOverridesOneSetting(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.conf");
        Files.writeString(file, "switchyard.frontend.port = 7000\n");
        SwitchyardConfig config = ConfigLoader.load(file, Map.of("SWITCHYARD_FRONTEND_PORT", "7033",
                "SWITCHYARD_BACKEND_POOL_MAX_CONNECTIONS", "7"));
        assertThat(config.frontend().port()).isEqualTo(7033);
        assertThat(config.backend().pool().maxConnections()).isEqualTo(7);
    }

    @Test
    void errorsNameTheSettingAndTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "switchyard {\n  frontend {\n    port = 70000\n  }\n}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessageContaining("port")
                .hasMessageContaining("bad.conf")
                .hasMessageContaining(": 3");
    }

    @Test
    void userInAHostgroupWithoutServersIsRejected() {
        assertThatThrownBy(() -> ConfigLoader.fromString("""
                switchyard.servers = [ { hostgroup = 0, host = "127.0.0.1", port = 3306 } ]
                switchyard.users = [ { username = "app", password = "x", default-hostgroup = 5 } ]
                """))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessageContaining("username='app'")
                .hasMessageContaining("default_hostgroup 5");
    }

    @Test
    void badPoolSettingIsRejectedWithItsName() {
        assertThatThrownBy(() -> ConfigLoader.fromString("switchyard.backend.pool.max-connections = 0"))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessageContaining("backend.pool.max-connections");
    }

    @Test
    void malformedHashedPasswordIsRejected() {
        assertThatThrownBy(() -> ConfigLoader.fromString("""
                switchyard.servers = [ { hostgroup = 0, host = "127.0.0.1", port = 3306 } ]
                switchyard.users = [ { username = "app", password = "*NOTHEX0000000000000000000000000000000000" } ]
                """))
                .isInstanceOf(ConfigLoader.ConfigError.class);
    }
}
