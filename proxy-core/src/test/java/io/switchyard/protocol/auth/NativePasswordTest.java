package io.switchyard.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NativePasswordTest {

    private static final HexFormat HEX = HexFormat.of();

    /** {@code SELECT PASSWORD('app-pass')} on MariaDB 10.11.19. */
    private static final String APP_PASS_MYSQL_HASH = "*3F57C84FDE4BBAB2C998F3A2D311684280BAE8E7";

    /** Seed 01..14 and the response and SHA1("app-pass") computed with Python's hashlib. */
    private static final byte[] SEED = HEX.parseHex("0102030405060708090a0b0c0d0e0f1011121314");
    private static final byte[] APP_PASS_RESPONSE =
            HEX.parseHex("0c3bd9ddb19e7079231ddf38cb417847d84253ae");
    private static final byte[] APP_PASS_STAGE1 =
            HEX.parseHex("f24fe791ad2f766fd1fd539ff9f8989b8391816b");

    private static final byte[] APP_PASS = "app-pass".getBytes(StandardCharsets.UTF_8);

    @Test
    void stage2HashMatchesMariadbPasswordFunction() {
        assertThat(NativePassword.toMysqlHash(NativePassword.stage2Hash("app-pass")))
                .isEqualTo(APP_PASS_MYSQL_HASH);
    }

    @Test
    void mysqlHashRoundTripsAndAcceptsLowerCase() {
        byte[] stage2 = NativePassword.fromMysqlHash(APP_PASS_MYSQL_HASH.toLowerCase());

        assertThat(stage2).hasSize(20);
        assertThat(NativePassword.toMysqlHash(stage2)).isEqualTo(APP_PASS_MYSQL_HASH);
    }

    @Test
    void emptyMysqlHashIsTheEmptyPassword() {
        assertThat(NativePassword.fromMysqlHash("")).isEmpty();
        assertThat(NativePassword.toMysqlHash(NativePassword.stage2Hash(""))).isEmpty();
    }

    @Test
    void malformedMysqlHashIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NativePassword.fromMysqlHash("3F57C84FDE4BBAB2C998F3A2D311684280BAE8E7"));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NativePassword.fromMysqlHash("*ZZ57C84FDE4BBAB2C998F3A2D311684280BAE8E7"));
        assertThatIllegalArgumentException().isThrownBy(() -> NativePassword.fromMysqlHash("*3F57"));
    }

    @Test
    void clientScrambleMatchesKnownAnswer() {
        assertThat(NativePassword.scramble(APP_PASS, SEED)).isEqualTo(APP_PASS_RESPONSE);
    }

    @Test
    void serverAcceptsTheRightPasswordAndRejectsAWrongOne() {
        byte[] stored = NativePassword.fromMysqlHash(APP_PASS_MYSQL_HASH);

        assertThat(NativePassword.verify(stored, SEED, APP_PASS_RESPONSE)).isTrue();
        byte[] wrong = NativePassword.scramble("app-pasS".getBytes(StandardCharsets.UTF_8), SEED);
        assertThat(NativePassword.verify(stored, SEED, wrong)).isFalse();
        assertThat(NativePassword.verify(stored, SEED, new byte[0])).isFalse();
        assertThat(NativePassword.verify(stored, SEED, new byte[19])).isFalse();
    }

    @Test
    void proxyStoringOnlyTheHashCanLogInToABackendWithTheClientsResponse() {
        byte[] stored = NativePassword.fromMysqlHash(APP_PASS_MYSQL_HASH);

        byte[] stage1 = NativePassword.recoverStage1(stored, SEED, APP_PASS_RESPONSE).orElseThrow();

        assertThat(stage1).isEqualTo(APP_PASS_STAGE1);
        byte[] backendSeed = HEX.parseHex("5a4b3c2d1e0f5a4b3c2d1e0f5a4b3c2d1e0f5a4b");
        assertThat(NativePassword.scrambleFromStage1(stage1, backendSeed))
                .isEqualTo(NativePassword.scramble(APP_PASS, backendSeed));
    }

    @Test
    void recoverStage1FailsForAWrongResponse() {
        byte[] stored = NativePassword.fromMysqlHash(APP_PASS_MYSQL_HASH);
        byte[] tampered = APP_PASS_RESPONSE.clone();
        tampered[0] ^= 1;

        assertThat(NativePassword.recoverStage1(stored, SEED, tampered)).isEmpty();
    }

    @Test
    void emptyPasswordHasEmptyResponseAndOnlyAcceptsEmptyResponse() {
        assertThat(NativePassword.scramble(new byte[0], SEED)).isEmpty();
        assertThat(NativePassword.verify(new byte[0], SEED, new byte[0])).isTrue();
        assertThat(NativePassword.verify(new byte[0], SEED, APP_PASS_RESPONSE)).isFalse();
        assertThat(NativePassword.recoverStage1(new byte[0], SEED, new byte[0])).hasValueSatisfying(
                stage1 -> assertThat(NativePassword.scrambleFromStage1(stage1, SEED)).isEmpty());
    }

    @Test
    void seedWithItsWireNulIsRejected() {
        byte[] withNul = new byte[21];

        assertThatIllegalArgumentException()
                .isThrownBy(() -> NativePassword.scramble(APP_PASS, withNul))
                .withMessageContaining("without its terminating NUL");
    }
}
