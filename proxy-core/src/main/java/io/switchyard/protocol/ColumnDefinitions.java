package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Column definition packets (ColumnDefinition41) compared the way a MariaDB server decides that a
 * prepared statement's metadata changed for a client that caches it: by everything except the
 * character set and the display length, which follow {@code character_set_results} at each
 * execution without the server sending the definitions again.
 */
public final class ColumnDefinitions {
    /** The fixed-length fields end a definition: character set (2), length (4), type (1), flags (2), decimals (1), filler (2). */
    private static final int FIXED = 12;
    private static final int CHARSET_AND_LENGTH = 6;

    private ColumnDefinitions() {}

    /**
     * The column definitions of a whole COM_STMT_PREPARE reply (OK, parameter definitions, column
     * definitions, each group ended by an EOF without CLIENT_DEPRECATE_EOF), as {@link #comparable};
     * null when the reply is not whole.
     */
    public static byte[] ofPrepareReply(ByteBuf reply, boolean deprecateEof) {
        ByteBuf r = reply.duplicate();
        if (r.readableBytes() < Wire.HEADER_SIZE + 9) {
            return null;
        }
        int okLength = Wire.payloadLength(r, r.readerIndex());
        int columns = r.getUnsignedShortLE(r.readerIndex() + Wire.HEADER_SIZE + 5);
        int params = r.getUnsignedShortLE(r.readerIndex() + Wire.HEADER_SIZE + 7);
        int skip = 1 + params + (params > 0 && !deprecateEof ? 1 : 0);
        for (int i = 0; i < skip; i++) {
            if (r.readableBytes() < Wire.HEADER_SIZE) {
                return null;
            }
            int length = i == 0 ? okLength : Wire.payloadLength(r, r.readerIndex());
            if (r.readableBytes() < Wire.HEADER_SIZE + length) {
                return null;
            }
            r.skipBytes(Wire.HEADER_SIZE + length);
        }
        return columns == 0 ? null : comparable(r, columns);
    }

    /**
     * The {@code count} framed definitions at the start of {@code packets} (not consumed) as one
     * byte array, character sets and lengths zeroed: equal arrays mean metadata the server would
     * not send again.
     */
    public static byte[] comparable(ByteBuf packets, int count) {
        int at = packets.readerIndex();
        int total = 0;
        for (int i = 0; i < count; i++) {
            int length = Wire.payloadLength(packets, at);
            total += length;
            at += Wire.HEADER_SIZE + length;
        }
        byte[] out = new byte[total];
        at = packets.readerIndex();
        int written = 0;
        for (int i = 0; i < count; i++) {
            int length = Wire.payloadLength(packets, at);
            packets.getBytes(at + Wire.HEADER_SIZE, out, written, length);
            if (length >= FIXED) {
                Arrays.fill(out, written + length - FIXED, written + length - FIXED + CHARSET_AND_LENGTH, (byte) 0);
            }
            written += length;
            at += Wire.HEADER_SIZE + length;
        }
        return out;
    }
}
