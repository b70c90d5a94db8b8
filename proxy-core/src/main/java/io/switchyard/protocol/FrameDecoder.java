package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Splits a byte stream into {@link Frame}s. Enforces a limit on the size of one logical packet
 * (a frame plus its continuations) so a peer announcing a huge packet cannot make the proxy
 * buffer it: past the limit it throws {@link PacketTooLargeException}, once, and from then on
 * discards whatever the peer sends while the connection closes. With a read timeout, a packet
 * left half-sent that long raises {@link PacketStalledException}.
 *
 * <p>Emitted frames hold retained slices of the cumulation (header included); the next handler releases them.
 * Not sharable: one instance per channel, confined to its event loop.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** The decoder's name in a channel pipeline. */
    public static final String NAME = "frames";

    private final long maxLogicalPacket;
    private long logicalSoFar;
    private long lastReadNanos = System.nanoTime();
    private boolean failed;
    private final long readTimeoutMillis;
    private ScheduledFuture<?> stallCheck;
    /** A decoder in front of this one that may hold part of a packet too (compression), or null. */
    private Partial upstream;

    /** A decoder that may hold part of what its peer sends. */
    public interface Partial {
        /** Nanoseconds since bytes last arrived, if part of a unit is waiting for the rest; else 0. */
        long stalledPartialNanos();
    }

    public FrameDecoder(long maxLogicalPacket) {
        this(maxLogicalPacket, 0);
    }

    /** With {@code readTimeoutMillis} above 0, a packet half-sent that long fails the channel. */
    public FrameDecoder(long maxLogicalPacket, long readTimeoutMillis) {
        this.maxLogicalPacket = maxLogicalPacket;
        this.readTimeoutMillis = readTimeoutMillis;
        setCumulator(FRAME_CUMULATOR);
    }

    /**
     * A frame of up to 16 MiB arrives in many reads while earlier frames are still referenced:
     * composing the reads instead of merging them keeps that linear instead of quadratic. Unlike
     * {@link #COMPOSITE_CUMULATOR}, the reads already decoded are dropped as soon as no frame
     * points into them; otherwise a peer that always has part of a packet in flight (a relayed
     * result of large rows) would grow the cumulation by everything it ever sent.
     */
    private static final Cumulator FRAME_CUMULATOR = (alloc, cumulation, in) -> {
        if (!cumulation.isReadable()) {
            cumulation.release();
            return in;
        }
        CompositeByteBuf composite = null;
        try {
            if (cumulation instanceof CompositeByteBuf c && c.refCnt() == 1) {
                composite = c.discardReadComponents();
                if (composite.writerIndex() != composite.capacity()) {
                    composite.capacity(composite.writerIndex());
                }
            } else {
                composite = alloc.compositeBuffer(Integer.MAX_VALUE).addFlattenedComponents(true, cumulation);
            }
            composite.addFlattenedComponents(true, in);
            in = null;
            return composite;
        } finally {
            if (in != null) {
                in.release();
                if (composite != null && composite != cumulation) {
                    composite.release();
                }
            }
        }
    };

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (readTimeoutMillis > 0) {
            long every = Math.max(1, readTimeoutMillis / 2);
            stallCheck = ctx.executor().scheduleWithFixedDelay(() -> {
                long stalled = Math.max(stalledPartialNanos(), upstream == null ? 0 : upstream.stalledPartialNanos());
                if (!failed && TimeUnit.NANOSECONDS.toMillis(stalled) >= readTimeoutMillis) {
                    failed = true;
                    ctx.fireExceptionCaught(new PacketStalledException(readTimeoutMillis));
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (stallCheck != null) {
            stallCheck.cancel(false);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        lastReadNanos = System.nanoTime();
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= Wire.HEADER_SIZE) {
            int start = in.readerIndex();
            int length = Wire.payloadLength(in, start);
            if (logicalSoFar + length > maxLogicalPacket) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw new PacketTooLargeException(logicalSoFar + length, maxLogicalPacket);
            }
            if (in.readableBytes() < Wire.HEADER_SIZE + length) {
                return;
            }
            int sequenceId = Wire.sequenceId(in, start);
            ByteBuf packet = in.readRetainedSlice(Wire.HEADER_SIZE + length);
            logicalSoFar = length == Wire.MAX_PAYLOAD ? logicalSoFar + length : 0;
            out.add(new Frame(sequenceId, packet));
        }
    }

    /**
     * Takes the bytes received but not yet decoded, for a stream that switches to TLS right
     * after the frame being handled: the peer's first TLS bytes may have arrived in the same
     * read. The caller owns the returned buffer.
     */
    public ByteBuf takeUndecoded() {
        ByteBuf buffered = internalBuffer();
        return buffered.readRetainedSlice(buffered.readableBytes());
    }

    /** The read timeout also covers what {@code decoder}, in front of this one, holds back. */
    public void watch(Partial decoder) {
        this.upstream = decoder;
    }

    /**
     * Nanoseconds since bytes last arrived, if part of a packet is waiting for the rest;
     * 0 when no packet is half-received.
     */
    public long stalledPartialNanos() {
        return actualReadableBytes() > 0 ? System.nanoTime() - lastReadNanos : 0;
    }

    /** A packet stayed half-sent longer than the read timeout. */
    public static final class PacketStalledException extends ProtocolException {
        private static final long serialVersionUID = 1L;
        private final long timeoutMillis;

        public PacketStalledException(long timeoutMillis) {
            super("no complete packet within " + timeoutMillis + " ms");
            this.timeoutMillis = timeoutMillis;
        }

        /** The read timeout the packet outlasted. */
        public long timeoutMillis() {
            return timeoutMillis;
        }
    }

    /** A logical packet exceeds the configured maximum. */
    public static final class PacketTooLargeException extends ProtocolException {
        private static final long serialVersionUID = 1L;
        private final long max;

        public PacketTooLargeException(long size, long max) {
            super("packet of at least " + size + " bytes exceeds the limit of " + max + " bytes");
            this.max = max;
        }

        /** The limit the packet exceeds, in bytes. */
        public long max() {
            return max;
        }
    }
}
