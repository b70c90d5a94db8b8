package io.switchyard.protocol;

import static io.switchyard.protocol.Payloads.decode;
import static io.switchyard.protocol.Payloads.encode;
import static io.switchyard.protocol.Payloads.firstPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AuthSwitchRequestTest {

    @Test
    void capturedSwitchToNativePasswordDecodesAndEncodesBackToTheSameBytes() {
        byte[] payload = firstPayload(CapturedPackets.AUTH_SWITCH_TO_NATIVE);

        AuthSwitchRequest request = decode(payload, in -> AuthSwitchRequest.decode(in, "unused"));

        assertThat(request.pluginName()).isEqualTo("mysql_native_password");
        assertThat(request.seed()).isEqualTo(HexFormat.of().parseHex("2e2777483e3d58234366586825774d5a5b3a4f60"));
        assertThat(encode(request::encode)).isEqualTo(payload);
    }

    @Test
    void bareSwitchHeaderMeansTheDefaultPluginWithTheGreetingsSeed() {
        AuthSwitchRequest request = decode(new byte[] {(byte) 0xfe}, in -> AuthSwitchRequest.decode(in, "mysql_native_password"));

        assertThat(request.pluginName()).isEqualTo("mysql_native_password");
        assertThat(request.seed()).isEmpty();
    }

    @Test
    void isRecognisesOnlyTheSwitchHeader() {
        assertThat(decode(firstPayload(CapturedPackets.AUTH_SWITCH_TO_NATIVE), AuthSwitchRequest::is)).isTrue();
        assertThat(decode(firstPayload(CapturedPackets.EOF_PING), AuthSwitchRequest::is)).isFalse();
        assertThat(AuthSwitchRequest.is(Unpooled.EMPTY_BUFFER)).isFalse();
    }

    @Test
    void packetWithoutTheSwitchHeaderIsRefused() {
        byte[] ok = firstPayload(CapturedPackets.EOF_PING);

        assertThatThrownBy(() -> decode(ok, in -> AuthSwitchRequest.decode(in, "mysql_native_password")))
                .isInstanceOf(ProtocolException.class);
    }
}
