package io.switchyard.backend;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the proxy logs in to a backend with: the user name and either the clear-text password or,
 * for users whose password is stored only as a MySQL native hash, SHA1(password) recovered from
 * the client's own login, which is enough for {@code mysql_native_password}. Immutable.
 */
public final class BackendCredentials {
    private final String user;
    private final byte[] password;
    private final byte[] nativeStage1;

    private BackendCredentials(String user, byte[] password, byte[] nativeStage1) {
        this.user = Objects.requireNonNull(user, "user");
        this.password = password;
        this.nativeStage1 = nativeStage1;
    }

    public static BackendCredentials clearText(String user, byte[] password) {
        return new BackendCredentials(user, password.clone(), null);
    }

    public static BackendCredentials nativeStage1(String user, byte[] stage1) {
        return new BackendCredentials(user, null, stage1.clone());
    }

    public String user() {
        return user;
    }

    /** The clear-text password, or null when only the native stage-1 hash is known. */
    public byte[] password() {
        return password == null ? null : password.clone();
    }

    /** SHA1(password), or null when the clear text is known. */
    public byte[] nativeStage1() {
        return nativeStage1 == null ? null : nativeStage1.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackendCredentials other && user.equals(other.user)
                && Arrays.equals(password, other.password) && Arrays.equals(nativeStage1, other.nativeStage1);
    }

    @Override
    public int hashCode() {
        return user.hashCode();
    }

    @Override
    public String toString() {
        return user;
    }
}
