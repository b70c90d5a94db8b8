package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class StmtExecuteTest {

    /**
     * A COM_STMT_EXECUTE payload of three parameters, as a client sends it: a string, a date and
     * then the parameter asked for, each type given with the payload or kept from before.
     */
    private static ByteBuf execute(boolean typesSent, int nullBits, int lastType, int lastFlags, byte[] lastValue) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x17).writeIntLE(1).writeByte(0).writeIntLE(1);
        b.writeByte(nullBits);
        b.writeByte(typesSent ? 1 : 0);
        if (typesSent) {
            b.writeByte(253).writeByte(0).writeByte(10).writeByte(0).writeByte(lastType).writeByte(lastFlags);
        }
        if ((nullBits & 1) == 0) {
            b.writeByte(3).writeBytes("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        if ((nullBits & 2) == 0) {
            b.writeByte(4).writeShortLE(2026).writeByte(12).writeByte(6);
        }
        if ((nullBits & 4) == 0) {
            b.writeBytes(lastValue);
        }
        return b;
    }

    private static byte[] le(long value, int size) {
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    @Test
    void anIntegerParameterIsReadAfterTheValuesBeforeIt() {
        assertThat(StmtExecute.integerParameter(execute(true, 0, 3, 0, le(40, 4)), 0, 3, null, 2)).isEqualTo(40L);
        assertThat(StmtExecute.integerParameter(execute(true, 0, 8, 0, le(123_456_789_012L, 8)), 0, 3, null, 2))
                .isEqualTo(123_456_789_012L);
        assertThat(StmtExecute.integerParameter(execute(true, 0, 1, 0x80, le(200, 1)), 0, 3, null, 2)).as("unsigned tiny")
                .isEqualTo(200L);
        assertThat(StmtExecute.integerParameter(execute(true, 0, 2, 0, le(-3, 2)), 0, 3, null, 2)).isEqualTo(-3L);
        assertThat(StmtExecute.integerParameter(execute(true, 3, 3, 0, le(9, 4)), 0, 3, null, 2)).as("after two NULLs")
                .isEqualTo(9L);
        byte[] kept = {(byte) 253, 0, 10, 0, 3, 0};
        assertThat(StmtExecute.integerParameter(execute(false, 0, 3, 0, le(17, 4)), 0, 3, kept, 2)).as("types kept from before")
                .isEqualTo(17L);
    }

    @Test
    void anythingButAnIntegerInThePayloadIsNotKnown() {
        assertThat(StmtExecute.integerParameter(execute(true, 4, 3, 0, new byte[0]), 0, 3, null, 2)).as("NULL").isNull();
        assertThat(StmtExecute.integerParameter(execute(true, 0, 253, 0, new byte[] {2, '1', '0'}), 0, 3, null, 2))
                .as("a string").isNull();
        assertThat(StmtExecute.integerParameter(execute(false, 0, 3, 0, le(17, 4)), 0, 3, null, 2)).as("no types known").isNull();
        assertThat(StmtExecute.integerParameter(execute(true, 0, 3, 0, le(17, 2)), 0, 3, null, 2)).as("cut short").isNull();
        assertThat(StmtExecute.integerParameter(execute(true, 0, 3, 0, le(17, 4)), 0, 3, null, 3)).as("no such parameter").isNull();
    }

    @Test
    void stringParametersAreTheOnesTheServerConvertsFromTheClientsCharacterSet() {
        assertThat(StmtExecute.hasStringParameter(new byte[] {3, 0, 8, (byte) 0x80, (byte) 246, 0, 12, 0})).as("numbers, a date")
                .isFalse();
        for (int type : new int[] {15, 245, 247, 248, 249, 250, 251, 252, 253, 254}) {
            assertThat(StmtExecute.hasStringParameter(new byte[] {3, 0, (byte) type, 0})).as("type %d", type).isTrue();
        }
        assertThat(StmtExecute.hasStringParameter(new byte[0])).isFalse();
    }
}
