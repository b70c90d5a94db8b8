package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server's initial handshake. The proxy decodes the one its backends send (to learn their
 * version and capabilities) and encodes its own for clients.
 *
 * @param serverVersion the version string, e.g. {@code 10.11.19-MariaDB-0+deb12u1}
 * @param connectionId the thread id the client will see
 * @param seed the 20-byte authentication challenge (without the trailing NUL)
 * @param capabilities 64-bit capabilities; bits 32..63 are MariaDB's extended flags
 * @param collation the server's default collation id
 * @param statusFlags initial server status
 * @param authPluginName the plugin the seed is meant for
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html">Protocol::HandshakeV10</a>
 */
public record HandshakeV10(String serverVersion, long connectionId, byte[] seed, long capabilities,
                           int collation, int statusFlags, String authPluginName) {

    public static HandshakeV10 decode(ByteBuf in) {
        int protocolVersion = in.readUnsignedByte();
        if (protocolVersion == 0xff) {
            throw new ProtocolException("server refused the connection: " + ErrPacket.decodeBody(in).message());
        }
        if (protocolVersion != 10) {
            throw new ProtocolException("unsupported handshake protocol version " + protocolVersion);
        }
        String version = Wire.readNulString(in);
        long connectionId = in.readUnsignedIntLE();
        byte[] part1 = new byte[8];
        in.readBytes(part1);
        in.skipBytes(1);
        long caps = in.readUnsignedShortLE();
        int collation = in.readUnsignedByte();
        int status = in.readUnsignedShortLE();
        caps |= ((long) in.readUnsignedShortLE()) << 16;
        int seedLength = in.readUnsignedByte();
        in.skipBytes(6);
        long extended = in.readUnsignedIntLE();
        if (!Capability.has(caps, Capability.CLIENT_MYSQL)) {
            caps |= extended << 32;
        }
        byte[] seed = part1;
        if (Capability.has(caps, Capability.CLIENT_SECURE_CONNECTION)) {
            int part2Length = Math.max(13, seedLength - 8);
            byte[] part2 = new byte[part2Length];
            in.readBytes(part2);
            int usable = part2[part2Length - 1] == 0 ? part2Length - 1 : part2Length;
            seed = Arrays.copyOf(part1, 8 + usable);
            System.arraycopy(part2, 0, seed, 8, usable);
        }
        String plugin = "mysql_native_password";
        if (Capability.has(caps, Capability.CLIENT_PLUGIN_AUTH) && in.isReadable()) {
            int end = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
            plugin = end < 0 ? Wire.readRestString(in) : Wire.readNulString(in);
        }
        return new HandshakeV10(version, connectionId, seed, caps, collation, status, plugin);
    }

    /** Writes the payload (no header) into {@code out}. */
    public void encode(ByteBuf out) {
        out.writeByte(10);
        Wire.writeNulString(out, serverVersion);
        out.writeIntLE((int) connectionId);
        out.writeBytes(seed, 0, 8);
        out.writeByte(0);
        out.writeShortLE((int) capabilities);
        out.writeByte(collation);
        out.writeShortLE(statusFlags);
        out.writeShortLE((int) (capabilities >>> 16));
        out.writeByte(seed.length + 1);
        out.writeZero(6);
        if (Capability.has(capabilities, Capability.CLIENT_MYSQL)) {
            out.writeZero(4);
        } else {
            out.writeIntLE((int) (capabilities >>> 32));
        }
        out.writeBytes(seed, 8, seed.length - 8);
        out.writeByte(0);
        out.writeBytes(authPluginName.getBytes(StandardCharsets.UTF_8)).writeByte(0);
    }
}
