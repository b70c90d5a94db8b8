package io.switchyard.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.Wire;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Encodes admin results for the client: OK and ERR packets, and result sets in the text
 * protocol with every column a {@code VAR_STRING} in utf8mb4 (as ProxySQL's admin does), ending
 * with an EOF packet or, under {@link Capability#CLIENT_DEPRECATE_EOF}, an OK packet with the
 * EOF header. Results of a multi-statement query carry {@link ServerStatus#MORE_RESULTS_EXISTS}
 * on all but the last. Stateless.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html">Text Resultset</a>
 */
final class ResultWriter {
    private static final int COLLATION_UTF8MB4_GENERAL_CI = 45;
    private static final int TYPE_VAR_STRING = 0xfd;
    private static final int NULL_VALUE = 0xfb;

    private ResultWriter() {}

    /**
     * The packets answering one query, starting at sequence id 1, in one buffer the caller owns
     * (usually by writing it).
     */
    static ByteBuf encode(ByteBufAllocator alloc, List<AdminResult> results, long capabilities) {
        ByteBuf out = alloc.buffer(256);
        int[] seq = {1};
        boolean deprecateEof = Capability.has(capabilities, Capability.CLIENT_DEPRECATE_EOF);
        boolean sessionTrack = Capability.has(capabilities, Capability.CLIENT_SESSION_TRACK);
        for (int i = 0; i < results.size(); i++) {
            int status = ServerStatus.AUTOCOMMIT | (i < results.size() - 1 ? ServerStatus.MORE_RESULTS_EXISTS : 0);
            switch (results.get(i)) {
                case AdminResult.Ok ok -> packet(out, seq, b -> new OkPacket(ok.affectedRows(), 0, status, ok.warnings().size(), ok.info()).encode(b, sessionTrack));
                case AdminResult.Error err -> packet(out, seq, err.error()::encode);
                case AdminResult.Rows rows -> rows(out, seq, rows, status, deprecateEof);
            }
        }
        return out;
    }

    /** One ERR packet with {@code sequenceId}, in a buffer the caller owns. */
    static ByteBuf error(ByteBufAllocator alloc, int sequenceId, ErrPacket err) {
        ByteBuf out = alloc.buffer(64);
        packet(out, new int[] {sequenceId}, err::encode);
        return out;
    }

    private static void rows(ByteBuf out, int[] seq, AdminResult.Rows rows, int status, boolean deprecateEof) {
        packet(out, seq, b -> Wire.writeLenEncInt(b, rows.columns().size()));
        for (String column : rows.columns()) {
            packet(out, seq, b -> columnDefinition(b, column));
        }
        if (!deprecateEof) {
            packet(out, seq, b -> OkPacket.encodeEof(b, 0, status));
        }
        for (List<String> row : rows.rows()) {
            packet(out, seq, b -> {
                for (String value : row) {
                    if (value == null) {
                        b.writeByte(NULL_VALUE);
                    } else {
                        Wire.writeLenEncBytes(b, value.getBytes(StandardCharsets.UTF_8));
                    }
                }
            });
        }
        if (deprecateEof) {
            packet(out, seq, b -> {
                b.writeByte(OkPacket.EOF_HEADER);
                Wire.writeLenEncInt(b, 0);
                Wire.writeLenEncInt(b, 0);
                b.writeShortLE(status);
                b.writeShortLE(0);
            });
        } else {
            packet(out, seq, b -> OkPacket.encodeEof(b, 0, status));
        }
    }

    /** A Protocol::ColumnDefinition41 for a text column named {@code name}. */
    private static void columnDefinition(ByteBuf b, String name) {
        Wire.writeLenEncString(b, "def");
        Wire.writeLenEncString(b, "");
        Wire.writeLenEncString(b, "");
        Wire.writeLenEncString(b, "");
        Wire.writeLenEncString(b, name);
        Wire.writeLenEncString(b, name);
        Wire.writeLenEncInt(b, 0x0c);
        b.writeShortLE(COLLATION_UTF8MB4_GENERAL_CI);
        b.writeIntLE(1024);
        b.writeByte(TYPE_VAR_STRING);
        b.writeShortLE(0);
        b.writeByte(0);
        b.writeShortLE(0);
    }

    /** Appends one packet; payloads are far below the 16 MiB frame limit (rows of the admin's tables). */
    private static void packet(ByteBuf out, int[] seq, Consumer<ByteBuf> payload) {
        int start = out.writerIndex();
        out.writeZero(Wire.HEADER_SIZE);
        payload.accept(out);
        int length = out.writerIndex() - start - Wire.HEADER_SIZE;
        if (length >= Wire.MAX_PAYLOAD) {
            throw new IllegalStateException("admin result packet of " + length + " bytes");
        }
        out.setMediumLE(start, length);
        out.setByte(start + 3, seq[0]++ & 0xff);
    }
}
