package io.switchyard.protocol.auth;

import java.util.Optional;

/**
 * The authentication plugins Switchyard understands, with the names they carry on the wire in
 * {@code HandshakeV10}, {@code HandshakeResponse41} and {@code AuthSwitchRequest}.
 *
 * <p>See <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods.html">
 * Authentication Methods</a>. Immutable; safe to share between threads.
 */
public enum AuthPlugin {
    /** SHA-1 challenge/response; see {@link NativePassword}. Default of MariaDB and MySQL 5.7. */
    MYSQL_NATIVE_PASSWORD("mysql_native_password"),
    /** SHA-256 challenge/response with a full-authentication fallback; see {@link CachingSha2Password}. */
    CACHING_SHA2_PASSWORD("caching_sha2_password"),
    /** Cleartext password terminated by NUL; only acceptable over TLS. */
    MYSQL_CLEAR_PASSWORD("mysql_clear_password");

    private final String wireName;

    AuthPlugin(String wireName) {
        this.wireName = wireName;
    }

    /** The plugin name as sent in protocol packets, e.g. {@code "mysql_native_password"}. */
    public String wireName() {
        return wireName;
    }

    /**
     * Looks up a plugin by its wire name (exact, case-sensitive as MySQL compares it).
     *
     * @return the plugin, or empty for a plugin Switchyard does not implement (the caller should
     *     answer with an auth switch to one it does, or fail the login)
     */
    public static Optional<AuthPlugin> fromWireName(String wireName) {
        for (AuthPlugin plugin : values()) {
            if (plugin.wireName.equals(wireName)) {
                return Optional.of(plugin);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
