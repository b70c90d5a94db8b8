package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** OK packets with session-state information, captured from MariaDB 10.11 with every tracker on. */
class SessionStateInfoTest {
    private static final HexFormat HEX = HexFormat.of();
    /** {@code SET sql_mode=''}: the variable with its new value, then "state changed". */
    static final String SET_SQL_MODE = "00000002400000000f000a0873716c5f6d6f646500020131";
    /** {@code USE mysql}: the schema, then "state changed". */
    static final String USE_MYSQL = "00000002400000000b0106056d7973716c020131";
    /** {@code BEGIN}: transaction state and characteristics. */
    static final String BEGIN = "000000034000000020050908545f5f5f5f5f5f5f0413125354415254205452414e53414354494f4e3b";
    /** {@code UPDATE ...} inside a transaction: an info text and the transaction state. */
    static final String UPDATE_IN_TRANSACTION = "0000000340000028526f7773206d6174636865643a203120204368616e6765643a2030"
            + "20205761726e696e67733a20300b050908545f5f5f575f5f5f";

    private static OkPacket decode(String hex) {
        return OkPacket.decodeRelayed(Unpooled.wrappedBuffer(HEX.parseHex(hex)), true);
    }

    private static String encode(OkPacket ok, boolean sessionTrack) {
        ByteBuf out = Unpooled.buffer();
        ok.encodeRelayed(out, OkPacket.HEADER, sessionTrack, sessionTrack);
        return HEX.formatHex(io.netty.buffer.ByteBufUtil.getBytes(out));
    }

    @Test
    void systemVariableChangeIsReadWithItsValueAsTheServerFormatsIt() {
        OkPacket ok = decode(SET_SQL_MODE);

        assertThat(ok.sessionState().ofType(SessionStateInfo.SYSTEM_VARIABLES)).singleElement()
                .satisfies(e -> {
                    assertThat(e.variableName()).isEqualTo("sql_mode");
                    assertThat(e.variableValue()).isEmpty();
                });
        assertThat(ok.sessionState().has(SessionStateInfo.STATE_CHANGE)).isTrue();
    }

    @Test
    void schemaAndTransactionEntriesAreRead() {
        assertThat(decode(USE_MYSQL).sessionState().ofType(SessionStateInfo.SCHEMA).get(0).text()).isEqualTo("mysql");
        OkPacket begin = decode(BEGIN);
        assertThat(begin.sessionState().ofType(SessionStateInfo.TRANSACTION_STATE).get(0).text()).isEqualTo("T_______");
        assertThat(begin.sessionState().ofType(SessionStateInfo.TRANSACTION_CHARACTERISTICS).get(0).text())
                .isEqualTo("START TRANSACTION;");
    }

    @Test
    void reEncodingForATrackingClientGivesTheServersBytesBack() {
        for (String captured : new String[] {SET_SQL_MODE, USE_MYSQL, BEGIN, UPDATE_IN_TRANSACTION}) {
            assertThat(encode(decode(captured), true)).isEqualTo(captured);
        }
    }

    @Test
    void aClientWithoutSessionTrackingGetsTheInfoAsPlainTextAndNoStateFlag() {
        OkPacket ok = decode(UPDATE_IN_TRANSACTION);

        String plain = encode(ok, false);

        // header, affected 0, insert id 0, status IN_TRANS|AUTOCOMMIT without SESSION_STATE_CHANGED, warnings 0, info
        assertThat(plain).isEqualTo("00000003000000" + HEX.formatHex("Rows matched: 1  Changed: 0  Warnings: 0".getBytes()));
    }

    @Test
    void filteredOutStateLeavesNoStateFlagAndNoEmptyInfo() {
        OkPacket ok = decode(SET_SQL_MODE).withSessionState(SessionStateInfo.EMPTY);

        assertThat(encode(ok, true)).isEqualTo("00000002000000");
    }

    @Test
    void filterKeepsTheServersOrder() {
        SessionStateInfo info = decode(BEGIN).sessionState();

        SessionStateInfo kept = info.filter(e -> e.type() != SessionStateInfo.TRANSACTION_STATE);

        assertThat(kept.entries()).extracting(SessionStateInfo.Entry::type)
                .containsExactly(SessionStateInfo.TRANSACTION_CHARACTERISTICS);
    }
}
