package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client's answer to the handshake. A 32-byte payload with {@link Capability#CLIENT_SSL}
 * is an SSL request: the client switches to TLS and sends the full response afterwards.
 *
 * @param capabilities 64-bit capabilities, MariaDB's extended flags in bits 32..63
 * @param maxPacketSize the client's maximum packet size
 * @param collation the collation id the client asks for
 * @param username user name, or null in an SSL request (it and {@code database} are in the
 *                 collation's character set on the wire: {@link CollationCharsets})
 * @param authResponse the plugin's first response (may be empty)
 * @param database initial schema, or null
 * @param authPluginName the plugin the client used for {@code authResponse}, or null
 * @param attributes connection attributes (empty when the client sent none)
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html">Protocol::HandshakeResponse41</a>
 */
public record HandshakeResponse41(long capabilities, int maxPacketSize, int collation, String username,
                                  byte[] authResponse, String database, String authPluginName,
                                  Map<String, String> attributes) {

    public static final int SSL_REQUEST_LENGTH = 32;

    public boolean isSslRequest() {
        return username == null;
    }

    public static HandshakeResponse41 decode(ByteBuf in) {
        if (in.readableBytes() < SSL_REQUEST_LENGTH) {
            throw new ProtocolException("handshake response too short (" + in.readableBytes() + " bytes)");
        }
        long caps = in.readUnsignedIntLE();
        if (!Capability.has(caps, Capability.CLIENT_PROTOCOL_41)) {
            throw new ProtocolException("client does not speak protocol 4.1");
        }
        int maxPacket = in.readIntLE();
        int collation = in.readUnsignedByte();
        in.skipBytes(19);
        long extended = in.readUnsignedIntLE();
        if (!Capability.has(caps, Capability.CLIENT_MYSQL)) {
            caps |= extended << 32;
        }
        if (!in.isReadable()) {
            return new HandshakeResponse41(caps, maxPacket, collation, null, new byte[0], null, null, Map.of());
        }
        // The server reads the user and the database in the character set of the login's collation.
        java.nio.charset.Charset names = CollationCharsets.of(collation);
        String user = Wire.readNulString(in, names);
        byte[] auth;
        if (Capability.has(caps, Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            auth = Wire.readLenEncBytes(in);
        } else if (Capability.has(caps, Capability.CLIENT_SECURE_CONNECTION)) {
            auth = new byte[in.readUnsignedByte()];
            in.readBytes(auth);
        } else {
            auth = Wire.readNulBytes(in);
        }
        String db = null;
        if (Capability.has(caps, Capability.CLIENT_CONNECT_WITH_DB) && in.isReadable()) {
            db = Wire.readNulString(in, names);
            if (db.isEmpty()) {
                db = null;
            }
        }
        String plugin = null;
        if (Capability.has(caps, Capability.CLIENT_PLUGIN_AUTH) && in.isReadable()) {
            plugin = Wire.readNulString(in);
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        if (Capability.has(caps, Capability.CLIENT_CONNECT_ATTRS) && in.isReadable()) {
            long total = Wire.readLenEncInt(in);
            int end = in.readerIndex() + (int) Math.min(total, in.readableBytes());
            while (in.readerIndex() < end) {
                attrs.put(Wire.readLenEncString(in), Wire.readLenEncString(in));
            }
        }
        return new HandshakeResponse41(caps, maxPacket, collation, user, auth == null ? new byte[0] : auth,
                db, plugin, attrs);
    }

    /** Writes the payload (no header); an SSL request when {@code username} is null. */
    public void encode(ByteBuf out) {
        out.writeIntLE((int) capabilities);
        out.writeIntLE(maxPacketSize);
        out.writeByte(collation);
        out.writeZero(19);
        out.writeIntLE(Capability.has(capabilities, Capability.CLIENT_MYSQL) ? 0 : (int) (capabilities >>> 32));
        if (username == null) {
            return;
        }
        java.nio.charset.Charset names = CollationCharsets.of(collation);
        Wire.writeNulString(out, username, names);
        if (Capability.has(capabilities, Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            Wire.writeLenEncBytes(out, authResponse);
        } else {
            out.writeByte(authResponse.length).writeBytes(authResponse);
        }
        if (Capability.has(capabilities, Capability.CLIENT_CONNECT_WITH_DB)) {
            Wire.writeNulString(out, database == null ? "" : database, names);
        }
        if (Capability.has(capabilities, Capability.CLIENT_PLUGIN_AUTH)) {
            out.writeBytes((authPluginName == null ? "" : authPluginName).getBytes(StandardCharsets.UTF_8)).writeByte(0);
        }
        if (Capability.has(capabilities, Capability.CLIENT_CONNECT_ATTRS)) {
            ByteBuf attrs = out.alloc().buffer();
            try {
                attributes.forEach((k, v) -> {
                    Wire.writeLenEncString(attrs, k);
                    Wire.writeLenEncString(attrs, v);
                });
                Wire.writeLenEncInt(out, attrs.readableBytes());
                out.writeBytes(attrs);
            } finally {
                attrs.release();
            }
        }
    }
}
