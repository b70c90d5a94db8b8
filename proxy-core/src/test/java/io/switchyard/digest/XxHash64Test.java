package io.switchyard.digest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XxHash64Test {

    private static long hash(byte[] data) {
        return XxHash64.hash(data, 0, data.length);
    }

    @Test
    void matchesTheReferenceImplementationForShortInputs() {
        // expected values computed with libxxhash 0.8.1, XXH64(data, len, seed=0)
        assertThat(hash(new byte[0])).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(hash("a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xD24EC4F1A98C6E5BL);
        assertThat(hash("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x44BC2CF5AD770999L);
    }

    @Test
    void matchesTheReferenceImplementationAcrossStripes() {
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        assertThat(hash(data)).isEqualTo(0x6AC1E58032166597L);
        assertThat(hash("SELECT c FROM sbtest1 WHERE id=?".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(0xD82FB3B6E90A8423L);
    }

    @Test
    void hashesOnlyTheGivenRange() {
        byte[] padded = "xxabcyy".getBytes(StandardCharsets.US_ASCII);
        assertThat(XxHash64.hash(padded, 2, 3)).isEqualTo(0x44BC2CF5AD770999L);
    }
}
