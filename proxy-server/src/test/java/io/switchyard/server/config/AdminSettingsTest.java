package io.switchyard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The admin section of the configuration: defaults, and the default password refused where others could use it. */
class AdminSettingsTest {

    @Test
    void defaultsListenOnLoopbackPort6032AsAdmin() {
        SwitchyardConfig.Admin admin = ConfigLoader.fromString("").admin();
        assertThat(admin).isEqualTo(new SwitchyardConfig.Admin("127.0.0.1", 6032, "admin", "admin"));
    }

    @Test
    void defaultPasswordOnANonLoopbackBindIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> ConfigLoader.fromString("switchyard.admin.bind = \"0.0.0.0\""))
                .isInstanceOf(ConfigLoader.ConfigError.class)
                .hasMessageContaining("admin.password")
                .hasMessageContaining("0.0.0.0");
    }

    @Test
    void changedPasswordMayListenEverywhere() {
        SwitchyardConfig.Admin admin = ConfigLoader.fromString("switchyard.admin { bind = \"0.0.0.0\", password = \"s3cret\" }").admin();
        assertThat(admin.bind()).isEqualTo("0.0.0.0");
    }

    @Test
    void environmentOverridesTheAdminPassword() {
        SwitchyardConfig.Admin admin = ConfigLoader.load(null, java.util.Map.of("SWITCHYARD_ADMIN_BIND", "0.0.0.0",
                "SWITCHYARD_ADMIN_PASSWORD", "from-env")).admin();
        assertThat(admin.password()).isEqualTo("from-env");
    }
}
