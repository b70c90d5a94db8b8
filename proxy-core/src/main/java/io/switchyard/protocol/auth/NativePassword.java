package io.switchyard.protocol.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code mysql_native_password} challenge/response, for both sides of the proxy.
 *
 * <p>The client answers a 20-byte seed with {@code SHA1(pw) XOR SHA1(seed + SHA1(SHA1(pw)))}.
 * The server stores only {@code stage2 = SHA1(SHA1(pw))} (the {@code *HEX} string of
 * {@code PASSWORD()} and {@code mysql.user}), and checks a response by recovering
 * {@code stage1 = SHA1(pw)} from it and hashing that once more. Because {@code stage1} is all a
 * client needs to compute a response, a proxy that stores only the {@code *HEX} hash can, after
 * verifying a client's response, log in to backends with the same credentials: see
 * {@link #recoverStage1} and {@link #scrambleFromStage1}.
 *
 * <p>Conventions: a seed is the 20 scramble bytes <em>without</em> the NUL that terminates it
 * in {@code HandshakeV10} and {@code AuthSwitchRequest}. An empty password has an empty stage2
 * (MySQL's {@code PASSWORD('')} is the empty string) and an empty response. Password bytes are
 * hashed as given; MySQL clients send UTF-8 (or the connection charset), and so does
 * {@link #stage2Hash(String)}. Comparisons are constant-time.
 *
 * <p>See <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html">
 * Native Authentication</a>. Stateless; all methods are thread-safe and never modify their
 * arguments.
 */
public final class NativePassword {

    /** Length of a seed, a response, and each hash stage (SHA-1 output). */
    public static final int SCRAMBLE_LENGTH = 20;

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private NativePassword() {
    }

    /**
     * Computes the client's auth response for {@code password} and the server's {@code seed}.
     *
     * @return 20 bytes, or an empty array for an empty password
     */
    public static byte[] scramble(byte[] password, byte[] seed) {
        if (password.length == 0) {
            return new byte[0];
        }
        return scrambleFromStage1(Digests.sha1(password), seed);
    }

    /**
     * Computes the client's auth response from {@code stage1 = SHA1(pw)} instead of the password:
     * {@code stage1 XOR SHA1(seed + SHA1(stage1))}.
     *
     * @param stage1 20 bytes, or empty for an empty password (giving an empty response)
     */
    public static byte[] scrambleFromStage1(byte[] stage1, byte[] seed) {
        checkSeed(seed);
        if (stage1.length == 0) {
            return new byte[0];
        }
        checkLength("stage1", stage1);
        return Digests.xor(stage1, Digests.sha1(seed, Digests.sha1(stage1)));
    }

    /** Returns {@code SHA1(SHA1(password))} of the UTF-8 bytes; empty for an empty password. */
    public static byte[] stage2Hash(String password) {
        return stage2Hash(password.getBytes(StandardCharsets.UTF_8));
    }

    /** Returns {@code SHA1(SHA1(password))}; empty for an empty password. */
    public static byte[] stage2Hash(byte[] password) {
        if (password.length == 0) {
            return new byte[0];
        }
        return Digests.sha1(Digests.sha1(password));
    }

    /**
     * Checks a client's response against the stored stage2 hash.
     *
     * @param storedStage2 {@code SHA1(SHA1(pw))}, or empty for an account without password
     * @return whether the response proves knowledge of the password
     */
    public static boolean verify(byte[] storedStage2, byte[] seed, byte[] response) {
        return recoverStage1(storedStage2, seed, response).isPresent();
    }

    /**
     * Recovers {@code stage1 = SHA1(pw)} from a client response and checks it against the stored
     * stage2 hash. Keep the result only for as long as backend logins need it: it is
     * password-equivalent for this plugin.
     *
     * @param storedStage2 {@code SHA1(SHA1(pw))}, or empty for an account without password
     * @return stage1 (empty array for an account without password) if the response is valid;
     *     empty if it is not
     */
    public static Optional<byte[]> recoverStage1(byte[] storedStage2, byte[] seed, byte[] response) {
        checkSeed(seed);
        if (storedStage2.length == 0) {
            return response.length == 0 ? Optional.of(new byte[0]) : Optional.empty();
        }
        checkLength("stored stage2 hash", storedStage2);
        if (response.length != SCRAMBLE_LENGTH) {
            return Optional.empty();
        }
        byte[] stage1 = Digests.xor(response, Digests.sha1(seed, storedStage2));
        return MessageDigest.isEqual(Digests.sha1(stage1), storedStage2)
                ? Optional.of(stage1)
                : Optional.empty();
    }

    /**
     * Parses MySQL's {@code PASSWORD()} format: {@code '*'} followed by 40 hex digits (either
     * case). The empty string, MySQL's hash of the empty password, gives an empty array.
     *
     * @throws IllegalArgumentException if the text is neither
     */
    public static byte[] fromMysqlHash(String hash) {
        if (hash.isEmpty()) {
            return new byte[0];
        }
        if (hash.length() != 1 + 2 * SCRAMBLE_LENGTH || hash.charAt(0) != '*') {
            throw new IllegalArgumentException(
                    "not a mysql_native_password hash: expected '*' and 40 hex digits, got "
                            + hash.length() + " characters");
        }
        try {
            return HEX.parseHex(hash.substring(1).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "not a mysql_native_password hash: non-hex digits after '*'", e);
        }
    }

    /** Formats a stage2 hash as {@code PASSWORD()} does: {@code '*'} and 40 upper-case hex digits. */
    public static String toMysqlHash(byte[] stage2) {
        if (stage2.length == 0) {
            return "";
        }
        checkLength("stage2 hash", stage2);
        return "*" + HEX.formatHex(stage2);
    }

    private static void checkSeed(byte[] seed) {
        if (seed.length != SCRAMBLE_LENGTH) {
            throw new IllegalArgumentException("seed must be " + SCRAMBLE_LENGTH
                    + " bytes without its terminating NUL, got " + seed.length);
        }
    }

    private static void checkLength(String what, byte[] value) {
        if (value.length != SCRAMBLE_LENGTH) {
            throw new IllegalArgumentException(
                    what + " must be " + SCRAMBLE_LENGTH + " bytes, got " + value.length);
        }
    }
}
