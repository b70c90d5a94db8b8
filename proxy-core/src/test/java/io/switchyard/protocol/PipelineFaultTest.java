package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

class PipelineFaultTest {

    @Test
    void packetLeftHalfSentIsAReadTimeoutNamingTheLimit() {
        PipelineFault fault = PipelineFault.of(new FrameDecoder.PacketStalledException(1000), false);

        assertThat(fault.err()).isEqualTo(new ErrPacket(1159, "08S01",
                "Got timeout reading communication packets: no complete packet within 1000 ms"));
        assertThat(fault.sequenceId(5)).as("no exchange is under way").isZero();
    }

    @Test
    void oversizedPacketWrappedByTheDecoderIsPacketTooLargeNamingTheLimit() {
        PipelineFault fault = PipelineFault.of(new DecoderException(new FrameDecoder.PacketTooLargeException(5000, 4096)), true);

        assertThat(fault.kind()).isEqualTo(PipelineFault.Kind.PROTOCOL);
        assertThat(fault.err().code()).isEqualTo(1153);
        assertThat(fault.err().message()).contains("limit 4096");
    }

    @Test
    void malformedPacketIsABadHandshakeDuringLoginAndAMalformedPacketAfter() {
        ProtocolException broken = new ProtocolException("handshake response too short (3 bytes)");

        PipelineFault atLogin = PipelineFault.of(broken, true);
        PipelineFault afterLogin = PipelineFault.of(new DecoderException(broken), false);

        assertThat(atLogin.err()).isEqualTo(ProxyError.BAD_HANDSHAKE.format(broken.getMessage()));
        assertThat(afterLogin.err()).isEqualTo(ProxyError.MALFORMED_PACKET.format(broken.getMessage()));
        assertThat(afterLogin.sequenceId(3)).isEqualTo(3);
    }

    @Test
    void readPastTheEndOfAPacketIsAMalformedPacket() {
        PipelineFault fault = PipelineFault.of(new IndexOutOfBoundsException("readerIndex(4) + length(2) exceeds writerIndex(5)"), false);

        assertThat(fault.kind()).isEqualTo(PipelineFault.Kind.PROTOCOL);
        assertThat(fault.err().code()).isEqualTo(1835);
    }

    @Test
    void failedSocketOrTlsIsClosedWithoutAnAnswer() {
        assertThat(PipelineFault.of(new IOException("Connection reset by peer"), false))
                .extracting(PipelineFault::kind, PipelineFault::err)
                .containsExactly(PipelineFault.Kind.CONNECTION_FAILED, null);
        assertThat(PipelineFault.of(new DecoderException(new SSLException("bad record MAC")), true).kind())
                .isEqualTo(PipelineFault.Kind.CONNECTION_FAILED);
    }

    @Test
    void anyOtherExceptionIsAnInternalError() {
        IllegalStateException bug = new IllegalStateException("no backend");

        PipelineFault fault = PipelineFault.of(bug, false);

        assertThat(fault.kind()).isEqualTo(PipelineFault.Kind.INTERNAL);
        assertThat(fault.cause()).isSameAs(bug);
        assertThat(fault.err()).isEqualTo(ProxyError.INTERNAL.format(bug.toString()));
    }
}
