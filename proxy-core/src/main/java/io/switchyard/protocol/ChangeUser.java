package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.Charset;

/**
 * A {@code COM_CHANGE_USER} request: log in again as another (or the same) user on the open
 * connection, resetting the session.
 *
 * @param username the user to become
 * @param authResponse the plugin's response, computed with the seed of the connection's greeting
 * @param database the new default schema, or null
 * @param collation the new collation id, or -1 when the client sent none
 * @param authPluginName the plugin the client used, or null
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html">COM_CHANGE_USER</a>
 */
public record ChangeUser(String username, byte[] authResponse, String database, int collation, String authPluginName) {

    /**
     * Decodes a payload that starts with the command byte, for a client with {@code capabilities}.
     * The server reads the user and the database in the character set of the collation the
     * request names, or of {@code sessionCollation} (the session's) when it names none.
     */
    public static ChangeUser decode(ByteBuf payload, long capabilities, int sessionCollation) {
        payload.skipBytes(1);
        byte[] name = Wire.readNulBytes(payload);
        byte[] auth;
        if (Capability.has(capabilities, Capability.CLIENT_SECURE_CONNECTION)) {
            auth = new byte[payload.readUnsignedByte()];
            payload.readBytes(auth);
        } else {
            auth = Wire.readNulBytes(payload);
        }
        byte[] db = payload.isReadable() ? Wire.readNulBytes(payload) : null;
        int collation = payload.readableBytes() >= 2 ? payload.readUnsignedShortLE() & 0xff : -1;
        String plugin = Capability.has(capabilities, Capability.CLIENT_PLUGIN_AUTH) && payload.isReadable()
                ? Wire.readNulString(payload) : null;
        Charset names = CollationCharsets.of(collation >= 0 ? collation : sessionCollation);
        return new ChangeUser(new String(name, names), auth, db == null || db.length == 0 ? null : new String(db, names),
                collation, plugin);
    }
}
