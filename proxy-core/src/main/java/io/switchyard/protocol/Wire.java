package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Readers and writers for the protocol's basic data types: length-encoded integers and strings,
 * NUL-terminated strings, and fixed-length little-endian integers.
 *
 * <p>None of these methods retain or release the buffers they are given.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_data_types.html">Basic data types</a>
 */
public final class Wire {
    private Wire() {}

    /** Largest payload of one physical packet; a payload of exactly this size has a continuation. */
    public static final int MAX_PAYLOAD = 0xFFFFFF;
    public static final int HEADER_SIZE = 4;

    public static long readLenEncInt(ByteBuf buf) {
        int first = buf.readUnsignedByte();
        return switch (first) {
            case 0xfc -> buf.readUnsignedShortLE();
            case 0xfd -> buf.readUnsignedMediumLE();
            case 0xfe -> buf.readLongLE();
            case 0xfb -> -1;
            default -> first;
        };
    }

    /**
     * Writes {@code value} as a length-encoded integer, read as unsigned: an insert id of 2^63 or
     * more (the server reports -1 put into an {@code AUTO_INCREMENT} column so) takes nine bytes.
     */
    public static void writeLenEncInt(ByteBuf buf, long value) {
        if (Long.compareUnsigned(value, 0xfb) < 0) {
            buf.writeByte((int) value);
        } else if (Long.compareUnsigned(value, 0x10000) < 0) {
            buf.writeByte(0xfc).writeShortLE((int) value);
        } else if (Long.compareUnsigned(value, 0x1000000) < 0) {
            buf.writeByte(0xfd).writeMediumLE((int) value);
        } else {
            buf.writeByte(0xfe).writeLongLE(value);
        }
    }

    public static byte[] readLenEncBytes(ByteBuf buf) {
        long len = readLenEncInt(buf);
        if (len < 0) {
            return null;
        }
        if (len > buf.readableBytes()) {
            throw new ProtocolException("length-encoded string runs past the end of the packet");
        }
        byte[] bytes = new byte[(int) len];
        buf.readBytes(bytes);
        return bytes;
    }

    public static String readLenEncString(ByteBuf buf) {
        byte[] bytes = readLenEncBytes(buf);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    public static void writeLenEncBytes(ByteBuf buf, byte[] bytes) {
        writeLenEncInt(buf, bytes.length);
        buf.writeBytes(bytes);
    }

    public static void writeLenEncString(ByteBuf buf, String s) {
        writeLenEncBytes(buf, s.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] readNulBytes(ByteBuf buf) {
        int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new ProtocolException("NUL-terminated string runs past the end of the packet");
        }
        byte[] bytes = new byte[end - buf.readerIndex()];
        buf.readBytes(bytes);
        buf.skipBytes(1);
        return bytes;
    }

    public static String readNulString(ByteBuf buf) {
        return readNulString(buf, StandardCharsets.UTF_8);
    }

    public static String readNulString(ByteBuf buf, java.nio.charset.Charset charset) {
        return new String(readNulBytes(buf), charset);
    }

    public static void writeNulString(ByteBuf buf, String s) {
        writeNulString(buf, s, StandardCharsets.UTF_8);
    }

    public static void writeNulString(ByteBuf buf, String s, java.nio.charset.Charset charset) {
        buf.writeBytes(s.getBytes(charset)).writeByte(0);
    }

    public static String readRestString(ByteBuf buf) {
        String s = buf.toString(buf.readerIndex(), buf.readableBytes(), StandardCharsets.UTF_8);
        buf.skipBytes(buf.readableBytes());
        return s;
    }

    /** True when {@code payload} starts with the message header {@code header}; reads nothing. */
    public static boolean startsWith(ByteBuf payload, int header) {
        return payload.isReadable() && payload.getUnsignedByte(payload.readerIndex()) == header;
    }

    /** Reads a message's header byte, refusing a payload that starts with anything else. */
    static void readHeader(ByteBuf in, int header, String message) {
        if (!in.isReadable() || in.readUnsignedByte() != header) {
            throw new ProtocolException("not " + message);
        }
    }

    /** Payload length from the 3-byte header at {@code index}. */
    public static int payloadLength(ByteBuf buf, int index) {
        return buf.getUnsignedMediumLE(index);
    }

    /** Sequence id from the header at {@code index}. */
    public static int sequenceId(ByteBuf buf, int index) {
        return buf.getUnsignedByte(index + 3);
    }

    /** Writes a packet header; the caller writes {@code length} bytes of payload after it. */
    public static void writeHeader(ByteBuf buf, int length, int sequenceId) {
        buf.writeMediumLE(length).writeByte(sequenceId);
    }
}
