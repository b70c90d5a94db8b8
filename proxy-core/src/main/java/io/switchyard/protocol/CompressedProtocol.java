package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The compressed protocol (CLIENT_COMPRESS), on one side of a connection once its login ended:
 * every packet travels inside compressed packets, each a 7-byte header (length of what follows,
 * compressed sequence id, length before compression, 0 when what follows is not compressed)
 * and a zlib stream or the bytes as they are. A compressed packet may hold part of a packet or
 * several packets. The decoder hands the packets on as the plain byte stream, so the handlers
 * behind it see no difference; the encoder gathers what is written until a flush (or
 * {@link #GATHER_LIMIT} bytes) and sends it in as few compressed packets as it can.
 *
 * <p>The compressed sequence id is counted apart from the packets' own and restarts with them:
 * a command starts it at 0, and each side's next compressed packet takes the number after the
 * last one it received or sent. As the client of a server (the proxy's backend connections) the
 * proxy writes {@link #COMMAND_STARTS} before each command: the command then goes in compressed
 * packets of its own, numbered from 0, as client libraries send it. The packets inside are
 * relayed as numbered: servers and client libraries read the order from the compressed packets
 * only (MariaDB Connector/C numbers every packet inside them 0).
 *
 * <p>Both handlers are confined to their channel's event loop.
 */
public final class CompressedProtocol {
    /** The decoder's name in a pipeline. */
    public static final String DECODER = "compressed-in";
    /** The encoder's name in a pipeline. */
    public static final String ENCODER = "compressed-out";
    /** Up to this many bytes a compressed packet carries its bytes uncompressed, as servers do. */
    static final int MIN_COMPRESS_LENGTH = 50;
    /** The most bytes the encoder holds back waiting for a flush. */
    static final int GATHER_LIMIT = 64 * 1024;
    private static final int HEADER_SIZE = 7;

    private int nextSequence;

    private CompressedProtocol() {}

    /** True when {@code pipeline}'s channel speaks the compressed protocol. */
    public static boolean active(ChannelPipeline pipeline) {
        return pipeline.get(DECODER) != null;
    }

    /**
     * Written before a command where the proxy is the client: the compressed sequence starts
     * again at 0, in a compressed packet of the command's own.
     */
    public static final Object COMMAND_STARTS = new Object() {
        @Override
        public String toString() {
            return "compressed sequence restart";
        }
    };

    /**
     * Puts the decoder and the encoder in {@code pipeline} before the handler named
     * {@code before}; a {@link FrameDecoder} there keeps its read timeout over both.
     */
    public static void install(ChannelPipeline pipeline, String before) {
        CompressedProtocol sequence = new CompressedProtocol();
        Decoder decoder = new Decoder(sequence);
        pipeline.addBefore(before, DECODER, decoder);
        pipeline.addBefore(before, ENCODER, new Encoder(sequence));
        if (pipeline.get(before) instanceof FrameDecoder frames) {
            frames.watch(decoder);
        }
    }

    /** Reads compressed packets and passes on what they carry. */
    static final class Decoder extends ByteToMessageDecoder implements FrameDecoder.Partial {
        private final CompressedProtocol sequence;
        private final Inflater inflater = new Inflater();
        private long lastReadNanos = System.nanoTime();

        Decoder(CompressedProtocol sequence) {
            this.sequence = sequence;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            lastReadNanos = System.nanoTime();
            while (in.readableBytes() >= HEADER_SIZE) {
                int start = in.readerIndex();
                int length = in.getUnsignedMediumLE(start);
                int plainLength = in.getUnsignedMediumLE(start + 4);
                if (in.readableBytes() < HEADER_SIZE + length) {
                    return;
                }
                sequence.nextSequence = (in.getUnsignedByte(start + 3) + 1) & 0xff;
                in.skipBytes(HEADER_SIZE);
                if (plainLength == 0) {
                    out.add(in.readRetainedSlice(length));
                } else {
                    out.add(inflate(ctx, in, length, plainLength));
                }
            }
        }

        private ByteBuf inflate(ChannelHandlerContext ctx, ByteBuf in, int length, int plainLength) {
            ByteBuf plain = ctx.alloc().heapBuffer(plainLength, plainLength);
            try {
                inflater.reset();
                inflater.setInput(in.nioBuffer(in.readerIndex(), length));
                ByteBuffer target = plain.nioBuffer(0, plainLength);
                int produced = 0;
                while (produced < plainLength && !inflater.finished() && !inflater.needsInput()) {
                    produced += inflater.inflate(target);
                }
                if (produced != plainLength || !inflater.finished()) {
                    throw new ProtocolException("a compressed packet of " + length + " bytes does not inflate to the "
                            + plainLength + " bytes its header gives");
                }
                in.skipBytes(length);
                plain.writerIndex(plainLength);
                return plain;
            } catch (DataFormatException e) {
                plain.release();
                throw new ProtocolException("a compressed packet is not a zlib stream: " + e.getMessage());
            } catch (RuntimeException e) {
                plain.release();
                throw e;
            }
        }

        @Override
        public long stalledPartialNanos() {
            return actualReadableBytes() > 0 ? System.nanoTime() - lastReadNanos : 0;
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) {
            inflater.end();
        }
    }

    /** Gathers the bytes written and sends them as compressed packets at each flush. */
    static final class Encoder extends ChannelOutboundHandlerAdapter {
        private final CompressedProtocol sequence;
        private final Deflater deflater = new Deflater();
        private CompositeByteBuf pending;
        private final List<ChannelPromise> promises = new ArrayList<>();

        Encoder(CompressedProtocol sequence) {
            this.sequence = sequence;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg == COMMAND_STARTS) {
                send(ctx);
                sequence.nextSequence = 0;
                promise.trySuccess();
                return;
            }
            if (!(msg instanceof ByteBuf bytes)) {
                send(ctx);
                ctx.write(msg, promise);
                return;
            }
            if (pending == null) {
                pending = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            }
            promises.add(promise);
            pending.addComponent(true, bytes);
            if (pending.readableBytes() >= GATHER_LIMIT) {
                send(ctx);
            }
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            send(ctx);
            ctx.flush();
        }

        /** Sends what waits as compressed packets of at most 16 MiB - 1 bytes before compression each. */
        private void send(ChannelHandlerContext ctx) {
            if (pending == null || !pending.isReadable()) {
                completeWith(ctx, null);
                return;
            }
            ChannelPromise last = null;
            try {
                while (pending.isReadable()) {
                    int n = Math.min(pending.readableBytes(), Wire.MAX_PAYLOAD);
                    ByteBuf packet = compress(ctx, pending, n);
                    pending.skipBytes(n);
                    last = ctx.newPromise();
                    ctx.write(packet, last);
                }
            } finally {
                pending.discardReadComponents();
            }
            completeWith(ctx, last);
        }

        /** Completes the promises of the writes sent with {@code written} (now, when null). */
        private void completeWith(ChannelHandlerContext ctx, ChannelPromise written) {
            if (promises.isEmpty()) {
                return;
            }
            List<ChannelPromise> done = List.copyOf(promises);
            promises.clear();
            if (written == null) {
                done.forEach(ChannelPromise::trySuccess);
                return;
            }
            written.addListener(f -> {
                for (ChannelPromise p : done) {
                    if (f.isSuccess()) {
                        p.trySuccess();
                    } else {
                        p.tryFailure(f.cause());
                    }
                }
            });
        }

        private ByteBuf compress(ChannelHandlerContext ctx, ByteBuf from, int n) {
            int seq = sequence.nextSequence;
            sequence.nextSequence = (seq + 1) & 0xff;
            if (n > MIN_COMPRESS_LENGTH) {
                ByteBuf packet = ctx.alloc().heapBuffer(HEADER_SIZE + n);
                deflater.reset();
                deflater.setInput(from.nioBuffer(from.readerIndex(), n));
                deflater.finish();
                ByteBuffer target = packet.nioBuffer(HEADER_SIZE, n - 1);
                while (!deflater.finished() && target.hasRemaining()) {
                    deflater.deflate(target);
                }
                if (deflater.finished()) {
                    int length = target.position();
                    packet.writerIndex(HEADER_SIZE + length);
                    packet.setMediumLE(0, length).setByte(3, seq).setMediumLE(4, n);
                    return packet;
                }
                packet.release();
            }
            ByteBuf packet = ctx.alloc().buffer(HEADER_SIZE + n);
            packet.writeMediumLE(n).writeByte(seq).writeMediumLE(0);
            packet.writeBytes(from, from.readerIndex(), n);
            return packet;
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (pending != null) {
                pending.release();
                pending = null;
            }
            deflater.end();
            for (ChannelPromise p : promises) {
                p.tryFailure(new java.nio.channels.ClosedChannelException());
            }
            promises.clear();
        }
    }
}
