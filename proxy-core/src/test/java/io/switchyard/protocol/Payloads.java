package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;
import java.util.function.Function;

/** Test helpers that run codecs on fixture payloads and release every buffer they allocate. */
final class Payloads {
    private Payloads() {}

    /** Payload of the first packet of a hex fixture (header stripped). */
    static byte[] firstPayload(String hex) {
        byte[] wire = CapturedPackets.bytes(hex);
        int length = (wire[0] & 0xff) | (wire[1] & 0xff) << 8 | (wire[2] & 0xff) << 16;
        byte[] payload = new byte[length];
        System.arraycopy(wire, Wire.HEADER_SIZE, payload, 0, length);
        return payload;
    }

    /** Decodes {@code payload} with {@code decoder} from a buffer released afterwards. */
    static <T> T decode(byte[] payload, Function<ByteBuf, T> decoder) {
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        try {
            return decoder.apply(in);
        } finally {
            in.release();
        }
    }

    /** Bytes written by {@code encoder} into a buffer released afterwards. */
    static byte[] encode(Consumer<ByteBuf> encoder) {
        ByteBuf out = Unpooled.buffer();
        try {
            encoder.accept(out);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }
}
