package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The fixed head of a COM_STMT_EXECUTE payload: the command byte, the statement id (4 bytes),
 * the flags (1 byte, whose low bits are the cursor type) and the iteration count; then the null
 * bitmap, whether types follow, the types and the values of the parameters. The flags and an
 * integer parameter are read here; the payload is relayed as it is. Stateless.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_execute.html">COM_STMT_EXECUTE</a>
 */
public final class StmtExecute {
    private static final int FLAGS_OFFSET = 5;
    private static final int CURSOR_TYPE_MASK = 0x0f;
    /** Command byte, statement id, flags, iteration count: the null bitmap follows. */
    private static final int PARAMETERS_OFFSET = 10;
    private static final int TYPE_TINY = 1;
    private static final int TYPE_SHORT = 2;
    private static final int TYPE_LONG = 3;
    private static final int TYPE_FLOAT = 4;
    private static final int TYPE_DOUBLE = 5;
    private static final int TYPE_NULL = 6;
    private static final int TYPE_TIMESTAMP = 7;
    private static final int TYPE_LONGLONG = 8;
    private static final int TYPE_INT24 = 9;
    private static final int TYPE_DATE = 10;
    private static final int TYPE_TIME = 11;
    private static final int TYPE_DATETIME = 12;
    private static final int TYPE_YEAR = 13;
    private static final int TYPE_VARCHAR = 15;
    private static final int TYPE_JSON = 245;
    /** {@code MYSQL_TYPE_ENUM}, the first of the string types up to {@link #TYPE_STRING}: SET, the BLOBs, VAR_STRING. */
    private static final int TYPE_ENUM = 247;
    private static final int TYPE_STRING = 254;

    private StmtExecute() {
    }

    /**
     * The integer parameter {@code index} of the execution whose payload starts at
     * {@code payloadStart}, of a statement with {@code params} parameters; {@code keptTypes} are
     * the types an earlier execution sent, for a payload that does not send them again. Null
     * when it is not an integer given in the payload: SQL NULL, another type, no types known, a
     * payload cut short. (A parameter sent as long data has no value in the payload: the caller
     * does not ask while long data is pending.)
     */
    public static Long integerParameter(ByteBuf buf, int payloadStart, int params, byte[] keptTypes, int index) {
        int nulls = payloadStart + PARAMETERS_OFFSET;
        int at = nulls + (params + 7) / 8;
        if (index < 0 || index >= params || buf.writerIndex() <= at) {
            return null;
        }
        boolean typesSent = buf.getUnsignedByte(at++) == 1;
        int typesAt = at;
        if (typesSent) {
            at += 2 * params;
        } else if (keptTypes == null || keptTypes.length < 2 * params) {
            return null;
        }
        for (int i = 0; i <= index; i++) {
            if ((buf.getUnsignedByte(nulls + i / 8) & (1 << (i % 8))) != 0) {
                if (i == index) {
                    return null;
                }
                continue;
            }
            int type = typesSent ? buf.getUnsignedByte(typesAt + 2 * i) : keptTypes[2 * i] & 0xff;
            boolean unsigned = ((typesSent ? buf.getUnsignedByte(typesAt + 2 * i + 1) : keptTypes[2 * i + 1] & 0xff) & 0x80) != 0;
            if (i == index) {
                return integer(buf, at, type, unsigned);
            }
            int length = valueLength(buf, at, type);
            if (length < 0) {
                return null;
            }
            at += length;
        }
        return null;
    }

    private static Long integer(ByteBuf buf, int at, int type, boolean unsigned) {
        int size = switch (type) {
            case TYPE_TINY -> 1;
            case TYPE_SHORT, TYPE_YEAR -> 2;
            case TYPE_LONG, TYPE_INT24 -> 4;
            case TYPE_LONGLONG -> 8;
            default -> 0;
        };
        if (size == 0 || buf.writerIndex() < at + size) {
            return null;
        }
        return switch (size) {
            case 1 -> unsigned ? (long) buf.getUnsignedByte(at) : (long) buf.getByte(at);
            case 2 -> unsigned ? (long) buf.getUnsignedShortLE(at) : (long) buf.getShortLE(at);
            case 4 -> unsigned ? buf.getUnsignedIntLE(at) : (long) buf.getIntLE(at);
            default -> buf.getLongLE(at) < 0 && unsigned ? null : buf.getLongLE(at);
        };
    }

    /** The bytes a parameter value of {@code type} at {@code at} takes, or -1 when not known. */
    private static int valueLength(ByteBuf buf, int at, int type) {
        switch (type) {
            case TYPE_NULL:
                return 0;
            case TYPE_TINY:
                return 1;
            case TYPE_SHORT, TYPE_YEAR:
                return 2;
            case TYPE_LONG, TYPE_INT24, TYPE_FLOAT:
                return 4;
            case TYPE_LONGLONG, TYPE_DOUBLE:
                return 8;
            case TYPE_TIMESTAMP, TYPE_DATE, TYPE_TIME, TYPE_DATETIME:
                return buf.writerIndex() > at ? 1 + buf.getUnsignedByte(at) : -1;
            default:
                if (buf.writerIndex() <= at) {
                    return -1;
                }
                int first = buf.getUnsignedByte(at);
                long length;
                int prefix;
                if (first < 0xfb) {
                    length = first;
                    prefix = 1;
                } else if (first == 0xfc && buf.writerIndex() >= at + 3) {
                    length = buf.getUnsignedShortLE(at + 1);
                    prefix = 3;
                } else if (first == 0xfd && buf.writerIndex() >= at + 4) {
                    length = buf.getUnsignedMediumLE(at + 1);
                    prefix = 4;
                } else if (first == 0xfe && buf.writerIndex() >= at + 9) {
                    length = buf.getLongLE(at + 1);
                    prefix = 9;
                } else {
                    return -1;
                }
                return length < 0 || length > Integer.MAX_VALUE - prefix ? -1 : (int) length + prefix;
        }
    }

    /** Whether the payload starting at {@code payloadStart} asks for a cursor (a cursor type other than none). */
    public static boolean requestsCursor(ByteBuf buf, int payloadStart) {
        int flagsAt = payloadStart + FLAGS_OFFSET;
        return buf.writerIndex() > flagsAt && (buf.getUnsignedByte(flagsAt) & CURSOR_TYPE_MASK) != 0;
    }

    /**
     * True when a parameter of {@code types} (the type and flag bytes an execution sends for each
     * parameter) has a string type, which the server converts from the client's character set
     * (the VARCHAR, JSON, ENUM, SET, BLOB and STRING types).
     */
    public static boolean hasStringParameter(byte[] types) {
        for (int i = 0; i < types.length; i += 2) {
            int type = types[i] & 0xff;
            if (type == TYPE_VARCHAR || type == TYPE_JSON || (type >= TYPE_ENUM && type <= TYPE_STRING)) {
                return true;
            }
        }
        return false;
    }
}
