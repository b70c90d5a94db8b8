package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ColumnDefinitionsTest {

    /** A framed ColumnDefinition41 of column {@code name} in app.t. */
    private static ByteBuf definition(int sequence, String name, int charset, int length, int type) {
        return definition(sequence, name, java.nio.charset.StandardCharsets.UTF_8, charset, length, type);
    }

    /** The same, its names written in {@code names}. */
    private static ByteBuf definition(int sequence, String name, java.nio.charset.Charset names, int charset, int length, int type) {
        ByteBuf payload = Unpooled.buffer();
        for (String s : new String[] {"def", "app", "t", "t", name, name}) {
            Wire.writeLenEncBytes(payload, s.getBytes(names));
        }
        payload.writeByte(0x0c).writeShortLE(charset).writeIntLE(length).writeByte(type).writeShortLE(0).writeByte(0).writeShortLE(0);
        ByteBuf framed = Unpooled.buffer();
        Wire.writeHeader(framed, payload.readableBytes(), sequence);
        framed.writeBytes(payload);
        payload.release();
        return framed;
    }

    private static byte[] framed(ByteBuf... definitions) {
        ByteBuf all = Unpooled.wrappedBuffer(definitions);
        try {
            return ColumnDefinitions.framed(all, definitions.length);
        } finally {
            all.release();
        }
    }

    private static ColumnDefinitions.Held held(String client, String results, ByteBuf... definitions) {
        return new ColumnDefinitions.Held(framed(definitions), client, results);
    }

    @Test
    void whereOnlyTheResultsCharacterSetChangedTheColumnsCharacterSetAndLengthDoNotCount() {
        ColumnDefinitions.Held utf8mb4 = held("utf8mb4_general_ci", "utf8mb4_general_ci",
                definition(2, "c", 45, 80, 0xfd), definition(3, "n", 63, 11, 0x03));

        assertThat(utf8mb4.covers(held("utf8mb4_general_ci", "binary", definition(5, "c", 63, 20, 0xfd), definition(6, "n", 63, 11, 0x03))))
                .as("results now binary").isTrue();
        assertThat(utf8mb4.covers(held("utf8mb4_general_ci", "utf8mb4_general_ci", definition(2, "c", 45, 80, 0xfd),
                definition(3, "n", 63, 11, 0x03)))).as("the same").isTrue();
        assertThat(utf8mb4.covers(held("utf8mb4_general_ci", "utf8mb4_general_ci", definition(2, "c", 33, 80, 0xfd),
                definition(3, "n", 63, 11, 0x03)))).as("the column's own character set changed").isFalse();
    }

    /** The server sends names in {@code character_set_results}; a name is the same name in either. */
    @Test
    void whereOnlyTheResultsCharacterSetChangedTheNamesCountAsCharactersNotBytes() {
        java.nio.charset.Charset latin1 = java.nio.charset.Charset.forName("windows-1252");
        ColumnDefinitions.Held utf8mb4 = held("utf8mb4_general_ci", "utf8mb4_general_ci", definition(2, "HEX('é')", 45, 32, 0xfd));

        assertThat(utf8mb4.covers(held("utf8mb4_general_ci", "latin1_swedish_ci", definition(2, "HEX('é')", latin1, 8, 8, 0xfd))))
                .as("the same name in latin1").isTrue();
        assertThat(utf8mb4.covers(held("utf8mb4_general_ci", "null", definition(2, "HEX('é')", 45, 32, 0xfd))))
                .as("results NULL: names as the server keeps them").isTrue();
        assertThat(utf8mb4.covers(held("utf8mb4_general_ci", "latin1_swedish_ci", definition(2, "HEX('è')", latin1, 8, 8, 0xfd))))
                .as("another name").isFalse();
        assertThat(utf8mb4.covers(held("utf8mb4_general_ci", "latin1_swedish_ci", definition(2, "HEX('é')", 8, 8, 0xfd))))
                .as("UTF-8 bytes where latin1 is due: other characters").isFalse();
    }

    @Test
    void aChangeOfTheClientsCollationIsAChangeEvenWithTheSameDefinitions() {
        ColumnDefinitions.Held general = held("utf8mb4_general_ci", "utf8mb4_general_ci", definition(2, "c", 45, 80, 0xfd));

        assertThat(general.covers(held("utf8mb4_bin", "utf8mb4_general_ci", definition(2, "c", 45, 80, 0xfd)))).isFalse();
    }

    @Test
    void aDifferentTypeNameOrNumberOfColumnsIsAChange() {
        ColumnDefinitions.Held before = held("a", "b", definition(2, "c", 45, 80, 0xfd));

        assertThat(before.covers(held("a", "x", definition(2, "c", 45, 80, 0x0f)))).isFalse();
        assertThat(before.covers(held("a", "x", definition(2, "d", 45, 80, 0xfd)))).isFalse();
        assertThat(before.covers(held("a", "x", definition(2, "c", 45, 80, 0xfd), definition(3, "n", 63, 11, 0x03)))).isFalse();
    }

    @Test
    void aPrepareReplysColumnDefinitionsAreFoundAfterItsParameters() {
        for (boolean deprecateEof : new boolean[] {true, false}) {
            ByteBuf ok = Unpooled.buffer();
            Wire.writeHeader(ok, 12, 1);
            ok.writeByte(0).writeIntLE(7).writeShortLE(1).writeShortLE(1).writeByte(0).writeShortLE(0);
            ByteBuf eof = Unpooled.wrappedBuffer(new byte[] {5, 0, 0, 3, (byte) 0xfe, 0, 0, 2, 0});
            ByteBuf reply = deprecateEof
                    ? Unpooled.wrappedBuffer(ok, definition(2, "?", 63, 0, 0x06), definition(3, "c", 45, 80, 0xfd))
                    : Unpooled.wrappedBuffer(ok, definition(2, "?", 63, 0, 0x06), eof, definition(4, "c", 45, 80, 0xfd),
                            eof.retainedDuplicate());
            try {
                assertThat(ColumnDefinitions.ofPrepareReply(reply, deprecateEof)).as("deprecateEof " + deprecateEof)
                        .isEqualTo(framed(definition(9, "c", 45, 80, 0xfd)));
            } finally {
                reply.release();
            }
        }
    }
}
