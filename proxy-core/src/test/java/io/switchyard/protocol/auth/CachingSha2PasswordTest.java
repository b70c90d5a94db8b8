package io.switchyard.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CachingSha2PasswordTest {

    private static final HexFormat HEX = HexFormat.of();

    /** Seed, scramble and SHA256(SHA256(pw)) computed independently with Python's hashlib. */
    private static final byte[] SEED = HEX.parseHex("3a0b6e1f2c7d48596a7b0c1d2e3f405162738495");
    private static final byte[] APP_PASS_SCRAMBLE =
            HEX.parseHex("8835f68b3eee71c0f218b765ecedcd321b842a7bda1a99e88a3f013d32f9145a");
    private static final byte[] APP_PASS_STAGE2 =
            HEX.parseHex("843025eff563bb120765e854281fdace0a994c5715dbd89b89b6729cb5702adc");

    private static final byte[] APP_PASS = "app-pass".getBytes(StandardCharsets.UTF_8);

    @Test
    void protocolBytesHaveTheirWireValues() {
        assertThat(CachingSha2Password.REQUEST_PUBLIC_KEY).isEqualTo((byte) 0x02);
        assertThat(CachingSha2Password.FAST_AUTH_SUCCESS).isEqualTo((byte) 0x03);
        assertThat(CachingSha2Password.PERFORM_FULL_AUTHENTICATION).isEqualTo((byte) 0x04);
    }

    @Test
    void clientScrambleMatchesKnownAnswer() {
        assertThat(CachingSha2Password.scramble(APP_PASS, SEED)).isEqualTo(APP_PASS_SCRAMBLE);
    }

    @Test
    void serverVerifiesWithTheCleartextPassword() {
        assertThat(CachingSha2Password.verify(APP_PASS, SEED, APP_PASS_SCRAMBLE)).isTrue();
        assertThat(CachingSha2Password.verify("other".getBytes(StandardCharsets.UTF_8), SEED, APP_PASS_SCRAMBLE))
                .isFalse();
        assertThat(CachingSha2Password.verify(APP_PASS, SEED, new byte[0])).isFalse();
    }

    @Test
    void serverVerifiesWithTheCachedStage2Hash() {
        assertThat(CachingSha2Password.stage2Hash(APP_PASS)).isEqualTo(APP_PASS_STAGE2);
        assertThat(CachingSha2Password.verifyCached(APP_PASS_STAGE2, SEED, APP_PASS_SCRAMBLE)).isTrue();
        byte[] tampered = APP_PASS_SCRAMBLE.clone();
        tampered[31] ^= 1;
        assertThat(CachingSha2Password.verifyCached(APP_PASS_STAGE2, SEED, tampered)).isFalse();
        assertThat(CachingSha2Password.verifyCached(APP_PASS_STAGE2, SEED, new byte[0])).isFalse();
    }

    @Test
    void emptyPasswordHasEmptyScramble() {
        assertThat(CachingSha2Password.scramble(new byte[0], SEED)).isEmpty();
        assertThat(CachingSha2Password.verify(new byte[0], SEED, new byte[0])).isTrue();
    }

    @Test
    void passwordEncryptedByAnotherImplementationDecrypts() {
        RsaKeyPair keys = RsaKeyPair.load(TestKeys.path("test-rsa-pkcs8.pem"), null);
        byte[] encrypted = HEX.parseHex(TestKeys.text("app-pass-seed-3a0b6e1f.rsa-oaep.hex").strip());

        assertThat(CachingSha2Password.decryptPassword(encrypted, SEED, keys.privateKey()))
                .hasValueSatisfying(password -> assertThat(password).isEqualTo(APP_PASS));
    }

    @Test
    void encryptedPasswordRoundTripsThroughTheKeyPair() {
        RsaKeyPair keys = RsaKeyPair.generate();
        byte[] password = "pässwörd with a longer tail than the 20-byte seed".getBytes(StandardCharsets.UTF_8);

        byte[] encrypted = CachingSha2Password.encryptPassword(password, SEED, keys.publicKey());

        assertThat(encrypted).hasSize(256);
        assertThat(CachingSha2Password.decryptPassword(encrypted, SEED, keys.privateKey()))
                .hasValueSatisfying(decrypted -> assertThat(decrypted).isEqualTo(password));
    }

    @Test
    void serverSideDecryptionAcceptsTheKeyAsTheClientReadItFromPem() {
        RsaKeyPair keys = RsaKeyPair.generate();
        var keyFromWire = Pem.readPublicKey(new String(keys.publicKeyPemBytes(), StandardCharsets.US_ASCII));

        byte[] encrypted = CachingSha2Password.encryptPassword(new byte[0], SEED, keyFromWire);

        assertThat(CachingSha2Password.decryptPassword(encrypted, SEED, keys.privateKey()))
                .hasValueSatisfying(decrypted -> assertThat(decrypted).isEmpty());
    }

    @Test
    void garbageOrWrongSeedDoesNotDecrypt() {
        RsaKeyPair keys = RsaKeyPair.generate();
        byte[] encrypted = CachingSha2Password.encryptPassword(APP_PASS, SEED, keys.publicKey());
        byte[] otherSeed = SEED.clone();
        otherSeed[(APP_PASS.length) % SEED.length] ^= 0x55;

        assertThat(CachingSha2Password.decryptPassword(new byte[256], SEED, keys.privateKey())).isEmpty();
        assertThat(CachingSha2Password.decryptPassword(new byte[3], SEED, keys.privateKey())).isEmpty();
        assertThat(CachingSha2Password.decryptPassword(encrypted, otherSeed, keys.privateKey())).isEmpty();
    }

    @Test
    void tooLongPasswordIsRejectedWithAReason() {
        RsaKeyPair keys = RsaKeyPair.generate();

        assertThatIllegalArgumentException()
                .isThrownBy(() -> CachingSha2Password.encryptPassword(new byte[300], SEED, keys.publicKey()))
                .withMessageContaining("too long");
    }
}
