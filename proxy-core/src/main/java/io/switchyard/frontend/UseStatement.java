package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Recognises {@code USE db} in a COM_QUERY payload, so the session knows which schema its backend
 * connection is in after the statement. Stateless.
 */
final class UseStatement {
    private UseStatement() {}

    /** The schema a single {@code USE name} statement switches to, or null when it is not one. */
    static String schemaOf(ByteBuf payload) {
        int start = payload.readerIndex() + 1;
        int end = payload.writerIndex();
        int i = start;
        while (i < end && Character.isWhitespace(payload.getByte(i))) {
            i++;
        }
        boolean use = end - i > 4 && (payload.getByte(i) | 0x20) == 'u' && (payload.getByte(i + 1) | 0x20) == 's'
                && (payload.getByte(i + 2) | 0x20) == 'e' && Character.isWhitespace(payload.getByte(i + 3));
        if (!use) {
            return null;
        }
        String rest = payload.toString(i + 4, end - i - 4, StandardCharsets.UTF_8).trim();
        if (rest.endsWith(";")) {
            rest = rest.substring(0, rest.length() - 1).trim();
        }
        if (rest.startsWith("`") && rest.endsWith("`") && rest.length() > 2) {
            rest = rest.substring(1, rest.length() - 1).replace("``", "`");
        }
        boolean plain = !rest.isEmpty() && rest.indexOf(';') < 0 && rest.indexOf('`') < 0 && rest.indexOf(' ') < 0;
        return plain ? rest : null;
    }

    /** True when the statement text might contain a {@code USE} somewhere (multi-statements). */
    static boolean mayUse(ByteBuf payload) {
        for (int i = payload.readerIndex() + 1, end = payload.writerIndex() - 2; i < end; i++) {
            if ((payload.getByte(i) | 0x20) == 'u' && (payload.getByte(i + 1) | 0x20) == 's'
                    && (payload.getByte(i + 2) | 0x20) == 'e') {
                return true;
            }
        }
        return false;
    }
}
