package io.switchyard.protocol.auth;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;

/**
 * The {@code caching_sha2_password} exchange, for both sides of the proxy.
 *
 * <p><b>Fast authentication.</b> The client answers the 20-byte seed with
 * {@code SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + seed)} (stage2 hash first, then the seed).
 * The server, if it has {@code SHA256(SHA256(pw))} cached for the account, checks it and replies
 * with an AuthMoreData packet ({@code 0x01}) carrying {@link #FAST_AUTH_SUCCESS}; otherwise it
 * sends {@link #PERFORM_FULL_AUTHENTICATION}.
 *
 * <p><b>Full authentication.</b> Over TLS the client sends the cleartext password plus NUL.
 * Without TLS it sends {@link #REQUEST_PUBLIC_KEY} (unless it already has the key), the server
 * answers with AuthMoreData holding its RSA public key as PEM (see {@link Pem},
 * {@link RsaKeyPair#publicKeyPem()}), and the client sends {@link #encryptPassword}.
 *
 * <p>Conventions: a seed is the 20 scramble bytes without the NUL that terminates it on the
 * wire. An empty password gives an empty scramble. Comparisons are constant-time.
 *
 * <p>See <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_caching_sha2_authentication_exchanges.html">
 * caching_sha2_password information</a>. Stateless; all methods are thread-safe and never modify
 * their arguments.
 */
public final class CachingSha2Password {

    /** Length of a seed. */
    public static final int SEED_LENGTH = 20;

    /** Length of a non-empty scramble and of each hash stage (SHA-256 output). */
    public static final int SCRAMBLE_LENGTH = 32;

    /** Client to server, alone in a packet: "send me your RSA public key". */
    public static final byte REQUEST_PUBLIC_KEY = 0x02;

    /** Server to client, after the AuthMoreData header {@code 0x01}: the scramble matched the cache; an OK follows. */
    public static final byte FAST_AUTH_SUCCESS = 0x03;

    /** Server to client, after the AuthMoreData header {@code 0x01}: send the password itself (TLS or RSA). */
    public static final byte PERFORM_FULL_AUTHENTICATION = 0x04;

    /**
     * The cipher MySQL 8.0.5 and later use for the password; the Java name means SHA-1 for both
     * OAEP and MGF1, the same as OpenSSL's {@code RSA_PKCS1_OAEP_PADDING}.
     */
    public static final String RSA_TRANSFORMATION = "RSA/ECB/OAEPWithSHA-1AndMGF1Padding";

    private CachingSha2Password() {
    }

    /**
     * Computes the client's fast-authentication response.
     *
     * @return 32 bytes, or an empty array for an empty password
     */
    public static byte[] scramble(byte[] password, byte[] seed) {
        checkSeed(seed);
        if (password.length == 0) {
            return new byte[0];
        }
        byte[] stage1 = Digests.sha256(password);
        return Digests.xor(stage1, Digests.sha256(Digests.sha256(stage1), seed));
    }

    /** Returns {@code SHA256(SHA256(password))}, the hash the server caches for fast authentication. */
    public static byte[] stage2Hash(byte[] password) {
        return Digests.sha256(Digests.sha256(password));
    }

    /**
     * Checks a client's fast-authentication response when the cleartext password is known.
     *
     * @return whether the response proves knowledge of {@code password}
     */
    public static boolean verify(byte[] password, byte[] seed, byte[] response) {
        return MessageDigest.isEqual(scramble(password, seed), response);
    }

    /**
     * Checks a client's fast-authentication response against a cached
     * {@code SHA256(SHA256(pw))}, as the MySQL server does, without the cleartext password.
     * Accounts without password never reach this check: compare the response with empty.
     */
    public static boolean verifyCached(byte[] cachedStage2, byte[] seed, byte[] response) {
        checkSeed(seed);
        if (cachedStage2.length != SCRAMBLE_LENGTH || response.length != SCRAMBLE_LENGTH) {
            return false;
        }
        byte[] stage1 = Digests.xor(response, Digests.sha256(cachedStage2, seed));
        return MessageDigest.isEqual(Digests.sha256(stage1), cachedStage2);
    }

    /**
     * Encrypts the password for full authentication without TLS: {@code (password + NUL)} XOR the
     * seed (repeated as needed), then {@link #RSA_TRANSFORMATION} with the server's public key.
     *
     * @throws IllegalArgumentException if the password is too long for the key (more than 213
     *     bytes with a 2048-bit key) or the key is not an RSA public key
     */
    public static byte[] encryptPassword(byte[] password, byte[] seed, PublicKey serverKey) {
        checkSeed(seed);
        byte[] plain = Arrays.copyOf(password, password.length + 1);
        xorWithSeedInPlace(plain, seed);
        try {
            Cipher cipher = Cipher.getInstance(RSA_TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, serverKey);
            return cipher.doFinal(plain);
        } catch (IllegalBlockSizeException e) {
            throw new IllegalArgumentException("password of " + password.length
                    + " bytes is too long for RSA encryption with this key", e);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an RSA public key: " + serverKey.getAlgorithm(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(RSA_TRANSFORMATION + " is required by the Java platform", e);
        }
    }

    /**
     * Server side of {@link #encryptPassword}: decrypts with the proxy's private key, undoes the
     * seed XOR and strips the terminating NUL.
     *
     * @return the cleartext password, or empty if the bytes were not encrypted for this key and
     *     seed (a client error or hostile input: fail the login with an access-denied error)
     */
    public static Optional<byte[]> decryptPassword(byte[] encrypted, byte[] seed, PrivateKey privateKey) {
        checkSeed(seed);
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance(RSA_TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, privateKey);
            plain = cipher.doFinal(encrypted);
        } catch (BadPaddingException | IllegalBlockSizeException e) {
            return Optional.empty();
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an RSA private key: " + privateKey.getAlgorithm(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(RSA_TRANSFORMATION + " is required by the Java platform", e);
        }
        xorWithSeedInPlace(plain, seed);
        if (plain.length == 0 || plain[plain.length - 1] != 0) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOf(plain, plain.length - 1));
    }

    private static void xorWithSeedInPlace(byte[] data, byte[] seed) {
        for (int i = 0; i < data.length; i++) {
            data[i] ^= seed[i % seed.length];
        }
    }

    private static void checkSeed(byte[] seed) {
        if (seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("seed must be " + SEED_LENGTH
                    + " bytes without its terminating NUL, got " + seed.length);
        }
    }
}
