package io.switchyard.protocol.auth;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A TLS server identity: a private key and its certificate chain (leaf first), for the
 * client-facing TLS of the proxy ({@link TlsContexts#server}).
 *
 * <p>Either loaded from the operator's PEM files ({@link #load}) or, when none are configured,
 * a self-signed certificate generated at start-up ({@link #selfSigned}), as MySQL does with its
 * auto-generated certificates: the connection is encrypted but clients cannot authenticate the
 * proxy unless they pin the certificate (its PEM is {@link #certificatePem()}). Generated with
 * BouncyCastle, so it works on any JDK without internal classes.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param privateKey the key matching the first certificate
 * @param certificateChain leaf first, never empty
 */
public record TlsIdentity(PrivateKey privateKey, List<X509Certificate> certificateChain) {

    /** Validity of a generated certificate; it is regenerated at each start anyway. */
    public static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);

    private static final String SIGNATURE_ALGORITHM = "SHA256withRSA";

    public TlsIdentity {
        certificateChain = List.copyOf(certificateChain);
        if (certificateChain.isEmpty()) {
            throw new IllegalArgumentException("a TLS identity needs at least one certificate");
        }
    }

    /** The leaf certificate, the one presented for this key. */
    public X509Certificate certificate() {
        return certificateChain.get(0);
    }

    /** The leaf certificate as PEM, e.g. for clients to pin with {@code --ssl-ca}. */
    public String certificatePem() {
        return Pem.writeCertificate(certificate());
    }

    /**
     * Loads a chain and key from PEM files as {@code openssl} writes them.
     *
     * @throws IllegalArgumentException naming the file that is unreadable, or if the key does
     *     not belong to the first certificate
     */
    public static TlsIdentity load(Path certificateChainPem, Path privateKeyPem) {
        List<X509Certificate> chain;
        try {
            chain = Pem.readCertificates(read(certificateChainPem));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(certificateChainPem + ": " + e.getMessage(), e);
        }
        PrivateKey key;
        try {
            key = Pem.readPrivateKey(read(privateKeyPem));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(privateKeyPem + ": " + e.getMessage(), e);
        }
        if (key instanceof RSAPrivateCrtKey rsaKey
                && chain.get(0).getPublicKey() instanceof RSAPublicKey rsaCert
                && !rsaKey.getModulus().equals(rsaCert.getModulus())) {
            throw new IllegalArgumentException(privateKeyPem + " is not the key of the first certificate in "
                    + certificateChainPem);
        }
        return new TlsIdentity(key, chain);
    }

    /**
     * Generates a 2048-bit RSA key and a self-signed certificate for it, with {@code commonName}
     * as subject and subject alternative names {@code commonName}, {@code localhost},
     * {@code 127.0.0.1} and {@code ::1}. Takes tens to hundreds of milliseconds.
     */
    public static TlsIdentity selfSigned(String commonName) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "Switchyard")
                    .addRDN(BCStyle.CN, commonName)
                    .build();
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(SELF_SIGNED_VALIDITY)),
                    subject,
                    pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, commonName),
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.iPAddress, "::1"),
            }));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(pair.getPrivate())));
            return new TlsIdentity(pair.getPrivate(), List.of(certificate));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TlsIdentity[" + certificate().getSubjectX500Principal().getName() + "]";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read PEM file: " + e, e);
        }
    }
}
