package io.switchyard.digest;

import java.util.Arrays;

/**
 * The lexer behind {@link QueryDigest}: one pass over the statement's UTF-8 bytes, writing the
 * digest text into a reusable output array. It recognises only what the digest rules need
 * (literals, comments, quoted names, words, parentheses, commas); everything else is copied.
 * The rules themselves are documented on {@link QueryDigest}.
 *
 * <p>Not thread-safe: one instance per thread, reached through {@link #local()}; all state is
 * reset by {@link #normalize}.
 *
 * <p>Longer than the house limit on purpose: it is one state machine over the bytes, and each
 * token rule reads the same cursor and output; split, the rules would lose their order.
 */
final class DigestNormalizer {
    private static final int RETAINED_CAPACITY = 64 * 1024;

    private static final ThreadLocal<DigestNormalizer> LOCAL =
            ThreadLocal.withInitial(DigestNormalizer::new);

    private static final byte OTHER = 0;
    private static final byte SPACE = 1;
    private static final byte WORD = 2;
    private static final byte DIGIT = 3;
    private static final byte[] CLASS = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            byte k = OTHER;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B) {
                k = SPACE;
            } else if (c >= '0' && c <= '9') {
                k = DIGIT;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$'
                    || c == '@' || c >= 0x80) {
                k = WORD;
            }
            CLASS[c] = k;
        }
    }

    /** Words after which {@code -} or {@code +} before a number is a sign, not an operator. */
    private static final byte[][] SIGN_KEYWORDS = keywords(
            "SELECT", "WHERE", "AND", "OR", "NOT", "XOR", "ON", "SET", "VALUES", "VALUE", "IN",
            "LIMIT", "OFFSET", "WHEN", "THEN", "ELSE", "BETWEEN", "LIKE", "IS", "DIV", "MOD",
            "HAVING", "INTERVAL", "CASE", "RETURN", "BY", "DEFAULT", "REGEXP", "RLIKE");
    private static final byte[] IN = keyword("IN");
    private static final byte[] VALUES = keyword("VALUES");
    private static final byte[] VALUE = keyword("VALUE");
    private static final byte[] NULL = keyword("NULL");
    private static final byte[] COLLAPSED = " (...)".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private enum Last { NONE, WORD, VALUE, OPEN, CLOSE, COMMA, OPERATOR }

    private enum ListKind { IN, VALUES, MORE_VALUES }

    private byte[] in;
    private int end;
    byte[] out = new byte[4096];
    private int outLen;
    private boolean pendingSpace;
    private Last last;
    private int lastWordStart;
    private int lastWordEnd;
    private int lastWordOut;

    /**
     * Output position the innermost open list rewinds to when it closes holding only literals,
     * or -1 when no such list is open. A list is abandoned (-1) at its first non-literal token.
     */
    private int listRewind;
    private ListKind listKind;
    private boolean listHasValue;
    /** Output position just after a collapsed {@code VALUES (...)}, or -1. */
    private int valuesTail;

    byte[] scratch = new byte[1024];

    static DigestNormalizer local() {
        return LOCAL.get();
    }

    /**
     * Writes the digest text of {@code in[from, to)} into {@link #out} and returns its length in
     * bytes, at most {@code maxLength} and never splitting a UTF-8 sequence.
     */
    int normalize(byte[] input, int from, int to, int maxLength) {
        in = input;
        end = to;
        outLen = 0;
        pendingSpace = false;
        last = Last.NONE;
        listRewind = -1;
        valuesTail = -1;
        int i = from;
        while (i < to) {
            if (outLen >= maxLength && listRewind < 0) {
                break;
            }
            int c = in[i] & 0xFF;
            switch (CLASS[c]) {
                case SPACE -> {
                    pendingSpace = true;
                    i++;
                }
                case DIGIT -> i = numberOrWord(i);
                case WORD -> i = word(i);
                default -> i = punctuation(i, c);
            }
        }
        in = null;
        return truncate(maxLength);
    }

    /** Drops the output array if one huge statement grew it, so threads do not retain it. */
    void trim() {
        if (out.length > RETAINED_CAPACITY) {
            out = new byte[4096];
        }
        if (scratch.length > RETAINED_CAPACITY) {
            scratch = new byte[1024];
        }
    }

    private int punctuation(int i, int c) {
        int next = i + 1 < end ? in[i + 1] & 0xFF : -1;
        switch (c) {
            case '\'', '"' -> {
                int e = skipString(i, c);
                value();
                return e;
            }
            case '`' -> {
                return backquoted(i);
            }
            case '?' -> {
                value();
                return i + 1;
            }
            case '(' -> {
                open();
                return i + 1;
            }
            case ')' -> {
                close();
                return i + 1;
            }
            case ',' -> {
                put(',');
                last = Last.COMMA;
                return i + 1;
            }
            case '#' -> {
                return lineComment(i);
            }
            case '/' -> {
                if (next == '*') {
                    return blockComment(i);
                }
            }
            case '-' -> {
                if (next == '-' && (i + 2 >= end || (in[i + 2] & 0xFF) <= ' ')) {
                    return lineComment(i);
                }
                int e = signedNumber(i);
                if (e > 0) {
                    return e;
                }
            }
            case '+' -> {
                int e = signedNumber(i);
                if (e > 0) {
                    return e;
                }
            }
            case '.' -> {
                if (next >= '0' && next <= '9' && !precededByName(i)) {
                    int e = numberEnd(i);
                    if (e > 0) {
                        value();
                        return e;
                    }
                }
            }
            default -> {
            }
        }
        put((byte) c);
        last = Last.OPERATOR;
        unclean();
        valuesTail = -1;
        return i + 1;
    }

    private boolean precededByName(int i) {
        if (i == 0) {
            return false;
        }
        int p = in[i - 1] & 0xFF;
        return CLASS[p] == WORD || CLASS[p] == DIGIT || p == '`';
    }

    private int numberOrWord(int i) {
        if (!(i > 0 && in[i - 1] == '.' && i > 1 && precededByName(i - 1))) {
            int e = numberEnd(i);
            if (e > 0) {
                value();
                return e;
            }
        }
        return word(i);
    }

    private int word(int i) {
        int e = i + 1;
        while (e < end && CLASS[in[e] & 0xFF] >= WORD) {
            e++;
        }
        if (e < end && (in[e] == '\'' || in[e] == '"') && isIntroducer(i, e)) {
            int s = skipString(e, in[e]);
            value();
            return s;
        }
        put(in, i, e - i);
        last = Last.WORD;
        lastWordStart = i;
        lastWordEnd = e;
        lastWordOut = outLen;
        valuesTail = -1;
        if (listRewind >= 0) {
            if (lastWordIs(NULL)) {
                listHasValue = true;
            } else {
                listRewind = -1;
            }
        }
        return e;
    }

    /** {@code x'..'}, {@code b'..'}, {@code N'..'} and charset introducers such as {@code _utf8mb4'..'}. */
    private boolean isIntroducer(int s, int e) {
        if (in[s] == '_') {
            return true;
        }
        if (e - s != 1) {
            return false;
        }
        int c = in[s] | 0x20;
        return c == 'x' || c == 'b' || c == 'n';
    }

    private int backquoted(int i) {
        int p = i + 1;
        while (p < end) {
            if (in[p] == '`') {
                if (p + 1 < end && in[p + 1] == '`') {
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            p++;
        }
        put(in, i, p - i);
        last = Last.WORD;
        lastWordStart = i;
        lastWordEnd = i;
        lastWordOut = outLen;
        valuesTail = -1;
        unclean();
        return p;
    }

    private int skipString(int i, int quote) {
        int p = i + 1;
        while (p < end) {
            int b = in[p];
            if (b == '\\') {
                p += 2;
            } else if (b == quote) {
                if (p + 1 < end && in[p + 1] == quote) {
                    p += 2;
                } else {
                    return p + 1;
                }
            } else {
                p++;
            }
        }
        return end;
    }

    private int lineComment(int i) {
        int p = i + 1;
        while (p < end && in[p] != '\n') {
            p++;
        }
        pendingSpace = true;
        return p;
    }

    private int blockComment(int i) {
        int p = i + 2;
        while (p + 1 < end && !(in[p] == '*' && in[p + 1] == '/')) {
            p++;
        }
        int e = p + 1 < end ? p + 2 : end;
        boolean keep = i + 2 < end && (in[i + 2] == '+' || in[i + 2] == '!');
        if (!keep) {
            pendingSpace = true;
            return e;
        }
        flushSpace();
        for (int q = i; q < e; q++) {
            byte b = in[q];
            if (CLASS[b & 0xFF] == SPACE) {
                pendingSpace = true;
            } else {
                flushSpace();
                putRaw(b);
            }
        }
        unclean();
        return e;
    }

    /** A {@code -} or {@code +} that is a sign, with its number: the end of both, or -1. */
    private int signedNumber(int i) {
        boolean signContext = switch (last) {
            case NONE, OPEN, COMMA, OPERATOR -> true;
            case WORD -> lastWordIsSignKeyword();
            default -> false;
        };
        if (!signContext) {
            return -1;
        }
        int p = i + 1;
        while (p < end && CLASS[in[p] & 0xFF] == SPACE) {
            p++;
        }
        if (p >= end) {
            return -1;
        }
        int c = in[p];
        boolean digit = c >= '0' && c <= '9';
        boolean dotDigit = c == '.' && p + 1 < end && in[p + 1] >= '0' && in[p + 1] <= '9';
        if (!digit && !dotDigit) {
            return -1;
        }
        int e = numberEnd(p);
        if (e < 0) {
            return -1;
        }
        value();
        return e;
    }

    /** End of the numeric literal starting at {@code i}, or -1 when the characters there are not one. */
    private int numberEnd(int i) {
        int p = i;
        if (in[p] == '0' && p + 2 < end && (in[p + 1] | 0x20) == 'x') {
            p += 2;
            int s = p;
            while (p < end && isHexDigit(in[p])) {
                p++;
            }
            return p > s && !continuesWord(p) ? p : -1;
        }
        if (in[p] == '0' && p + 2 < end && (in[p + 1] | 0x20) == 'b') {
            p += 2;
            int s = p;
            while (p < end && (in[p] == '0' || in[p] == '1')) {
                p++;
            }
            return p > s && !continuesWord(p) ? p : -1;
        }
        boolean digits = false;
        while (p < end && CLASS[in[p] & 0xFF] == DIGIT) {
            p++;
            digits = true;
        }
        if (p < end && in[p] == '.') {
            p++;
            while (p < end && CLASS[in[p] & 0xFF] == DIGIT) {
                p++;
                digits = true;
            }
        }
        if (!digits) {
            return -1;
        }
        if (p < end && (in[p] | 0x20) == 'e') {
            int q = p + 1;
            if (q < end && (in[q] == '+' || in[q] == '-')) {
                q++;
            }
            int s = q;
            while (q < end && CLASS[in[q] & 0xFF] == DIGIT) {
                q++;
            }
            if (q == s) {
                return -1;
            }
            p = q;
        }
        return continuesWord(p) ? -1 : p;
    }

    private boolean continuesWord(int p) {
        return p < end && CLASS[in[p] & 0xFF] >= WORD;
    }

    private static boolean isHexDigit(int b) {
        return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'f');
    }

    private void value() {
        put('?');
        last = Last.VALUE;
        valuesTail = -1;
        if (listRewind >= 0) {
            listHasValue = true;
        }
    }

    private void open() {
        if (listRewind >= 0) {
            listRewind = -1;
        } else if (last == Last.WORD && lastWordIs(IN)) {
            startList(ListKind.IN, lastWordOut);
        } else if (last == Last.WORD && (lastWordIs(VALUES) || lastWordIs(VALUE))) {
            startList(ListKind.VALUES, lastWordOut);
        } else if (last == Last.COMMA && valuesTail >= 0) {
            startList(ListKind.MORE_VALUES, valuesTail);
        }
        put('(');
        last = Last.OPEN;
    }

    private void startList(ListKind kind, int rewind) {
        listKind = kind;
        listRewind = rewind;
        listHasValue = false;
    }

    private void close() {
        last = Last.CLOSE;
        if (listRewind >= 0 && listHasValue) {
            outLen = listRewind;
            pendingSpace = false;
            if (listKind != ListKind.MORE_VALUES) {
                putRaw(COLLAPSED, 0, COLLAPSED.length);
            }
            valuesTail = listKind == ListKind.IN ? -1 : outLen;
            listRewind = -1;
            return;
        }
        listRewind = -1;
        valuesTail = -1;
        put(')');
    }

    private void unclean() {
        listRewind = -1;
    }

    private boolean lastWordIs(byte[] upper) {
        int n = lastWordEnd - lastWordStart;
        if (n != upper.length) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            int b = in[lastWordStart + k];
            if (b >= 'a' && b <= 'z') {
                b -= 32;
            }
            if (b != upper[k]) {
                return false;
            }
        }
        return true;
    }

    private boolean lastWordIsSignKeyword() {
        for (byte[] k : SIGN_KEYWORDS) {
            if (lastWordIs(k)) {
                return true;
            }
        }
        return false;
    }

    private void flushSpace() {
        if (pendingSpace) {
            pendingSpace = false;
            if (outLen > 0) {
                putRaw((byte) ' ');
            }
        }
    }

    private void put(char c) {
        put((byte) c);
    }

    private void put(byte b) {
        flushSpace();
        putRaw(b);
    }

    private void put(byte[] src, int offset, int length) {
        flushSpace();
        putRaw(src, offset, length);
    }

    private void putRaw(byte b) {
        if (outLen == out.length) {
            out = Arrays.copyOf(out, out.length * 2);
        }
        out[outLen++] = b;
    }

    private void putRaw(byte[] src, int offset, int length) {
        if (outLen + length > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLen + length));
        }
        System.arraycopy(src, offset, out, outLen, length);
        outLen += length;
    }

    private int truncate(int maxLength) {
        int n = outLen;
        if (n > maxLength) {
            n = maxLength;
            while (n > 0 && (out[n] & 0xC0) == 0x80) {
                n--;
            }
        }
        while (n > 0 && out[n - 1] == ' ') {
            n--;
        }
        return n;
    }

    private static byte[][] keywords(String... words) {
        byte[][] result = new byte[words.length][];
        for (int k = 0; k < words.length; k++) {
            result[k] = keyword(words[k]);
        }
        return result;
    }

    private static byte[] keyword(String word) {
        return word.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
