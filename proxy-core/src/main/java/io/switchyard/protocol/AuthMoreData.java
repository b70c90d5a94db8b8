package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Extra data an authentication plugin sends during the connection phase, such as
 * {@code caching_sha2_password}'s fast-authentication result or the server's RSA public key.
 * An immutable value; {@link #data()} is not copied, so callers must not modify it.
 *
 * @param data the plugin's bytes after the 0x01 header
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_more_data.html">Protocol::AuthMoreData</a>
 */
public record AuthMoreData(byte[] data) {
    public static final int HEADER = 0x01;

    /** True when a connection-phase payload (not consumed) is an AuthMoreData packet. */
    public static boolean is(ByteBuf payload) {
        return Wire.startsWith(payload, HEADER);
    }

    /** Decodes a payload that starts with the 0x01 header. */
    public static AuthMoreData decode(ByteBuf in) {
        Wire.readHeader(in, HEADER, "an AuthMoreData packet");
        byte[] data = new byte[in.readableBytes()];
        in.readBytes(data);
        return new AuthMoreData(data);
    }

    /** The first data byte (a plugin's status code), or -1 when there is none. */
    public int status() {
        return data.length > 0 ? data[0] & 0xff : -1;
    }

    public void encode(ByteBuf out) {
        out.writeByte(HEADER).writeBytes(data);
    }

    @Override
    public String toString() {
        return "AuthMoreData[" + data.length + " bytes]";
    }
}
