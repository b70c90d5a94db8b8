package io.switchyard.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;

class PemTest {

    @Test
    void publicKeyWrittenByOpensslReadsAndWritesBackIdentically() {
        String opensslPem = TestKeys.text("test-rsa-public.pem");

        RSAPublicKey key = (RSAPublicKey) Pem.readPublicKey(opensslPem);

        assertThat(key.getModulus().bitLength()).isEqualTo(2048);
        assertThat(Pem.writePublicKey(key)).isEqualTo(opensslPem);
    }

    @Test
    void pkcs1AndPkcs8PrivateKeysReadToTheSameKey() {
        RSAPrivateCrtKey pkcs8 = (RSAPrivateCrtKey) Pem.readPrivateKey(TestKeys.text("test-rsa-pkcs8.pem"));
        RSAPrivateCrtKey pkcs1 = (RSAPrivateCrtKey) Pem.readPrivateKey(TestKeys.text("test-rsa-pkcs1.pem"));

        assertThat(pkcs1.getModulus()).isEqualTo(pkcs8.getModulus());
        assertThat(pkcs1.getPrivateExponent()).isEqualTo(pkcs8.getPrivateExponent());
        assertThat(Pem.writePrivateKey(pkcs8)).isEqualTo(TestKeys.text("test-rsa-pkcs8.pem"));
    }

    @Test
    void textWithoutTheExpectedBlockIsRejected() {
        String publicPem = TestKeys.text("test-rsa-public.pem");

        assertThatIllegalArgumentException().isThrownBy(() -> Pem.readPublicKey("not pem"));
        assertThatIllegalArgumentException().isThrownBy(() -> Pem.readPrivateKey(publicPem))
                .withMessageContaining("PRIVATE KEY");
        assertThatIllegalArgumentException().isThrownBy(() -> Pem.readCertificates(publicPem));
    }
}
