package io.switchyard.protocol;

import static io.switchyard.protocol.Payloads.decode;
import static io.switchyard.protocol.Payloads.encode;
import static io.switchyard.protocol.Payloads.firstPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.switchyard.protocol.auth.CachingSha2Password;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * MariaDB sends no AuthMoreData, so these fixtures follow the packets MySQL's
 * {@code caching_sha2_password} documents: {@code 01 03} (fast authentication succeeded),
 * {@code 01 04} (send the full password) and {@code 01} followed by a PEM public key.
 */
class AuthMoreDataTest {

    @Test
    void fastAuthenticationResultDecodesToItsStatusAndEncodesBack() {
        byte[] payload = {0x01, 0x03};

        AuthMoreData more = decode(payload, AuthMoreData::decode);

        assertThat(more.status()).isEqualTo(CachingSha2Password.FAST_AUTH_SUCCESS);
        assertThat(encode(more::encode)).isEqualTo(payload);
    }

    @Test
    void publicKeyIsCarriedAsTheWholeData() {
        byte[] pem = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".getBytes(StandardCharsets.US_ASCII);
        byte[] payload = encode(out -> out.writeByte(0x01).writeBytes(pem));

        AuthMoreData more = decode(payload, AuthMoreData::decode);

        assertThat(more.data()).isEqualTo(pem);
    }

    @Test
    void emptyDataHasNoStatus() {
        assertThat(decode(new byte[] {0x01}, AuthMoreData::decode).status()).isEqualTo(-1);
    }

    @Test
    void isRecognisesOnlyTheMoreDataHeader() {
        assertThat(decode(new byte[] {0x01, 0x04}, AuthMoreData::is)).isTrue();
        assertThat(decode(firstPayload(CapturedPackets.EOF_PING), AuthMoreData::is)).isFalse();
        assertThat(AuthMoreData.is(Unpooled.EMPTY_BUFFER)).isFalse();
    }

    @Test
    void packetWithoutTheMoreDataHeaderIsRefused() {
        byte[] ok = firstPayload(CapturedPackets.EOF_PING);

        assertThatThrownBy(() -> decode(ok, AuthMoreData::decode)).isInstanceOf(ProtocolException.class);
    }
}
