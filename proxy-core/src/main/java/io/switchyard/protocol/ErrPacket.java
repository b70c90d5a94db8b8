package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * An error: code, SQLSTATE and message.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_err_packet.html">ERR_Packet</a>
 */
public record ErrPacket(int code, String sqlState, String message) {
    public static final int HEADER = 0xff;

    /** Decodes a payload that starts with the 0xFF header. */
    public static ErrPacket decode(ByteBuf in) {
        if (in.readUnsignedByte() != HEADER) {
            throw new ProtocolException("not an ERR packet");
        }
        return decodeBody(in);
    }

    static ErrPacket decodeBody(ByteBuf in) {
        int code = in.readUnsignedShortLE();
        String state = "HY000";
        if (in.isReadable() && in.getByte(in.readerIndex()) == '#') {
            in.skipBytes(1);
            state = in.readCharSequence(5, StandardCharsets.US_ASCII).toString();
        }
        return new ErrPacket(code, state, Wire.readRestString(in));
    }

    public void encode(ByteBuf out) {
        out.writeByte(HEADER);
        out.writeShortLE(code);
        out.writeByte('#');
        out.writeCharSequence(sqlState, StandardCharsets.US_ASCII);
        out.writeCharSequence(message, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return code + " (" + sqlState + "): " + message;
    }
}
