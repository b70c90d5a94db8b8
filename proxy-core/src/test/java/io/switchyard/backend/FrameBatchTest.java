package io.switchyard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class FrameBatchTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void oneHeldPacketIsHandedOverAsItIs() {
        FrameBatch batch = new FrameBatch();
        ByteBuf packet = packet("0100000101");

        batch.add(packet, 1, ALLOC);
        ByteBuf taken = batch.take();

        assertThat(taken).isSameAs(packet);
        assertThat(batch.take()).isNull();
        taken.release();
    }

    @Test
    void packetsOfOneReadAreHandedOverTogetherInOrder() {
        FrameBatch batch = new FrameBatch();

        batch.add(packet("0100000101"), 7, ALLOC);
        batch.add(packet("0100000202"), 7, ALLOC);
        batch.add(packet("0100000303"), 7, ALLOC);
        ByteBuf taken = batch.take();

        assertThat(ByteBufUtil.hexDump(taken)).isEqualTo("010000010101000002020100000303");
        taken.release();
    }

    @Test
    void batchTellsWhenItHoldsAnEarlierRead() {
        FrameBatch batch = new FrameBatch();
        assertThat(batch.holdsOtherThan(3)).isFalse();

        batch.add(packet("0100000101"), 3, ALLOC);

        assertThat(batch.holdsOtherThan(3)).isFalse();
        assertThat(batch.holdsOtherThan(4)).isTrue();
        batch.release();
        assertThat(batch.holdsOtherThan(4)).isFalse();
    }

    @Test
    void releaseDropsEveryHeldPacket() {
        FrameBatch batch = new FrameBatch();
        ByteBuf first = packet("0100000101");
        ByteBuf second = packet("0100000202");
        batch.add(first, 1, ALLOC);
        batch.add(second, 1, ALLOC);

        batch.release();

        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
        assertThat(batch.take()).isNull();
    }

    private static ByteBuf packet(String hex) {
        return Unpooled.directBuffer().writeBytes(ByteBufUtil.decodeHexDump(hex));
    }
}
