package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The fixed head of a COM_STMT_EXECUTE payload: the command byte, the statement id (4 bytes),
 * the flags (1 byte, whose low bits are the cursor type) and the iteration count. Only the flags
 * are read here; the rest is relayed as it is. Stateless.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_execute.html">COM_STMT_EXECUTE</a>
 */
public final class StmtExecute {
    private static final int FLAGS_OFFSET = 5;
    private static final int CURSOR_TYPE_MASK = 0x0f;

    private StmtExecute() {
    }

    /** Whether the payload starting at {@code payloadStart} asks for a cursor (a cursor type other than none). */
    public static boolean requestsCursor(ByteBuf buf, int payloadStart) {
        int flagsAt = payloadStart + FLAGS_OFFSET;
        return buf.writerIndex() > flagsAt && (buf.getUnsignedByte(flagsAt) & CURSOR_TYPE_MASK) != 0;
    }
}
