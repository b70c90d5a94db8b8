package io.switchyard.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RsaKeyPairTest {

    @Test
    void generatedPairIs2048BitsAndPublishesPem() {
        RsaKeyPair keys = RsaKeyPair.generate();

        assertThat(keys.publicKey().getModulus().bitLength()).isEqualTo(2048);
        assertThat(keys.publicKeyPem()).startsWith("-----BEGIN PUBLIC KEY-----\n")
                .endsWith("-----END PUBLIC KEY-----\n");
        assertThat(Pem.readPublicKey(keys.publicKeyPem())).isEqualTo(keys.publicKey());
    }

    @Test
    void loadsConfiguredFilesAndDerivesThePublicKeyWhenOmitted() {
        RsaKeyPair withPublic = RsaKeyPair.load(
                TestKeys.path("test-rsa-pkcs1.pem"), TestKeys.path("test-rsa-public.pem"));
        RsaKeyPair derived = RsaKeyPair.load(TestKeys.path("test-rsa-pkcs8.pem"), null);

        assertThat(withPublic.publicKeyPem()).isEqualTo(TestKeys.text("test-rsa-public.pem"));
        assertThat(derived.publicKey()).isEqualTo(withPublic.publicKey());
    }

    @Test
    void mismatchedPublicKeyFileIsRejectedNamingTheFile(@TempDir Path dir) throws IOException {
        Path otherPublic = Files.writeString(dir.resolve("other.pem"), RsaKeyPair.generate().publicKeyPem());

        assertThatIllegalArgumentException()
                .isThrownBy(() -> RsaKeyPair.load(TestKeys.path("test-rsa-pkcs8.pem"), otherPublic))
                .withMessageContaining("other.pem does not match");
    }

    @Test
    void missingFileIsRejectedNamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing.pem");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> RsaKeyPair.load(missing, null))
                .withMessageContaining("missing.pem");
    }
}
