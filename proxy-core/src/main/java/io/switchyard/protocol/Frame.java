package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * One physical packet: its sequence id and payload (without the 4-byte header).
 *
 * <p>The frame owns its payload: whoever receives a frame releases it, once, through
 * {@link #release()} or by passing the payload on to a write.
 *
 * @param sequenceId the header's sequence id, 0..255
 * @param payload the payload, at most {@link Wire#MAX_PAYLOAD} bytes
 */
public record Frame(int sequenceId, ByteBuf payload) {

    /** True when a continuation frame follows (payload of exactly 16 MiB - 1 bytes). */
    public boolean hasContinuation() {
        return payload.readableBytes() == Wire.MAX_PAYLOAD;
    }

    /** First payload byte, or -1 for an empty payload. */
    public int firstByte() {
        return payload.isReadable() ? payload.getUnsignedByte(payload.readerIndex()) : -1;
    }

    public int length() {
        return payload.readableBytes();
    }

    public void release() {
        if (payload.refCnt() > 0) {
            payload.release();
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
