package io.switchyard.protocol;

import static io.switchyard.protocol.Payloads.decode;
import static io.switchyard.protocol.Payloads.encode;
import static io.switchyard.protocol.Payloads.firstPayload;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class OkPacketTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void lengthEncodedIntegersOfTwoToTheSixtyThreeOrMoreTakeNineBytes() {
        for (long value : new long[] {-1L, Long.MIN_VALUE, 0xfbL, 0xffffL, 0x1000000L, 250L}) {
            ByteBuf buf = Unpooled.buffer();
            Wire.writeLenEncInt(buf, value);
            int expected = Long.compareUnsigned(value, 0xfb) < 0 ? 1 : Long.compareUnsigned(value, 0x10000) < 0 ? 3
                    : Long.compareUnsigned(value, 0x1000000) < 0 ? 4 : 9;
            assertThat(buf.readableBytes()).as("bytes for %s", Long.toUnsignedString(value)).isEqualTo(expected);
            assertThat(Wire.readLenEncInt(buf)).isEqualTo(value);
            buf.release();
        }
    }

    @Test
    void capturedOkWithInfoReportsStatusWarningsAndAffectedRows() {
        // given the OK after an INSERT of two rows (session-track form, info length-encoded)
        byte[] ok = firstPayload(CapturedPackets.EOF_INSERT);

        // then the steering fields are read without decoding the rest
        assertThat(statusFlags(ok)).isEqualTo(ServerStatus.AUTOCOMMIT);
        assertThat(warnings(ok)).isZero();
        assertThat(affectedRows(ok)).isEqualTo(2);
    }

    @Test
    void eofPacketReportsItsWarningsAndStatus() {
        // given the EOF that ends the rows of a SELECT with one warning
        byte[] eof = lastPayload(CapturedPackets.EOF_WARNINGS);
        assertThat(HEX.formatHex(eof)).isEqualTo("fe01000200");

        assertThat(statusFlags(eof)).isEqualTo(ServerStatus.AUTOCOMMIT);
        assertThat(warnings(eof)).isEqualTo(1);
    }

    @Test
    void okWithEofHeaderUnderDeprecateEofReportsItsWarningsAndStatus() {
        // given the 7-byte 0xFE OK that ends the same rows under CLIENT_DEPRECATE_EOF
        byte[] ok = lastPayload(CapturedPackets.DEPRECATE_EOF_WARNINGS);
        assertThat(HEX.formatHex(ok)).isEqualTo("fe000002000100");

        assertThat(statusFlags(ok)).isEqualTo(ServerStatus.AUTOCOMMIT);
        assertThat(warnings(ok)).isEqualTo(1);
    }

    @Test
    void intermediateEofOfAMultiStatementCarriesMoreResultsExists() {
        byte[] eof = Arrays.copyOfRange(CapturedPackets.bytes(CapturedPackets.EOF_MULTI), 41 + 6 + 4, 41 + 6 + 9);
        assertThat(HEX.formatHex(eof)).isEqualTo("fe00000a00");

        assertThat(statusFlags(eof)).isEqualTo(ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS);
    }

    @Test
    void okRoundTripsWithMultiByteLengthEncodedIntegers() {
        // given an OK whose affected rows and insert id need 3- and 4-byte length encodings
        OkPacket ok = new OkPacket(300, 70_000, ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT, 3,
                "Rows matched: 300  Changed: 300  Warnings: 3");

        // when encoded for a client without CLIENT_SESSION_TRACK
        byte[] encoded = encode(buf -> ok.encode(buf, false));

        // then it decodes to the same packet and the steering fields are found past the integers
        assertThat(decode(encoded, OkPacket::decode)).isEqualTo(ok);
        assertThat(statusFlags(encoded)).isEqualTo(ServerStatus.IN_TRANS | ServerStatus.AUTOCOMMIT);
        assertThat(warnings(encoded)).isEqualTo(3);
        assertThat(affectedRows(encoded)).isEqualTo(300);
    }

    @Test
    void sessionTrackFormLengthEncodesTheInfoAndOmitsAnEmptyOne() {
        assertThat(HEX.formatHex(encode(buf -> new OkPacket(0, 0, 2, 0, "hi").encode(buf, true))))
                .isEqualTo("00000002000000" + "026869");
        assertThat(HEX.formatHex(encode(buf -> OkPacket.of(ServerStatus.AUTOCOMMIT).encode(buf, true))))
                .isEqualTo("00000002000000");
    }

    @Test
    void encodedEofIsReadBackAsEof() {
        byte[] eof = encode(buf -> OkPacket.encodeEof(buf, 7, ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS));

        assertThat(eof).hasSize(5);
        assertThat(warnings(eof)).isEqualTo(7);
        assertThat(statusFlags(eof)).isEqualTo(ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS);
    }

    private static int statusFlags(byte[] payload) {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[3], payload);
        try {
            return OkPacket.statusFlags(buf, 3, payload.length);
        } finally {
            buf.release();
        }
    }

    private static long affectedRows(byte[] payload) {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[3], payload);
        try {
            return OkPacket.affectedRows(buf, 3);
        } finally {
            buf.release();
        }
    }

    private static int warnings(byte[] payload) {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[3], payload);
        try {
            return OkPacket.warnings(buf, 3, payload.length);
        } finally {
            buf.release();
        }
    }

    /** Payload of the last packet of a hex fixture. */
    private static byte[] lastPayload(String hex) {
        byte[] wire = CapturedPackets.bytes(hex);
        int pos = 0;
        int start = 0;
        int length = 0;
        while (pos < wire.length) {
            length = (wire[pos] & 0xff) | (wire[pos + 1] & 0xff) << 8 | (wire[pos + 2] & 0xff) << 16;
            start = pos + Wire.HEADER_SIZE;
            pos = start + length;
        }
        return Arrays.copyOfRange(wire, start, start + length);
    }
}
