package io.switchyard.protocol;

import static io.switchyard.protocol.Payloads.decode;
import static io.switchyard.protocol.Payloads.encode;
import static io.switchyard.protocol.Payloads.firstPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrPacketTest {

    @Test
    void capturedErrorDecodesAndEncodesBackToTheSameBytes() {
        byte[] payload = firstPayload(CapturedPackets.EOF_ERROR);

        ErrPacket err = decode(payload, ErrPacket::decode);

        assertThat(err).isEqualTo(new ErrPacket(1146, "42S02", "Table 'test.no_such_table' doesn't exist"));
        assertThat(encode(err::encode)).isEqualTo(payload);
    }

    @Test
    void errorRoundTripsWithNonAsciiMessage() {
        ErrPacket err = new ErrPacket(9001, "08S01", "no healthy server in hostgroup 1 within 3000 ms — retry later");

        assertThat(decode(encode(err::encode), ErrPacket::decode)).isEqualTo(err);
    }

    @Test
    void errorWithoutSqlStateMarkerGetsTheGeneralState() {
        byte[] payload = encode(out -> out.writeByte(0xff).writeShortLE(1040)
                .writeCharSequence("Too many connections", StandardCharsets.UTF_8));

        assertThat(decode(payload, ErrPacket::decode)).isEqualTo(new ErrPacket(1040, "HY000", "Too many connections"));
    }

    @Test
    void packetWithoutTheErrHeaderIsRefused() {
        byte[] ok = firstPayload(CapturedPackets.EOF_PING);

        assertThatThrownBy(() -> decode(ok, ErrPacket::decode)).isInstanceOf(ProtocolException.class);
    }
}
