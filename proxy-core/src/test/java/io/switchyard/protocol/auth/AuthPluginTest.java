package io.switchyard.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuthPluginTest {

    @Test
    void wireNamesAreTheMysqlPluginNames() {
        assertThat(AuthPlugin.MYSQL_NATIVE_PASSWORD.wireName()).isEqualTo("mysql_native_password");
        assertThat(AuthPlugin.CACHING_SHA2_PASSWORD.wireName()).isEqualTo("caching_sha2_password");
        assertThat(AuthPlugin.MYSQL_CLEAR_PASSWORD.wireName()).isEqualTo("mysql_clear_password");
    }

    @Test
    void lookupByWireNameFindsKnownPluginsOnly() {
        assertThat(AuthPlugin.fromWireName("caching_sha2_password"))
                .contains(AuthPlugin.CACHING_SHA2_PASSWORD);
        assertThat(AuthPlugin.fromWireName("client_ed25519")).isEmpty();
        assertThat(AuthPlugin.fromWireName("MYSQL_NATIVE_PASSWORD")).isEmpty();
    }
}
