package io.switchyard.protocol.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.RSAPublicKeySpec;
import java.util.function.Function;

/**
 * The proxy's RSA key pair for {@code caching_sha2_password} full authentication without TLS:
 * clients encrypt their password with the public key, which the proxy sends them as PEM on
 * request; the proxy decrypts with the private key ({@link CachingSha2Password#decryptPassword}).
 *
 * <p>Either generated at start-up ({@link #generate()}, 2048 bits: clients then learn the key
 * anew after each restart, which they do anyway unless pinned with
 * {@code serverRSAPublicKeyFile}) or loaded from PEM files configured by the operator
 * ({@link #load}), like MySQL's {@code caching_sha2_password_private_key_path}.
 *
 * <p>Immutable; safe to share between threads and sessions.
 */
public final class RsaKeyPair {

    /** Size of generated keys; MySQL generates the same. */
    public static final int GENERATED_KEY_BITS = 2048;

    private final RSAPublicKey publicKey;
    private final PrivateKey privateKey;
    private final String publicKeyPem;

    private RsaKeyPair(RSAPublicKey publicKey, PrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
        this.publicKeyPem = Pem.writePublicKey(publicKey);
    }

    /** Generates a fresh {@value #GENERATED_KEY_BITS}-bit pair. Takes tens to hundreds of milliseconds. */
    public static RsaKeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(GENERATED_KEY_BITS);
            var pair = generator.generateKeyPair();
            return new RsaKeyPair((RSAPublicKey) pair.getPublic(), pair.getPrivate());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is required by the Java platform", e);
        }
    }

    /**
     * Loads a pair from PEM files.
     *
     * @param privateKeyPem an unencrypted RSA private key (PKCS#8 or PKCS#1)
     * @param publicKeyPem the matching public key, or {@code null} to derive it from the private key
     * @throws IllegalArgumentException naming the file if one is unreadable, not RSA, or the two
     *     keys do not belong together
     */
    public static RsaKeyPair load(Path privateKeyPem, Path publicKeyPem) {
        PrivateKey privateKey = readKey(privateKeyPem, Pem::readPrivateKey);
        if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
            throw new IllegalArgumentException(privateKeyPem + ": not an RSA private key with CRT "
                    + "parameters (" + privateKey.getAlgorithm() + ")");
        }
        RSAPublicKey derived = derivePublicKey(crt);
        if (publicKeyPem == null) {
            return new RsaKeyPair(derived, privateKey);
        }
        PublicKey publicKey = readKey(publicKeyPem, Pem::readPublicKey);
        if (!(publicKey instanceof RSAPublicKey rsaPublic)) {
            throw new IllegalArgumentException(publicKeyPem + ": not an RSA public key ("
                    + publicKey.getAlgorithm() + ")");
        }
        if (!rsaPublic.getModulus().equals(derived.getModulus())
                || !rsaPublic.getPublicExponent().equals(derived.getPublicExponent())) {
            throw new IllegalArgumentException(publicKeyPem + " does not match the private key in "
                    + privateKeyPem + "; regenerate it with 'openssl rsa -in " + privateKeyPem
                    + " -pubout'");
        }
        return new RsaKeyPair(rsaPublic, privateKey);
    }

    /** The public key, for clients' password encryption. */
    public RSAPublicKey publicKey() {
        return publicKey;
    }

    /** The private key; never leaves the proxy. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /**
     * The public key as a {@code -----BEGIN PUBLIC KEY-----} PEM block, as sent after the
     * AuthMoreData header in reply to {@link CachingSha2Password#REQUEST_PUBLIC_KEY}.
     */
    public String publicKeyPem() {
        return publicKeyPem;
    }

    /** {@link #publicKeyPem()} as ASCII bytes, ready to put on the wire. */
    public byte[] publicKeyPemBytes() {
        return publicKeyPem.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "RsaKeyPair[" + publicKey.getModulus().bitLength() + " bits]";
    }

    private static RSAPublicKey derivePublicKey(RSAPrivateCrtKey key) {
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("RSA is required by the Java platform", e);
        }
    }

    private static <K> K readKey(Path file, Function<String, K> reader) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read key file: " + e, e);
        }
        try {
            return reader.apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
