package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.util.function.IntPredicate;

/**
 * The EOF a client without CLIENT_DEPRECATE_EOF expects after a result's column definitions,
 * where a connection with it gets none: its status and warnings, found in the packets that
 * follow.
 *
 * <p>MariaDB writes there the status the statement has while it sends the rows, which is the
 * status the result ends with (checked on 10.11: more results, no index used, a procedure's OUT
 * parameters, which clients read from this EOF before they fetch the row), and the warnings the
 * statement raised before it sent its first row. So both are taken from the OK that ends the
 * result when that OK comes within {@link #LOOK_AHEAD} bytes after the definitions; a longer
 * result, or one that fails, gets a predicted status (see {@link ResponseTracker}) and no
 * warnings. The columns of a cursor end with a status packet of the server's own, which
 * becomes that EOF, or with an error when the cursor cannot be opened: nothing is inserted.
 *
 * <p>Stateless; thread-safe.
 */
final class ColumnsEof {
    private ColumnsEof() {}

    /** Bytes of rows looked at for the OK that ends the result. */
    static final int LOOK_AHEAD = 16 * 1024;
    /** The bytes so far do not tell: wait for more. */
    static final int UNDECIDED = -1;
    /** No EOF goes after the columns: the server's own status packet ends them (a cursor). */
    static final int NONE = -2;
    /** The result ends beyond the look-ahead, or with an error: the status must be predicted. */
    static final int PREDICTED = -3;

    /**
     * Where the OK that ends the result starts in {@code buf} (its status and warnings go into
     * the EOF after the columns), looking at the packets between {@code start} (just after the
     * last definition) and {@code end}; or {@link #UNDECIDED}, {@link #NONE} or
     * {@link #PREDICTED}. {@code cursorAsked} tells that the command asked for a cursor, whose
     * columns an error may follow directly (the server sends no EOF before it, as it sends none
     * before a cursor is open); {@code opensCursor} tells whether a status packet right after the
     * columns with the given flags opens a cursor.
     */
    static int endOfResult(ByteBuf buf, int start, int end, boolean cursorAsked, IntPredicate opensCursor) {
        int pos = start;
        boolean firstPacket = true;
        while (true) {
            if (end - pos < Wire.HEADER_SIZE + 1) {
                return pos - start >= LOOK_AHEAD ? PREDICTED : UNDECIDED;
            }
            int length = Wire.payloadLength(buf, pos);
            int first = length > 0 ? buf.getUnsignedByte(pos + Wire.HEADER_SIZE) : -1;
            if (first == ErrPacket.HEADER && firstPacket && cursorAsked) {
                return NONE;
            }
            if (first == ErrPacket.HEADER || length >= Wire.MAX_PAYLOAD) {
                return PREDICTED;
            }
            if (first == OkPacket.EOF_HEADER) {
                if (end - pos < Wire.HEADER_SIZE + length) {
                    return UNDECIDED;
                }
                int status = OkPacket.statusFlags(buf, pos + Wire.HEADER_SIZE, length);
                return firstPacket && opensCursor.test(status) ? NONE : pos;
            }
            firstPacket = false;
            pos += Wire.HEADER_SIZE + length;
            if (pos - start >= LOOK_AHEAD) {
                return PREDICTED;
            }
        }
    }
}
