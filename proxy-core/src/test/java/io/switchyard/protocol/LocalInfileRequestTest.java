package io.switchyard.protocol;

import static io.switchyard.protocol.Payloads.decode;
import static io.switchyard.protocol.Payloads.encode;
import static io.switchyard.protocol.Payloads.firstPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LocalInfileRequestTest {

    @Test
    void capturedFileRequestDecodesAndEncodesBackToTheSameBytes() {
        byte[] payload = firstPayload(CapturedPackets.EOF_LOCAL_INFILE);

        LocalInfileRequest request = decode(payload, LocalInfileRequest::decode);

        assertThat(request).isEqualTo(new LocalInfileRequest("codec.txt"));
        assertThat(encode(request::encode)).isEqualTo(payload);
    }

    @Test
    void columnCountThatFollowsTheSameQueryIsNotAFileRequest() {
        byte[] columnCount = firstPayload(CapturedPackets.EOF_SELECT_1);

        assertThat(decode(firstPayload(CapturedPackets.EOF_LOCAL_INFILE), LocalInfileRequest::is)).isTrue();
        assertThat(decode(columnCount, LocalInfileRequest::is)).isFalse();
        assertThatThrownBy(() -> decode(columnCount, LocalInfileRequest::decode)).isInstanceOf(ProtocolException.class);
    }
}
