package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server asks the client to authenticate again with another plugin and a fresh seed: the
 * proxy sends it to clients that start with a plugin it does not verify, and answers it when a
 * backend sends it. An immutable value; {@link #seed()} is not copied, so callers must not
 * modify it.
 *
 * <p>{@code mysql_native_password} and {@code caching_sha2_password} seeds are 20 bytes that
 * servers follow with a NUL; the record holds the seed without it and {@link #encode} writes it.
 *
 * @param pluginName the plugin to switch to
 * @param seed the plugin's data, without the trailing NUL
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_switch_request.html">Protocol::AuthSwitchRequest</a>
 */
public record AuthSwitchRequest(String pluginName, byte[] seed) {
    public static final int HEADER = 0xfe;

    /** True when a connection-phase payload (not consumed) is an auth-switch request. */
    public static boolean is(ByteBuf payload) {
        return Wire.startsWith(payload, HEADER);
    }

    /**
     * Decodes a payload that starts with the 0xFE header. A bare 0xFE, which servers older than
     * 4.1 sent, names no plugin: it means {@code mysql_native_password} with the greeting's seed,
     * so {@code defaultPlugin} and an empty seed are returned.
     */
    public static AuthSwitchRequest decode(ByteBuf in, String defaultPlugin) {
        Wire.readHeader(in, HEADER, "an auth switch request");
        if (!in.isReadable()) {
            return new AuthSwitchRequest(defaultPlugin, new byte[0]);
        }
        String plugin = Wire.readNulString(in);
        byte[] data = new byte[in.readableBytes()];
        in.readBytes(data);
        boolean nulTerminated = data.length > 0 && data[data.length - 1] == 0;
        return new AuthSwitchRequest(plugin, nulTerminated ? Arrays.copyOf(data, data.length - 1) : data);
    }

    public void encode(ByteBuf out) {
        out.writeByte(HEADER);
        out.writeBytes(pluginName.getBytes(StandardCharsets.US_ASCII)).writeByte(0);
        out.writeBytes(seed).writeByte(0);
    }

    @Override
    public String toString() {
        return "AuthSwitchRequest[" + pluginName + ", " + seed.length + "-byte seed]";
    }
}
