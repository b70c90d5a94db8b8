package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketsTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** Header of one frame found in a split: payload length and sequence id. */
    record Header(int length, int sequenceId) {}

    @Test
    void emptyPayloadIsOneEmptyFrame() {
        assertThat(headersOfSplit(0, 5)).containsExactly(new Header(0, 5));
    }

    @Test
    void oneBytePayloadIsOneFrame() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[] {0x0e});
        ByteBuf framed = Packets.split(ALLOC, payload, 0);
        try {
            assertThat(ByteBufUtil.hexDump(framed)).isEqualTo("010000000e");
        } finally {
            framed.release();
            payload.release();
        }
    }

    @Test
    void payloadOfExactlyAFullFrameEndsWithAnEmptyFrame() {
        assertThat(headersOfSplit(Wire.MAX_PAYLOAD, 0))
                .containsExactly(new Header(Wire.MAX_PAYLOAD, 0), new Header(0, 1));
    }

    @Test
    void payloadOfTwoFullFramesEndsWithAnEmptyFrame() {
        assertThat(headersOfSplit(2 * Wire.MAX_PAYLOAD, 0))
                .containsExactly(new Header(Wire.MAX_PAYLOAD, 0), new Header(Wire.MAX_PAYLOAD, 1), new Header(0, 2));
    }

    @Test
    void sequenceIdsWrapAfter255() {
        assertThat(headersOfSplit(Wire.MAX_PAYLOAD + 1, 255))
                .containsExactly(new Header(Wire.MAX_PAYLOAD, 255), new Header(1, 0));
    }

    @Test
    void splitNeitherConsumesNorReleasesThePayload() {
        ByteBuf payload = Unpooled.buffer().writeBytes(new byte[] {1, 2, 3});
        ByteBuf framed = Packets.split(ALLOC, payload, 0);
        framed.release();

        assertThat(payload.readableBytes()).isEqualTo(3);
        assertThat(payload.refCnt()).isEqualTo(1);
        payload.release();
    }

    @Test
    void buildOfALargePayloadFramesItLikeSplit() {
        // given a payload of one full frame plus two bytes written through build
        ByteBuf built = Packets.build(ALLOC, 1, out -> out.writeZero(Wire.MAX_PAYLOAD).writeShort(0x0102));
        ByteBuf payload = Unpooled.buffer(Wire.MAX_PAYLOAD + 2).writeZero(Wire.MAX_PAYLOAD).writeShort(0x0102);
        ByteBuf split = Packets.split(ALLOC, payload, 1);
        try {
            // then both hold the same frames
            assertThat(ByteBufUtil.getBytes(built)).isEqualTo(ByteBufUtil.getBytes(split));
            assertThat(headers(built)).containsExactly(new Header(Wire.MAX_PAYLOAD, 1), new Header(2, 2));
        } finally {
            built.release();
            payload.release();
            split.release();
        }
    }

    @Test
    void builtErrAndOkCarryTheirHeaders() {
        ByteBuf err = Packets.err(ALLOC, 2, new ErrPacket(1045, "28000", "Access denied"));
        ByteBuf ok = Packets.ok(ALLOC, 7, OkPacket.of(ServerStatus.AUTOCOMMIT), false);
        try {
            assertThat(headers(err)).containsExactly(new Header(1 + 2 + 6 + "Access denied".length(), 2));
            assertThat(ByteBufUtil.hexDump(ok)).isEqualTo("0700000700000002000000");
        } finally {
            err.release();
            ok.release();
        }
    }

    @Test
    void frameBuiltFromAPayloadCarriesItsHeader() {
        Frame frame = Frame.of(3, Unpooled.wrappedBuffer(new byte[] {0x0e}));
        try {
            assertThat(ByteBufUtil.hexDump(frame.packet())).isEqualTo("010000030e");
            assertThat(ByteBufUtil.hexDump(frame.payload())).isEqualTo("0e");
            assertThat(frame.firstByte()).isEqualTo(0x0e);
        } finally {
            frame.release();
        }
        assertThat(frame.packet().refCnt()).isZero();
    }

    private static List<Header> headersOfSplit(int payloadLength, int sequenceId) {
        ByteBuf payload = Unpooled.buffer(payloadLength).writeZero(payloadLength);
        ByteBuf framed = Packets.split(ALLOC, payload, sequenceId);
        try {
            return headers(framed);
        } finally {
            framed.release();
            payload.release();
        }
    }

    /** Headers of the frames in {@code framed}, checking that their payloads fill it exactly. */
    private static List<Header> headers(ByteBuf framed) {
        List<Header> headers = new ArrayList<>();
        int pos = framed.readerIndex();
        while (pos < framed.writerIndex()) {
            int length = Wire.payloadLength(framed, pos);
            headers.add(new Header(length, Wire.sequenceId(framed, pos)));
            pos += Wire.HEADER_SIZE + length;
        }
        assertThat(pos).isEqualTo(framed.writerIndex());
        return headers;
    }
}
