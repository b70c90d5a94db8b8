package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8EscapesTest {

    @Test
    void wellFormedUtf8ReadsAsUtf8AndWritesBackTheSame() {
        String text = "SELECT 'é', '漢字', '😀', 'plain'";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8Escapes.decode(Unpooled.wrappedBuffer(bytes), 0, bytes.length)).isEqualTo(text);
        assertThat(roundTrip(bytes)).isEqualTo(bytes);
    }

    @Test
    void bytesThatAreNotUtf8AreEscapedOneByOneAndWrittenBack() {
        byte[][] cases = {
            {(byte) 0xFF, (byte) 0xFE},                       // never in UTF-8
            {(byte) 0xC3, 0x28},                              // a lead byte without its continuation
            {(byte) 0xC0, (byte) 0x80},                       // an overlong NUL
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},          // a surrogate
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
            {(byte) 0xE2, (byte) 0x82},                       // cut short at the end
            {(byte) 0x80},                                    // a stray continuation byte
        };
        for (byte[] bad : cases) {
            byte[] bytes = new byte[bad.length + 2];
            bytes[0] = 'a';
            System.arraycopy(bad, 0, bytes, 1, bad.length);
            bytes[bytes.length - 1] = 'z';
            String read = Utf8Escapes.decode(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
            assertThat(read).startsWith("a").endsWith("z").doesNotContain("\uFFFD");
            assertThat(roundTrip(bytes)).isEqualTo(bytes);
        }
        assertThat(Utf8Escapes.decode(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, 0x28}), 0, 2)).isEqualTo("\uDCC3(");
    }

    @Test
    void anyBytesWriteBackAsTheyCame() {
        Random random = new Random(20261207L);
        for (int round = 0; round < 2_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                // Mostly bytes around UTF-8's lead and continuation ranges.
                bytes[i] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x78) : random.nextInt(256));
            }
            assertThat(roundTrip(bytes)).as("round %d", round).isEqualTo(bytes);
        }
    }

    @Test
    void onlyATextWithTheReplacementCharacterMayHaveLostBytes() {
        assertThat(Utf8Escapes.mayHaveLostBytes("SELECT '\uFFFD'")).isTrue();
        assertThat(Utf8Escapes.mayHaveLostBytes("SELECT 'é'")).isFalse();
    }

    private static byte[] roundTrip(byte[] bytes) {
        String read = Utf8Escapes.decode(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
        ByteBuf out = Unpooled.buffer();
        Utf8Escapes.encode(read, out);
        byte[] written = new byte[out.readableBytes()];
        out.readBytes(written);
        out.release();
        return written;
    }
}
