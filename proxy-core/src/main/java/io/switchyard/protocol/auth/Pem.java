package io.switchyard.protocol.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes keys and certificates as PEM text.
 *
 * <p>The MySQL server hands out its RSA public key as PEM ({@code -----BEGIN PUBLIC KEY-----},
 * an X.509 SubjectPublicKeyInfo) in reply to a public-key request during
 * {@code caching_sha2_password}; operators configure TLS and RSA keys as PEM files as
 * {@code openssl} writes them. Readers accept {@code PUBLIC KEY} and {@code RSA PUBLIC KEY}
 * for public keys, and unencrypted {@code PRIVATE KEY} (PKCS#8), {@code RSA PRIVATE KEY} and
 * {@code EC PRIVATE KEY} for private keys. Writers produce {@code PUBLIC KEY}, PKCS#8
 * {@code PRIVATE KEY} and {@code CERTIFICATE} blocks with 64-character lines and a final newline.
 *
 * <p>Stateless; all methods are thread-safe.
 */
public final class Pem {

    private Pem() {
    }

    /**
     * Reads the first public key in {@code pem}.
     *
     * @throws IllegalArgumentException if the text holds no readable public key
     */
    public static PublicKey readPublicKey(String pem) {
        Object object = readFirstObject(pem, "public key");
        try {
            if (object instanceof SubjectPublicKeyInfo info) {
                return new JcaPEMKeyConverter().getPublicKey(info);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable public key in PEM: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("expected a PUBLIC KEY block in PEM, found " + describe(object));
    }

    /** Writes {@code key} as a {@code -----BEGIN PUBLIC KEY-----} block (X.509 SubjectPublicKeyInfo). */
    public static String writePublicKey(PublicKey key) {
        return block("PUBLIC KEY", key.getEncoded());
    }

    /**
     * Reads the first unencrypted private key in {@code pem}.
     *
     * @throws IllegalArgumentException if the text holds no readable private key, or only an
     *     encrypted one (decrypt it first: {@code openssl pkey -in key.pem -out plain.pem})
     */
    public static PrivateKey readPrivateKey(String pem) {
        Object object = readFirstObject(pem, "private key");
        if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new IllegalArgumentException("the private key is encrypted; Switchyard needs it "
                    + "unencrypted (e.g. 'openssl pkey -in key.pem -out plain.pem')");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable private key in PEM: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("expected a PRIVATE KEY block in PEM, found " + describe(object));
    }

    /** Writes {@code key} as an unencrypted PKCS#8 {@code -----BEGIN PRIVATE KEY-----} block. */
    public static String writePrivateKey(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    /**
     * Reads all {@code CERTIFICATE} blocks in {@code pem}, in order (leaf first for a chain).
     *
     * @throws IllegalArgumentException if there is none or one is malformed
     */
    public static List<X509Certificate> readCertificates(String pem) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = factory
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                    .stream()
                    .map(X509Certificate.class::cast)
                    .toList();
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no CERTIFICATE block in PEM");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("unreadable certificate in PEM: " + e.getMessage(), e);
        }
    }

    /** Writes {@code certificate} as a {@code -----BEGIN CERTIFICATE-----} block. */
    public static String writeCertificate(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    private static Object readFirstObject(String pem, String what) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            if (object == null) {
                throw new IllegalArgumentException("no PEM block found where a " + what + " was expected");
            }
            return object;
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed PEM where a " + what + " was expected: "
                    + e.getMessage(), e);
        }
    }

    private static String describe(Object object) {
        return object.getClass().getSimpleName();
    }

    private static String block(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
