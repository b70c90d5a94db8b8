package io.switchyard.topology;

import io.switchyard.protocol.auth.NativePassword;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A user the proxy accepts, with the columns of ProxySQL's {@code mysql_users} that apply.
 * The password is either clear text or a MySQL native hash ({@code *} and 40 hex digits).
 * Immutable.
 */
public record UserConfig(String username, String password, String defaultSchema, int defaultHostgroup,
                         boolean active, int maxConnections, boolean transactionPersistent) {
    public UserConfig {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isEmpty()) {
            throw new IllegalArgumentException("user name must not be empty");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max_connections of user '" + username + "' must be >= 1");
        }
        if (isHash(password)) {
            NativePassword.fromMysqlHash(password);
        }
        if (defaultSchema != null && defaultSchema.isEmpty()) {
            defaultSchema = null;
        }
    }

    /** True when the password is stored as a native hash rather than clear text. */
    public boolean hashedPassword() {
        return isHash(password);
    }

    /** SHA1(SHA1(password)): what {@code mysql_native_password} verifies against. */
    public byte[] nativeStage2() {
        return hashedPassword() ? NativePassword.fromMysqlHash(password)
                : NativePassword.stage2Hash(password.getBytes(StandardCharsets.UTF_8));
    }

    /** The clear-text password bytes, or null for a hashed password. */
    public byte[] clearPassword() {
        return hashedPassword() ? null : password.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isHash(String password) {
        return password.length() == 41 && password.charAt(0) == '*';
    }

    @Override
    public String toString() {
        return "UserConfig[" + username + ", hostgroup " + defaultHostgroup + "]";
    }
}
