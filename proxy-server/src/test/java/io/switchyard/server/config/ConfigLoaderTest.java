package io.switchyard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void misspelledKeyIsRefusedWithFileLineAndTheNearestKnownKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("switchyard.conf");
        Files.writeString(file, "switchyard {\n  frontend { prot = 6033 }\n}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessage("unknown key frontend.prot at " + file + ":2; did you mean frontend.port?");
    }

    @Test
    void unknownKeysAreRefusedAtEveryLevelAndInsideRows() {
        assertThatThrownBy(() -> ConfigLoader.fromString("switchyard.backend.pool.max-conections = 10"))
                .hasMessage("unknown key backend.pool.max-conections at inline config:1; did you mean backend.pool.max-connections?");
        assertThatThrownBy(() -> ConfigLoader.fromString("switchyard.fronted { port = 1 }"))
                .hasMessageStartingWith("unknown key fronted at inline config:1; did you mean frontend?");
        assertThatThrownBy(() -> ConfigLoader.fromString("switchyard { nonsense-setting = 1 }"))
                .hasMessageStartingWith("unknown key nonsense-setting at inline config:1; the keys there are admin, backend,");
        assertThatThrownBy(() -> ConfigLoader.fromString("""
                switchyard.servers = [
                  { hostgroup = 0, host = "127.0.0.1", port = 3306 }
                  { hostgroup = 0, hots = "127.0.0.2", port = 3306 }
                ]
                """))
                .hasMessage("unknown key servers[1].hots at inline config:3; did you mean servers[1].host?");
        assertThatThrownBy(() -> ConfigLoader.fromString("""
                switchyard.servers = [ { hostgroup = 0, host = "127.0.0.1", port = 3306 } ]
                switchyard.users = [ { username = "app", password = "x", default-hostgrop = 0 } ]
                """))
                .hasMessage("unknown key users[0].default-hostgrop at inline config:2; did you mean users[0].default-hostgroup?");
        assertThatThrownBy(() -> ConfigLoader.fromString("""
                switchyard.servers = [ { hostgroup = 0, host = "127.0.0.1", port = 3306 } ]
                switchyard.query-rules = [ { rule-id = 1, match-digest = "^SELECT", cache-ttl = 100 } ]
                """))
                .hasMessageStartingWith("unknown key query-rules[0].cache-ttl at inline config:2;");
    }

    @Test
    void everyKeyOfTheReferenceAndOfEveryRowIsAccepted() {
        SwitchyardConfig config = ConfigLoader.fromString("""
                switchyard {
                  frontend { bind = "127.0.0.1", port = 7000, max-allowed-packet = 1MiB, auth-plugin = caching_sha2_password,
                    max-client-connections = 10, net-read-timeout = 5s, fallback-server-version = "8.0.1", server-version = "",
                    tls { enabled = false, cert = "", key = "", required = false }, rsa { private-key = "", public-key = "" } }
                  admin { bind = "127.0.0.1", port = 7001, username = admin, password = admin }
                  backend { connect-timeout = 1s, tls { enabled = false, trust = trust-all, ca-file = "", verify-hostname = false,
                    required = false }, pool { min-idle = 0, max-connections = 5, idle-timeout = 1m, max-lifetime = 1h,
                    keepalive-interval = 10s, acquire-timeout = 1s } }
                  event-loop-threads = 1
                  metrics { enabled = false, bind = "127.0.0.1", port = 0 }
                  servers = [ { hostgroup = 0, host = "127.0.0.1", port = 3306, status = ONLINE, weight = 1, compression = true,
                    max-connections = 10, max-replication-lag = 0, use-ssl = false, comment = "" }
                    { hostgroup = 1, host = "127.0.0.2", port = 3306 } ]
                  users = [ { username = "app", password = "x", default-schema = "app", default-hostgroup = 0, active = true,
                    max-connections = 10, transaction-persistent = true } ]
                  query-rules = [ { rule-id = 1, active = true, apply = true, flag-in = 0, negate-match-pattern = false,
                    username = "app", schemaname = "app", client-addr = "127.0.0.1", match-digest = "^SELECT",
                    match-pattern = "^SELECT", re-modifiers = "CASELESS", flag-out = 0, replace-pattern = "SELECT",
                    destination-hostgroup = 0, multiplex = 1, timeout = 1s, retries = 1, delay = 0s, log = false,
                    mirror-hostgroup = 1, comment = "" }
                    { rule-id = 2, digest = "0x1234", error-msg = "no" }
                    { rule-id = 3, match-digest = "^DO", ok-msg = "yes" }
                    { rule-id = 4, match-digest = "^SELECT", causal-reads = "local" } ]
                  replication-hostgroups = [ { writer-hostgroup = 0, reader-hostgroup = 1, check-type = read_only, comment = "" } ]
                  variables { mysql-monitor_ping_interval = 1000 }
                }
                """);
        assertThat(config.frontend().port()).isEqualTo(7000);
        assertThat(config.queryRules()).hasSize(4);
        assertThat(config.queryRules().get(3).causalReads()).isEqualTo("local");
        assertThat(config.servers()).extracting(io.switchyard.topology.ServerRow::compression).containsExactly(true, false);
    }

    @Test
    void everyShippedConfigurationFileIsValid() throws Exception {
        for (Path file : List.of(Path.of("../conf/switchyard.conf"), Path.of("../conf/read-write-split.conf"),
                Path.of("../docker/switchyard.conf"))) {
            assertThatCode(() -> ConfigLoader.load(file, Map.of())).as(file.toString()).doesNotThrowAnyException();
        }
        try (var files = Files.list(Path.of("../conf"))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("files checked above")
                    .containsExactlyInAnyOrder("switchyard.conf", "read-write-split.conf");
        }
    }

    @Test
    void syntaxErrorIsOneLineWithFileLineAndTheParsersMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("switchyard.conf");
        Files.writeString(file, "switchyard {\n  servers = [\n    { host = \"a\", port = 1 }\n}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessageStartingWith("syntax error at " + file + ":4: ")
                .hasMessageNotContaining("\n");
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
