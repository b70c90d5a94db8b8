package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * One physical packet as it came off the wire: its 4-byte header and payload together, so it can
 * be forwarded unchanged with one write.
 *
 * <p>The frame owns {@code packet}: whoever receives a frame releases it, once, through
 * {@link #release()} or by handing {@link #packet()} to a write.
 *
 * @param sequenceId the header's sequence id, 0..255
 * @param packet header and payload; the payload is at most {@link Wire#MAX_PAYLOAD} bytes
 */
public record Frame(int sequenceId, ByteBuf packet) {

    /** A frame for {@code payload} (taking ownership of it), with a header written in front. */
    public static Frame of(int sequenceId, ByteBuf payload) {
        ByteBuf packet = payload.alloc().buffer(Wire.HEADER_SIZE + payload.readableBytes());
        Wire.writeHeader(packet, payload.readableBytes(), sequenceId);
        packet.writeBytes(payload);
        payload.release();
        return new Frame(sequenceId, packet);
    }

    /** The payload, a view that shares the packet's memory and reference count (do not release it separately). */
    public ByteBuf payload() {
        return packet.slice(packet.readerIndex() + Wire.HEADER_SIZE, length());
    }

    public int length() {
        return packet.readableBytes() - Wire.HEADER_SIZE;
    }

    /** True when a continuation frame follows (payload of exactly 16 MiB - 1 bytes). */
    public boolean hasContinuation() {
        return length() == Wire.MAX_PAYLOAD;
    }

    /** First payload byte, or -1 for an empty payload. */
    public int firstByte() {
        return length() > 0 ? packet.getUnsignedByte(packet.readerIndex() + Wire.HEADER_SIZE) : -1;
    }

    public void release() {
        if (packet.refCnt() > 0) {
            packet.release();
        }
    }

    /** Releases {@code message} if it is a frame or reference counted. */
    public static void releaseAny(Object message) {
        if (message instanceof Frame f) {
            f.release();
        } else if (message instanceof ReferenceCounted rc && rc.refCnt() > 0) {
            rc.release();
        }
    }
}
