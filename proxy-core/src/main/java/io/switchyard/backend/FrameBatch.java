package io.switchyard.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * The response packets a backend connection decoded from one read, gathered so its sink writes
 * them to the client at once instead of packet by packet. Rows are not copied: one packet is held
 * as it is, several as the components of a composite buffer.
 *
 * <p>Owns the packets it holds until {@link #take()} hands them over or {@link #release()} drops
 * them. Confined to the connection's event loop.
 */
final class FrameBatch {
    private ByteBuf bytes;
    private boolean composite;
    private long read;

    /** True when it holds packets from a read other than {@code read}. */
    boolean holdsOtherThan(long read) {
        return bytes != null && this.read != read;
    }

    /** Adds {@code packet}, taking ownership of it; {@code read} tells which read it came from. */
    void add(ByteBuf packet, long read, ByteBufAllocator alloc) {
        if (bytes == null) {
            bytes = packet;
            this.read = read;
        } else if (composite) {
            ((CompositeByteBuf) bytes).addComponent(true, packet);
        } else {
            bytes = alloc.compositeBuffer(Integer.MAX_VALUE).addComponents(true, bytes, packet);
            composite = true;
        }
    }

    /** The packets held, in order, for the caller to write or release; null when none. */
    ByteBuf take() {
        ByteBuf taken = bytes;
        bytes = null;
        composite = false;
        return taken;
    }

    /** Drops the packets held. */
    void release() {
        ByteBuf dropped = take();
        if (dropped != null) {
            dropped.release();
        }
    }
}
