package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollationCharsetsTest {

    @Test
    void eachLoginCollationNamesItsCharacterSet() {
        assertThat(CollationCharsets.of(8)).as("latin1_swedish_ci").isEqualTo(Charset.forName("windows-1252"));
        assertThat(CollationCharsets.of(45)).as("utf8mb4_general_ci").isEqualTo(StandardCharsets.UTF_8);
        assertThat(CollationCharsets.of(224)).as("utf8mb4_unicode_ci").isEqualTo(StandardCharsets.UTF_8);
        assertThat(CollationCharsets.of(33)).as("utf8mb3_general_ci").isEqualTo(StandardCharsets.UTF_8);
        assertThat(CollationCharsets.of(13)).as("sjis_japanese_ci").isEqualTo(Charset.forName("Shift_JIS"));
        assertThat(CollationCharsets.of(28)).as("gbk_chinese_ci").isEqualTo(Charset.forName("GBK"));
        assertThat(CollationCharsets.of(51)).as("cp1251_general_ci").isEqualTo(Charset.forName("windows-1251"));
        assertThat(CollationCharsets.of(63)).as("binary").isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(CollationCharsets.of(35)).as("ucs2, which no client may use").isEqualTo(StandardCharsets.UTF_8);
        assertThat(CollationCharsets.of(255)).as("not MariaDB's").isEqualTo(StandardCharsets.UTF_8);
    }

    @Test
    void aLatin1LoginsNamesAreLatin1OnTheWire() {
        HandshakeResponse41 login = new HandshakeResponse41(Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_CONNECT_WITH_DB
                | Capability.CLIENT_SECURE_CONNECTION, 1 << 24, 8, "ünïcode", new byte[0], "latin1_ü", null, Map.of());
        ByteBuf wire = Unpooled.buffer();
        login.encode(wire);
        byte[] bytes = new byte[wire.readableBytes()];
        wire.getBytes(0, bytes);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).contains("latin1_\u00fc\0").contains("\u00fcn\u00efcode\0");
        HandshakeResponse41 read = HandshakeResponse41.decode(wire);
        assertThat(read.username()).isEqualTo("ünïcode");
        assertThat(read.database()).isEqualTo("latin1_ü");
    }

    @Test
    void aChangeUsersNamesAreReadInTheCollationItNamesElseInTheSessions() {
        long caps = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION;
        ChangeUser named = ChangeUser.decode(changeUser("\u00fcser", "latin1_\u00fc", 8), caps, 45);
        assertThat(named.username()).isEqualTo("üser");
        assertThat(named.database()).isEqualTo("latin1_ü");
        assertThat(named.collation()).isEqualTo(8);
        ChangeUser unnamed = ChangeUser.decode(changeUser("\u00fcser", "latin1_\u00fc", -1), caps, 8);
        assertThat(unnamed.database()).as("the session's latin1").isEqualTo("latin1_ü");
        assertThat(unnamed.collation()).isEqualTo(-1);
    }

    /** A COM_CHANGE_USER payload with latin1 names, an empty password and {@code collation} (none when negative). */
    private static ByteBuf changeUser(String user, String database, int collation) {
        ByteBuf payload = Unpooled.buffer();
        payload.writeByte(0x11);
        payload.writeBytes(user.getBytes(StandardCharsets.ISO_8859_1)).writeByte(0);
        payload.writeByte(0);
        payload.writeBytes(database.getBytes(StandardCharsets.ISO_8859_1)).writeByte(0);
        if (collation >= 0) {
            payload.writeShortLE(collation);
        }
        return payload;
    }
}
