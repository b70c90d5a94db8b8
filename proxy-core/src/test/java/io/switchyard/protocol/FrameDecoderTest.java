package io.switchyard.protocol;

import static io.switchyard.protocol.CapturedPackets.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.switchyard.protocol.FrameDecoder.PacketTooLargeException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private static final int ONE_MIB = 1 << 20;

    @Test
    void framesSplitAcrossReadsAreReassembled() {
        // given the captured response to SELECT 1 (five packets)
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(ONE_MIB));
        byte[] wire = bytes(CapturedPackets.EOF_SELECT_1);

        // when it arrives three bytes at a time
        for (int offset = 0; offset < wire.length; offset += 3) {
            channel.writeInbound(Unpooled.wrappedBuffer(wire, offset, Math.min(3, wire.length - offset)));
        }

        // then the five frames come out whole, in order, with their sequence ids
        List<Frame> frames = readAll(channel);
        try {
            assertThat(frames).extracting(Frame::sequenceId).containsExactly(1, 2, 3, 4, 5);
            assertThat(frames).extracting(Frame::length).containsExactly(1, 23, 5, 2, 5);
            assertThat(ByteBufUtil.hexDump(frames.get(3).payload())).isEqualTo("0131");
            assertThat(frames).noneMatch(Frame::hasContinuation);
        } finally {
            frames.forEach(Frame::release);
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void bytesAfterAFrameThatSwitchesTheStreamCanBeTakenOutUndecoded() {
        // given an SSL request (32-byte payload) and, in the same read, the start of a TLS record
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(ONE_MIB));
        ByteBuf read = Unpooled.buffer().writeMediumLE(32).writeByte(1).writeZero(32)
                .writeBytes(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
        channel.writeInbound(read);
        List<Frame> frames = readAll(channel);

        // when the handler of the request takes what the decoder holds
        ByteBuf rest = channel.pipeline().get(FrameDecoder.class).takeUndecoded();

        // then the request came out as a frame, and the TLS bytes come out as they arrived
        try {
            assertThat(frames).extracting(Frame::length).containsExactly(32);
            assertThat(ByteBufUtil.hexDump(rest)).isEqualTo("160301020001");
            assertThat(channel.pipeline().get(FrameDecoder.class).stalledPartialNanos()).isZero();
        } finally {
            frames.forEach(Frame::release);
            rest.release();
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void logicalPacketOver16MibArrivesAsAFullFrameAndItsContinuation() {
        // given a logical packet of 16 MiB + 4 bytes framed as the protocol requires
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(32L * ONE_MIB));
        ByteBuf payload = Unpooled.buffer(Wire.MAX_PAYLOAD + 5).writeZero(Wire.MAX_PAYLOAD).writeBytes(new byte[] {1, 2, 3, 4, 5});
        ByteBuf wire = Packets.split(ByteBufAllocator.DEFAULT, payload, 0);
        payload.release();

        // when it arrives in 1 MiB reads
        while (wire.isReadable()) {
            channel.writeInbound(wire.readRetainedSlice(Math.min(ONE_MIB, wire.readableBytes())));
        }
        wire.release();

        // then it comes out as a full frame that announces a continuation, then the continuation
        List<Frame> frames = readAll(channel);
        try {
            assertThat(frames).hasSize(2);
            assertThat(frames.get(0).sequenceId()).isZero();
            assertThat(frames.get(0).length()).isEqualTo(Wire.MAX_PAYLOAD);
            assertThat(frames.get(0).hasContinuation()).isTrue();
            assertThat(frames.get(1).sequenceId()).isEqualTo(1);
            assertThat(ByteBufUtil.hexDump(frames.get(1).payload())).isEqualTo("0102030405");
            assertThat(frames.get(1).hasContinuation()).isFalse();
        } finally {
            frames.forEach(Frame::release);
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void headerAnnouncingMoreThanTheLimitFailsBeforeThePayloadArrives() {
        // given a decoder limited to 1 KiB
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        ByteBuf header = Unpooled.buffer(Wire.HEADER_SIZE);
        Wire.writeHeader(header, 1025, 0);

        // when a header announces 1025 bytes, then it fails at once
        assertThatThrownBy(() -> channel.writeInbound(header))
                .isInstanceOf(DecoderException.class)
                .cause().isInstanceOf(PacketTooLargeException.class)
                .hasMessageContaining("1025").hasMessageContaining("1024");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void afterATooLargePacketTheRestOfTheStreamIsDiscarded() {
        // given a decoder that refused a packet
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        ByteBuf header = Unpooled.buffer(Wire.HEADER_SIZE);
        Wire.writeHeader(header, 4096, 0);
        assertThatThrownBy(() -> channel.writeInbound(header)).isInstanceOf(DecoderException.class);

        // when more bytes arrive, some of which look like packets
        boolean produced = channel.writeInbound(Unpooled.wrappedBuffer(bytes(CapturedPackets.EOF_SELECT_1)));

        // then nothing comes out and closing does not fail again
        assertThat(produced).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void continuationsCountTowardsTheLimit() {
        // given a decoder that accepts a full frame plus 100 bytes
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(Wire.MAX_PAYLOAD + 100L));
        ByteBuf fullFrame = Unpooled.buffer(Wire.HEADER_SIZE + Wire.MAX_PAYLOAD);
        Wire.writeHeader(fullFrame, Wire.MAX_PAYLOAD, 0);
        fullFrame.writeZero(Wire.MAX_PAYLOAD);
        channel.writeInbound(fullFrame);
        List<Frame> frames = readAll(channel);
        assertThat(frames).hasSize(1);
        frames.forEach(Frame::release);
        ByteBuf continuation = Unpooled.buffer(Wire.HEADER_SIZE);
        Wire.writeHeader(continuation, 101, 1);

        // when its continuation announces 101 bytes, then the logical packet is too large
        assertThatThrownBy(() -> channel.writeInbound(continuation))
                .isInstanceOf(DecoderException.class)
                .cause().isInstanceOf(PacketTooLargeException.class);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void packetAfterAContinuationStartsAFreshCount() {
        // given a decoder that accepts a full frame plus 100 bytes, and a packet that used all of it
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(Wire.MAX_PAYLOAD + 100L));
        ByteBuf payload = Unpooled.buffer(Wire.MAX_PAYLOAD + 100).writeZero(Wire.MAX_PAYLOAD + 100);
        channel.writeInbound(Packets.split(ByteBufAllocator.DEFAULT, payload, 0));
        payload.release();
        readAll(channel).forEach(Frame::release);

        // when the next packet is a small one
        channel.writeInbound(Unpooled.wrappedBuffer(bytes(CapturedPackets.EOF_PING)));

        // then it is accepted
        List<Frame> frames = readAll(channel);
        assertThat(frames).extracting(Frame::length).containsExactly(7);
        frames.forEach(Frame::release);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void bytesOfAnIncompletePacketStayBufferedUntilTheRestArrives() {
        // given a read holding one whole packet and the first two bytes of the next header
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(ONE_MIB));
        byte[] ping = bytes(CapturedPackets.EOF_PING);
        byte[] error = bytes(CapturedPackets.EOF_ERROR);
        ByteBuf first = Unpooled.buffer().writeBytes(ping).writeBytes(error, 0, 2);

        // when it arrives, then only the whole packet comes out
        channel.writeInbound(first);
        List<Frame> frames = readAll(channel);
        assertThat(frames).extracting(Frame::length).containsExactly(7);
        frames.forEach(Frame::release);

        // and when the rest of the next packet arrives, it comes out whole
        channel.writeInbound(Unpooled.wrappedBuffer(error, 2, error.length - 2));
        frames = readAll(channel);
        try {
            assertThat(frames).hasSize(1);
            assertThat(frames.get(0).length()).isEqualTo(error.length - Wire.HEADER_SIZE);
            assertThat(frames.get(0).firstByte()).isEqualTo(ErrPacket.HEADER);
        } finally {
            frames.forEach(Frame::release);
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void emptyPacketIsAFrameWithNoPayload() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(ONE_MIB));

        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 3}));

        Frame frame = channel.readInbound();
        try {
            assertThat(frame.sequenceId()).isEqualTo(3);
            assertThat(frame.length()).isZero();
            assertThat(frame.firstByte()).isEqualTo(-1);
        } finally {
            frame.release();
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readsAreDroppedOnceTheFramesCutFromThemAreReleased() {
        // given a stream of 1000-byte packets read in 1000-byte reads that each end halfway through
        // a packet, so part of a packet is always waiting for its next read
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        byte[] packet = new byte[1000];
        packet[0] = (byte) (packet.length - Wire.HEADER_SIZE);
        packet[1] = (byte) ((packet.length - Wire.HEADER_SIZE) >> 8);
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(ONE_MIB));
        channel.writeInbound(alloc.heapBuffer(500).writeBytes(packet, 0, 500));

        // when two thousand packets pass, each frame released as a relay releases it once written
        for (int i = 0; i < 2000; i++) {
            channel.writeInbound(alloc.heapBuffer(1000).writeBytes(packet, 500, 500).writeBytes(packet, 0, 500));
            readAll(channel).forEach(Frame::release);
        }

        // then the decoder holds on to no more than the last reads, not to all it ever received
        assertThat(alloc.metric().usedHeapMemory()).isLessThan(4 * packet.length);
        channel.finishAndReleaseAll();
        assertThat(alloc.metric().usedHeapMemory()).isZero();
    }

    private static List<Frame> readAll(EmbeddedChannel channel) {
        List<Frame> frames = new ArrayList<>();
        for (Frame f = channel.readInbound(); f != null; f = channel.readInbound()) {
            frames.add(f);
        }
        return frames;
    }
}
