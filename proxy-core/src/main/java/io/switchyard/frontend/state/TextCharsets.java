package io.switchyard.frontend.state;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The Java character set the proxy reads a client's statement text in, given the session's
 * {@code character_set_client}. What matters is that the proxy's readers find every quote,
 * backslash and semicolon where the server finds them: in {@code sjis}, {@code cp932},
 * {@code gbk}, {@code big5} and {@code gb18030} the second byte of a character may be
 * {@code 0x5C}, a backslash on its own ({@code '表'} in Shift JIS is {@code 0x27 0x95 0x5C 0x27}),
 * so those are read in their own character set; the UTF-8 ones in UTF-8; every other one
 * (single-byte, or multibyte without ASCII bytes inside a character) byte for byte as ISO-8859-1,
 * which gives back the same bytes when encoded again.
 *
 * <p>Stateless and thread-safe.
 */
public final class TextCharsets {
    private static final Map<String, Charset> OWN = Map.of(
            "utf8mb4", StandardCharsets.UTF_8,
            "utf8mb3", StandardCharsets.UTF_8,
            "utf8", StandardCharsets.UTF_8,
            "sjis", Charset.forName("Shift_JIS"),
            "cp932", Charset.forName("windows-31j"),
            "gbk", Charset.forName("GBK"),
            "big5", Charset.forName("Big5"),
            "gb18030", Charset.forName("GB18030"));

    private TextCharsets() {
    }

    /** The character set a client with {@code character_set_client} {@code name} is read in; UTF-8 when not known (null). */
    public static Charset of(String name) {
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        Charset own = OWN.get(name.toLowerCase(Locale.ROOT));
        return own != null ? own : StandardCharsets.ISO_8859_1;
    }
}
