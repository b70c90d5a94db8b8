package io.switchyard.protocol;

import static io.switchyard.protocol.Payloads.decode;
import static io.switchyard.protocol.Payloads.encode;
import static io.switchyard.protocol.Payloads.firstPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HandshakeV10Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void mariadbGreetingDecodesWithExtendedCapabilities() {
        // given MariaDB's greeting, which clears CLIENT_MYSQL and sends extended capabilities
        byte[] payload = firstPayload(CapturedPackets.HANDSHAKE);

        // when decoded
        HandshakeV10 hs = decode(payload, HandshakeV10::decode);

        // then every field is read, the extended flags in bits 32..63
        assertThat(hs.serverVersion()).isEqualTo("5.5.5-10.11.19-MariaDB-0+deb12u1");
        assertThat(hs.connectionId()).isEqualTo(16);
        assertThat(HEX.formatHex(hs.seed())).isEqualTo("706b465c7d7d212536213f5a295965733034552f");
        assertThat(hs.capabilities()).isEqualTo(0x1d_81ff_f7feL);
        assertThat(Capability.has(hs.capabilities(), Capability.CLIENT_MYSQL)).isFalse();
        assertThat(Capability.has(hs.capabilities(), Capability.MARIADB_CLIENT_EXTENDED_TYPE_INFO)).isTrue();
        assertThat(Capability.has(hs.capabilities(), Capability.CLIENT_DEPRECATE_EOF)).isTrue();
        assertThat(hs.collation()).isEqualTo(45);
        assertThat(hs.statusFlags()).isEqualTo(ServerStatus.AUTOCOMMIT);
        assertThat(hs.authPluginName()).isEqualTo("mysql_native_password");
    }

    @Test
    void mariadbGreetingEncodesBackToTheCapturedBytes() {
        byte[] payload = firstPayload(CapturedPackets.HANDSHAKE);
        HandshakeV10 hs = decode(payload, HandshakeV10::decode);

        byte[] encoded = encode(hs::encode);

        assertThat(encoded).isEqualTo(payload);
        assertThat(decode(encoded, HandshakeV10::decode)).usingRecursiveComparison().isEqualTo(hs);
    }

    @Test
    void mysqlGreetingRoundTripsWithoutExtendedCapabilities() {
        // given a MySQL-style greeting: CLIENT_MYSQL set, so the filler carries no extended flags
        byte[] seed = HEX.parseHex("0102030405060708090a0b0c0d0e0f1011121314");
        long caps = Capability.CLIENT_MYSQL | Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION
                | Capability.CLIENT_PLUGIN_AUTH | Capability.CLIENT_DEPRECATE_EOF | Capability.CLIENT_SSL;
        HandshakeV10 hs = new HandshakeV10("8.4.3", 0xfedcba98L, seed, caps, 255, ServerStatus.AUTOCOMMIT,
                "caching_sha2_password");

        // when encoded and decoded
        HandshakeV10 decoded = decode(encode(hs::encode), HandshakeV10::decode);

        // then nothing changes
        assertThat(decoded).usingRecursiveComparison().isEqualTo(hs);
    }

    @Test
    void extendedFillerIsIgnoredWhenClientMysqlIsSet() {
        // given the captured greeting with CLIENT_MYSQL switched on (the filler still holds 0x1d)
        byte[] payload = firstPayload(CapturedPackets.HANDSHAKE);
        int capsOffset = 1 + "5.5.5-10.11.19-MariaDB-0+deb12u1".length() + 1 + 4 + 8 + 1;
        payload[capsOffset] |= 1;

        // when decoded, then bits 32..63 stay clear
        HandshakeV10 hs = decode(payload, HandshakeV10::decode);
        assertThat(hs.capabilities() >>> 32).isZero();
        assertThat(Capability.has(hs.capabilities(), Capability.CLIENT_MYSQL)).isTrue();
    }

    @Test
    void errorInsteadOfAGreetingNamesTheServersMessage() {
        // given the ERR a server sends instead of a greeting (no SQLSTATE marker at this stage)
        byte[] payload = encode(out -> out.writeByte(0xff).writeShortLE(1040)
                .writeCharSequence("Too many connections", java.nio.charset.StandardCharsets.UTF_8));

        assertThatThrownBy(() -> decode(payload, HandshakeV10::decode))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("Too many connections");
    }

    @Test
    void otherProtocolVersionsAreRefused() {
        assertThatThrownBy(() -> decode(new byte[] {9, 0}, HandshakeV10::decode))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("version 9");
    }
}
