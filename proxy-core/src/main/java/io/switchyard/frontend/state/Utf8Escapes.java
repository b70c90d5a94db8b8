package io.switchyard.frontend.state;

import io.netty.buffer.ByteBuf;

/**
 * UTF-8 that keeps the bytes that are not UTF-8: a client whose character set is {@code utf8mb4}
 * may still send them (binary data escaped into a string literal, as PHP's and Perl's drivers
 * do), and the server takes them as they are. Each such byte {@code b} reads as the lone
 * surrogate {@code U+DC00 + b} ({@code U+DC80} to {@code U+DCFF}: no UTF-8 text holds one), which
 * writes back as {@code b}. Used where the proxy writes a statement's text again (a query rule's
 * rewrite), so that the server gets those bytes as the client sent them.
 *
 * <p>Stateless and thread-safe.
 */
public final class Utf8Escapes {
    private static final char ESCAPE = 0xDC00;
    private static final char FIRST_ESCAPED = 0xDC80;
    private static final char LAST_ESCAPED = 0xDCFF;

    private Utf8Escapes() {
    }

    /** The text of {@code length} bytes of {@code buf} from {@code index}, with each byte that is not UTF-8 escaped. */
    public static String decode(ByteBuf buf, int index, int length) {
        StringBuilder out = new StringBuilder(length);
        int end = index + length;
        int i = index;
        while (i < end) {
            int b = buf.getUnsignedByte(i);
            int size = sequenceLength(buf, i, end, b);
            if (size == 0) {
                out.append((char) (ESCAPE | b));
                i++;
                continue;
            }
            int cp = size == 1 ? b : b & (0xFF >> (size + 1));
            for (int k = 1; k < size; k++) {
                cp = cp << 6 | (buf.getUnsignedByte(i + k) & 0x3F);
            }
            out.appendCodePoint(cp);
            i += size;
        }
        return out.toString();
    }

    /**
     * The length of the well-formed UTF-8 sequence that starts with {@code b} at {@code i}
     * (before {@code end}): 1 to 4; 0 when none does (a stray continuation byte, an overlong or
     * surrogate form, a code point past U+10FFFF, a sequence cut short).
     */
    private static int sequenceLength(ByteBuf buf, int i, int end, int b) {
        if (b < 0x80) {
            return 1;
        }
        int size;
        int low = 0x80;
        int high = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            size = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            size = 3;
            low = b == 0xE0 ? 0xA0 : 0x80;
            high = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            size = 4;
            low = b == 0xF0 ? 0x90 : 0x80;
            high = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (i + size > end) {
            return 0;
        }
        int second = buf.getUnsignedByte(i + 1);
        if (second < low || second > high) {
            return 0;
        }
        for (int k = 2; k < size; k++) {
            int next = buf.getUnsignedByte(i + k);
            if (next < 0x80 || next > 0xBF) {
                return 0;
            }
        }
        return size;
    }

    /** Writes {@code text} to {@code out} in UTF-8, each escaped byte ({@link #decode}) as the byte it stands for. */
    public static void encode(CharSequence text, ByteBuf out) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= FIRST_ESCAPED && c <= LAST_ESCAPED) {
                out.writeByte(c & 0xFF);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out.writeByte(0xF0 | cp >> 18).writeByte(0x80 | (cp >> 12 & 0x3F))
                        .writeByte(0x80 | (cp >> 6 & 0x3F)).writeByte(0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                out.writeByte('?');
            } else if (c < 0x80) {
                out.writeByte(c);
            } else if (c < 0x800) {
                out.writeByte(0xC0 | c >> 6).writeByte(0x80 | (c & 0x3F));
            } else {
                out.writeByte(0xE0 | c >> 12).writeByte(0x80 | (c >> 6 & 0x3F)).writeByte(0x80 | (c & 0x3F));
            }
        }
    }

    /** True when {@code text}, read as UTF-8, may have had bytes that are not UTF-8 replaced ({@code U+FFFD} in it). */
    public static boolean mayHaveLostBytes(String text) {
        return text.indexOf('\uFFFD') >= 0;
    }
}
