package io.switchyard.protocol;

import static io.switchyard.protocol.Payloads.decode;
import static io.switchyard.protocol.Payloads.encode;
import static io.switchyard.protocol.Payloads.firstPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeResponse41Test {

    @Test
    void mariadbClientResponseDecodesWithAttributesAndExtendedCapabilities() {
        // given the response of the mariadb command-line client
        byte[] payload = firstPayload(CapturedPackets.CLIENT_HANDSHAKE_RESPONSE);

        // when decoded
        HandshakeResponse41 response = decode(payload, HandshakeResponse41::decode);

        // then
        assertThat(response.isSslRequest()).isFalse();
        assertThat(response.capabilities()).isEqualTo(0x1d_00bf_a28cL);
        assertThat(Capability.has(response.capabilities(), Capability.MARIADB_CLIENT_PROGRESS)).isTrue();
        assertThat(Capability.has(response.capabilities(), Capability.CLIENT_MYSQL)).isFalse();
        assertThat(response.maxPacketSize()).isEqualTo(1024 * 1024);
        assertThat(response.collation()).isEqualTo(33);
        assertThat(response.username()).isEqualTo("root");
        assertThat(response.authResponse()).isEmpty();
        assertThat(response.database()).isEqualTo("test");
        assertThat(response.authPluginName()).isEqualTo("mysql_native_password");
        assertThat(response.attributes()).containsExactly(
                entry("_os", "Linux"),
                entry("_client_name", "libmariadb"),
                entry("_pid", "14839"),
                entry("_client_version", "3.3.20"),
                entry("_platform", "x86_64"),
                entry("program_name", "mysql"),
                entry("_server_host", "127.0.0.1"));
    }

    @Test
    void mariadbClientResponseEncodesBackToTheCapturedBytes() {
        byte[] payload = firstPayload(CapturedPackets.CLIENT_HANDSHAKE_RESPONSE);
        HandshakeResponse41 response = decode(payload, HandshakeResponse41::decode);

        byte[] encoded = encode(response::encode);

        assertThat(encoded).isEqualTo(payload);
        assertThat(decode(encoded, HandshakeResponse41::decode)).usingRecursiveComparison().isEqualTo(response);
    }

    @Test
    void sslRequestIs32BytesAndKeepsExtendedCapabilities() {
        // given an SSL request from a MariaDB client
        long caps = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION | Capability.CLIENT_SSL
                | Capability.CLIENT_PLUGIN_AUTH | Capability.MARIADB_CLIENT_EXTENDED_TYPE_INFO;
        HandshakeResponse41 request = new HandshakeResponse41(caps, 1 << 24, 45, null, new byte[0], null, null, Map.of());

        // when encoded and decoded
        byte[] encoded = encode(request::encode);
        HandshakeResponse41 decoded = decode(encoded, HandshakeResponse41::decode);

        // then
        assertThat(encoded).hasSize(HandshakeResponse41.SSL_REQUEST_LENGTH);
        assertThat(decoded.isSslRequest()).isTrue();
        assertThat(decoded).usingRecursiveComparison().isEqualTo(request);
    }

    @Test
    void mysqlClientResponseRoundTripsWithoutExtendedCapabilities() {
        // given a MySQL client (CLIENT_MYSQL set) with a 1-byte-length auth response and no database
        long caps = Capability.CLIENT_MYSQL | Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION
                | Capability.CLIENT_PLUGIN_AUTH | Capability.CLIENT_CONNECT_WITH_DB | Capability.CLIENT_CONNECT_ATTRS;
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("_client_name", "libmysql");
        attrs.put("_client_version", "8.4.3");
        HandshakeResponse41 response = new HandshakeResponse41(caps, 1 << 30, 255, "app",
                new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, null,
                "mysql_native_password", attrs);

        // when encoded and decoded
        HandshakeResponse41 decoded = decode(encode(response::encode), HandshakeResponse41::decode);

        // then nothing changes
        assertThat(decoded).usingRecursiveComparison().isEqualTo(response);
    }

    @Test
    void responseShorterThanAnSslRequestIsRefused() {
        assertThatThrownBy(() -> decode(new byte[31], HandshakeResponse41::decode))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("31 bytes");
    }

    @Test
    void clientWithoutProtocol41IsRefused() {
        assertThatThrownBy(() -> decode(new byte[32], HandshakeResponse41::decode))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("4.1");
    }
}
