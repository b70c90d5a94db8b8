package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextCharsetsTest {

    @Test
    void eachClientCharacterSetIsReadInOneThatFindsItsQuotesAndBackslashes() {
        assertThat(TextCharsets.of("utf8mb4")).isEqualTo(StandardCharsets.UTF_8);
        assertThat(TextCharsets.of("UTF8MB3")).isEqualTo(StandardCharsets.UTF_8);
        assertThat(TextCharsets.of(null)).isEqualTo(StandardCharsets.UTF_8);
        assertThat(TextCharsets.of("sjis")).isEqualTo(Charset.forName("Shift_JIS"));
        assertThat(TextCharsets.of("cp932")).isEqualTo(Charset.forName("windows-31j"));
        assertThat(TextCharsets.of("gbk")).isEqualTo(Charset.forName("GBK"));
        assertThat(TextCharsets.of("big5")).isEqualTo(Charset.forName("Big5"));
        assertThat(TextCharsets.of("gb18030")).isEqualTo(Charset.forName("GB18030"));
        assertThat(TextCharsets.of("latin1")).isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(TextCharsets.of("ujis")).isEqualTo(StandardCharsets.ISO_8859_1);
    }

    /** In Shift JIS, GBK and Big5 the second byte of 十, 乗 and 么 is 0x5C, a backslash read alone. */
    @Test
    void aCharacterWhoseSecondByteIsABackslashEscapesNothing() {
        String[][] cases = {{"sjis", "Shift_JIS", "十"}, {"cp932", "windows-31j", "十"}, {"gbk", "GBK", "乗"},
            {"gb18030", "GB18030", "乗"}, {"big5", "Big5", "么"}};
        for (String[] c : cases) {
            byte[] bytes = ("SELECT '" + c[2] + "', GET_LOCK('x', 0)").getBytes(Charset.forName(c[1]));
            assertThat(bytes[9]).as(c[0]).isEqualTo((byte) '\\');
            String read = new String(bytes, TextCharsets.of(c[0]));
            assertThat(StatementClassifier.classify(read).pins()).as(c[0]).containsExactly(PinReason.ADVISORY_LOCK);
            assertThat(StatementClassifier.classify(new String(bytes, StandardCharsets.UTF_8)).pins()).as(c[0] + " read as UTF-8")
                    .isEmpty();
        }
    }

    @Test
    void everyOtherCharacterSetGivesBackItsBytes() {
        byte[] latin1 = {'S', 'E', 'L', 'E', 'C', 'T', ' ', '\'', (byte) 0xE9, (byte) 0x81, '\''};
        assertThat(new String(latin1, TextCharsets.of("latin1")).getBytes(TextCharsets.of("latin1"))).isEqualTo(latin1);
    }
}
