package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class CompressedProtocolTest {

    /** A channel that speaks the compressed protocol; what the decoder passes on comes out as inbound messages. */
    private static EmbeddedChannel compressedChannel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("end", new ChannelDuplexHandler());
        CompressedProtocol.install(channel.pipeline(), "end");
        return channel;
    }

    /** A packet: 4-byte header and {@code payload}. */
    private static ByteBuf packet(int sequence, byte[] payload) {
        ByteBuf b = Unpooled.buffer(4 + payload.length);
        b.writeMediumLE(payload.length).writeByte(sequence).writeBytes(payload);
        return b;
    }

    private static byte[] compressible(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + (i / 7) % 26);
        }
        return bytes;
    }

    /** The compressed packets written so far, as one buffer. */
    private static ByteBuf outbound(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    /** The plain bytes the decoder passed on, as one buffer. */
    private static byte[] inbound(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b = channel.readInbound(); b != null; b = channel.readInbound()) {
            all.writeBytes(b);
            b.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    @Test
    void aCommandOfFiftyBytesTravelsUncompressedInAPacketNumberedZero() {
        // given the protocol documentation's example, a COM_QUERY of 46 bytes (50 with its header)
        EmbeddedChannel client = compressedChannel();
        byte[] query = ("\u0003select \"012345678901234567890123456789012345\"").getBytes(StandardCharsets.US_ASCII);
        assertThat(query).hasSize(46);

        // when the proxy sends it as a new command
        client.write(CompressedProtocol.COMMAND_STARTS);
        client.writeAndFlush(packet(0, query));

        // then it goes as is behind the header 32 00 00 | 00 | 00 00 00
        ByteBuf wire = outbound(client);
        assertThat(ByteBufUtil.hexDump(wire, 0, 11)).isEqualTo("320000" + "00" + "000000" + "2e000000");
        assertThat(wire.readableBytes()).isEqualTo(7 + 4 + 46);
        wire.release();
        assertThat(client.finish()).isFalse();
    }

    @Test
    void aLargeResponseIsDeflatedAndInflatesBackWhateverTheReadsItArrivesIn() {
        // given a server side that sends 1 MiB of row data
        EmbeddedChannel server = compressedChannel();
        byte[] rows = compressible(1 << 20);
        server.writeAndFlush(packet(1, rows));
        ByteBuf wire = outbound(server);
        int compressedLength = wire.getUnsignedMediumLE(0);
        assertThat(wire.getUnsignedMediumLE(4)).as("length before compression").isEqualTo(4 + rows.length);
        assertThat(compressedLength).as("deflated").isLessThan(rows.length / 10);

        // when the client side reads it 1,000 bytes at a time
        EmbeddedChannel client = compressedChannel();
        while (wire.isReadable()) {
            client.writeInbound(wire.readRetainedSlice(Math.min(1000, wire.readableBytes())));
        }
        wire.release();

        // then it gets the packet back byte for byte
        byte[] plain = inbound(client);
        assertThat(plain).hasSize(4 + rows.length);
        assertThat(java.util.Arrays.copyOfRange(plain, 4, plain.length)).isEqualTo(rows);
        assertThat(server.finish()).isFalse();
        assertThat(client.finish()).isFalse();
    }

    @Test
    void moreThan16MiBGoesInSeveralCompressedPacketsNumberedInTurn() {
        // given a statement of 20 MiB: two packets, the first of 16 MiB - 1 bytes
        EmbeddedChannel client = compressedChannel();
        byte[] statement = compressible(20 << 20);
        ByteBuf packets = Packets.split(UnpooledByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(statement), 0);

        // when the proxy sends it as a command
        client.write(CompressedProtocol.COMMAND_STARTS);
        client.writeAndFlush(packets);

        // then it goes in compressed packets numbered 0, 1, ... each of at most 16 MiB - 1 bytes before compression
        ByteBuf wire = outbound(client);
        List<Integer> sequences = new ArrayList<>();
        List<Integer> plainLengths = new ArrayList<>();
        for (int at = 0; at < wire.writerIndex(); at += 7 + wire.getUnsignedMediumLE(at)) {
            sequences.add((int) wire.getUnsignedByte(at + 3));
            plainLengths.add(wire.getUnsignedMediumLE(at + 4));
        }
        assertThat(sequences).containsExactly(0, 1);
        assertThat(plainLengths).containsExactly(Wire.MAX_PAYLOAD, 4 + statement.length + 4 - Wire.MAX_PAYLOAD);

        // and the other side gets both packets back
        EmbeddedChannel server = compressedChannel();
        server.writeInbound(wire);
        byte[] plain = inbound(server);
        assertThat(plain).hasSize(statement.length + 8);
        assertThat(java.util.Arrays.copyOfRange(plain, 4, 4 + Wire.MAX_PAYLOAD))
                .isEqualTo(java.util.Arrays.copyOfRange(statement, 0, Wire.MAX_PAYLOAD));
        assertThat(client.finish()).isFalse();
        assertThat(server.finish()).isFalse();
    }

    @Test
    void theServerSideNumbersItsPacketsAfterTheLastOneTheClientSent() {
        // given a server side that received a command in a compressed packet numbered 0
        EmbeddedChannel server = compressedChannel();
        server.writeInbound(uncompressed(0, packet(0, new byte[] {0x0e})));
        inbound(server);

        // when it answers in two flushes
        server.writeAndFlush(packet(1, new byte[] {0, 0, 0, 2, 0, 0, 0}));
        server.writeAndFlush(packet(2, new byte[] {0, 0, 0, 2, 0, 0, 0}));

        // then its compressed packets are numbered 1 and 2; after the next command, 1 again
        ByteBuf wire = outbound(server);
        assertThat(wire.getUnsignedByte(3)).isEqualTo((short) 1);
        assertThat(wire.getUnsignedByte(7 + 11 + 3)).isEqualTo((short) 2);
        wire.release();
        server.writeInbound(uncompressed(0, packet(0, new byte[] {0x0e})));
        inbound(server);
        server.writeAndFlush(packet(1, new byte[] {0, 0, 0, 2, 0, 0, 0}));
        ByteBuf next = outbound(server);
        assertThat(next.getUnsignedByte(3)).isEqualTo((short) 1);
        next.release();
        assertThat(server.finish()).isFalse();
    }

    @Test
    void writesWaitForTheFlushAndGoInOneCompressedPacket() {
        // given three rows written without a flush
        EmbeddedChannel server = compressedChannel();
        List<ChannelFuture> writes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            writes.add(server.write(packet(i, compressible(30))));
        }
        assertThat(writes).noneMatch(ChannelFuture::isDone);
        assertThat((Object) server.readOutbound()).isNull();

        // when the flush comes
        server.flush();

        // then one compressed packet holds all three, and every write is done
        ByteBuf wire = outbound(server);
        assertThat(wire.getUnsignedMediumLE(4)).isEqualTo(3 * 34);
        assertThat(7 + wire.getUnsignedMediumLE(0)).isEqualTo(wire.readableBytes());
        assertThat(writes).allMatch(ChannelFuture::isSuccess);
        wire.release();
        assertThat(server.finish()).isFalse();
    }

    @Test
    void aCompressedPacketThatDoesNotInflateToTheLengthItGivesIsRefused() {
        // given a zlib stream of 50 bytes announced as 100
        byte[] deflated = deflate(compressible(50));
        ByteBuf lying = Unpooled.buffer();
        lying.writeMediumLE(deflated.length).writeByte(0).writeMediumLE(100).writeBytes(deflated);
        EmbeddedChannel server = compressedChannel();

        // then the decoder refuses it as a protocol error
        assertThatThrownBy(() -> server.writeInbound(lying))
                .isInstanceOf(DecoderException.class).cause().isInstanceOf(ProtocolException.class)
                .hasMessageContaining("does not inflate to the 100 bytes");
        server.finishAndReleaseAll();
    }

    @Test
    void aCompressedPacketThatIsNotZlibIsRefused() {
        ByteBuf garbage = Unpooled.buffer();
        garbage.writeMediumLE(60).writeByte(0).writeMediumLE(500).writeBytes(compressible(60));
        EmbeddedChannel server = compressedChannel();

        assertThatThrownBy(() -> server.writeInbound(garbage))
                .isInstanceOf(DecoderException.class).cause().isInstanceOf(ProtocolException.class)
                .hasMessageContaining("not a zlib stream");
        server.finishAndReleaseAll();
    }

    @Test
    void aHalfReceivedCompressedPacketCountsForTheReadTimeout() {
        // given a frame decoder behind the compressed layer, and half a compressed packet received
        EmbeddedChannel server = new EmbeddedChannel();
        FrameDecoder frames = new FrameDecoder(1 << 20);
        server.pipeline().addLast(FrameDecoder.NAME, frames);
        CompressedProtocol.install(server.pipeline(), FrameDecoder.NAME);
        CompressedProtocol.Decoder decoder = (CompressedProtocol.Decoder) server.pipeline().get(CompressedProtocol.DECODER);
        ByteBuf half = Unpooled.buffer();
        half.writeMediumLE(20).writeByte(0).writeMediumLE(0).writeBytes(new byte[10]);
        server.writeInbound(half);

        // then the compressed layer reports it as waiting, while the frame decoder holds nothing
        assertThat(frames.stalledPartialNanos()).isZero();
        assertThat(decoder.stalledPartialNanos()).isPositive();
        server.finishAndReleaseAll();
    }

    private static ByteBuf uncompressed(int sequence, ByteBuf packets) {
        ByteBuf b = Unpooled.buffer();
        b.writeMediumLE(packets.readableBytes()).writeByte(sequence).writeMediumLE(0).writeBytes(packets);
        packets.release();
        return b;
    }

    private static byte[] deflate(byte[] plain) {
        Deflater deflater = new Deflater();
        deflater.setInput(plain);
        deflater.finish();
        byte[] out = new byte[plain.length + 64];
        int n = deflater.deflate(out);
        deflater.end();
        return java.util.Arrays.copyOf(out, n);
    }
}
