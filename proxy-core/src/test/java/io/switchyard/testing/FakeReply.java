package io.switchyard.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.SessionStateInfo;
import io.switchyard.protocol.Wire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What {@link FakeMysqlServer} answers to one command: an OK, an ERR or a text result set, encoded
 * as MariaDB encodes it for the connection that asked (EOF packets or, under CLIENT_DEPRECATE_EOF,
 * a closing OK with the 0xFE header), optionally delayed, cut off after some bytes with the
 * connection closed, withheld, or followed by the server no longer reading the connection.
 *
 * <p>Immutable; thread-safe.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset.html">Text resultset</a>
 */
public final class FakeReply {
    /** MariaDB's type code for VARCHAR columns in column definitions. */
    private static final int TYPE_VAR_STRING = 0xfd;
    private static final int UTF8MB4_GENERAL_CI = 45;
    private static final int NO_CUT = -1;

    private final Consumer<Writer> body;
    private final long delayMillis;
    private final int cutAfterBytes;
    private final boolean stopReading;

    private FakeReply(Consumer<Writer> body, long delayMillis, int cutAfterBytes, boolean stopReading) {
        this.body = body;
        this.delayMillis = delayMillis;
        this.cutAfterBytes = cutAfterBytes;
        this.stopReading = stopReading;
    }

    /** An OK with autocommit on and nothing else to report. */
    public static FakeReply ok() {
        return ok(OkPacket.of(ServerStatus.AUTOCOMMIT));
    }

    /** The given OK; its session-state information is sent to connections that track sessions. */
    public static FakeReply ok(OkPacket ok) {
        return new FakeReply(w -> w.packet(out -> ok.encodeRelayed(out, OkPacket.HEADER, w.sessionTrack, true)),
                0, NO_CUT, false);
    }

    /** An OK reporting that the session's {@code variable} is now {@code value} (as MariaDB's tracker does). */
    public static FakeReply okChanging(String variable, String value) {
        return ok(new OkPacket(0, 0, ServerStatus.AUTOCOMMIT, 0, "",
                new SessionStateInfo(List.of(SessionStateInfo.Entry.systemVariable(variable, value)))));
    }

    public static FakeReply err(int code, String sqlState, String message) {
        ErrPacket err = new ErrPacket(code, sqlState, message);
        return new FakeReply(w -> w.packet(err::encode), 0, NO_CUT, false);
    }

    /** A text result set of VARCHAR columns; a {@code null} value is SQL NULL. */
    public static FakeReply resultSet(List<String> columns, List<List<String>> rows) {
        return new FakeReply(w -> {
            w.packet(out -> Wire.writeLenEncInt(out, columns.size()));
            for (String column : columns) {
                w.packet(out -> columnDefinition(out, column));
            }
            if (!w.deprecateEof) {
                w.packet(out -> OkPacket.encodeEof(out, 0, ServerStatus.AUTOCOMMIT));
            }
            for (List<String> row : rows) {
                w.packet(out -> {
                    for (String value : row) {
                        if (value == null) {
                            out.writeByte(0xfb);
                        } else {
                            Wire.writeLenEncString(out, value);
                        }
                    }
                });
            }
            if (w.deprecateEof) {
                w.packet(out -> OkPacket.of(ServerStatus.AUTOCOMMIT).encodeRelayed(out, OkPacket.EOF_HEADER, w.sessionTrack, true));
            } else {
                w.packet(out -> OkPacket.encodeEof(out, 0, ServerStatus.AUTOCOMMIT));
            }
        }, 0, NO_CUT, false);
    }

    /** A one-column result set of {@code count} rows, each {@code width} characters long: a large result. */
    public static FakeReply rows(int count, int width) {
        List<List<String>> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String prefix = i + ":";
            rows.add(List.of(prefix + "x".repeat(Math.max(0, width - prefix.length()))));
        }
        return resultSet(List.of("payload"), rows);
    }

    /**
     * The reply to COM_STMT_PREPARE of a statement with no parameters and no result columns.
     *
     * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html">COM_STMT_PREPARE response</a>
     */
    public static FakeReply statementPrepared(int statementId) {
        return new FakeReply(w -> w.packet(out -> out.writeByte(OkPacket.HEADER).writeIntLE(statementId)
                .writeShortLE(0).writeShortLE(0).writeByte(0).writeShortLE(0)), 0, NO_CUT, false);
    }

    /** No answer at all: the server keeps the connection open and silent until a {@code KILL QUERY} of it. */
    public static FakeReply none() {
        return new FakeReply(w -> { }, 0, NO_CUT, false);
    }

    /** The server closes the connection instead of answering. */
    public static FakeReply closeConnection() {
        return new FakeReply(w -> { }, 0, 0, false);
    }

    /** The same reply, sent {@code delay} after the command arrived. */
    public FakeReply delayedBy(Duration delay) {
        return new FakeReply(body, delay.toMillis(), cutAfterBytes, stopReading);
    }

    /** The first {@code bytes} bytes of this reply, then the server closes the connection. */
    public FakeReply cutAfter(int bytes) {
        return new FakeReply(body, delayMillis, bytes, stopReading);
    }

    /** This reply, then the server stops reading the connection (it stays open). */
    public FakeReply thenStopReading() {
        return new FakeReply(body, delayMillis, cutAfterBytes, true);
    }

    long delayMillis() {
        return delayMillis;
    }

    /** Bytes to send before closing, or -1 to send the whole reply and keep the connection. */
    int cutAfterBytes() {
        return cutAfterBytes;
    }

    boolean stopReading() {
        return stopReading;
    }

    /**
     * The reply's packets, sequence ids from 1, as sent to a connection that negotiated
     * CLIENT_DEPRECATE_EOF ({@code deprecateEof}) and CLIENT_SESSION_TRACK ({@code sessionTrack}).
     * The caller owns the returned buffer.
     */
    public ByteBuf encode(ByteBufAllocator alloc, boolean deprecateEof, boolean sessionTrack) {
        Writer w = new Writer(alloc, deprecateEof, sessionTrack);
        try {
            body.accept(w);
        } catch (RuntimeException e) {
            w.out.release();
            throw e;
        }
        return w.out;
    }

    /** The reply's bytes as an array, for comparing with what a peer received. */
    public byte[] bytes(boolean deprecateEof, boolean sessionTrack) {
        ByteBuf buf = encode(ByteBufAllocator.DEFAULT, deprecateEof, sessionTrack);
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private static void columnDefinition(ByteBuf out, String name) {
        Wire.writeLenEncString(out, "def");
        Wire.writeLenEncString(out, "");
        Wire.writeLenEncString(out, "");
        Wire.writeLenEncString(out, "");
        Wire.writeLenEncString(out, name);
        Wire.writeLenEncString(out, "");
        Wire.writeLenEncInt(out, 0x0c);
        out.writeShortLE(UTF8MB4_GENERAL_CI);
        out.writeIntLE(4 * 1024);
        out.writeByte(TYPE_VAR_STRING);
        out.writeShortLE(0);
        out.writeByte(0x27);
        out.writeZero(2);
    }

    /** Appends packets with consecutive sequence ids. */
    private static final class Writer {
        final ByteBuf out;
        final ByteBufAllocator alloc;
        final boolean deprecateEof;
        final boolean sessionTrack;
        int sequenceId = 1;

        Writer(ByteBufAllocator alloc, boolean deprecateEof, boolean sessionTrack) {
            this.alloc = alloc;
            this.out = alloc.buffer();
            this.deprecateEof = deprecateEof;
            this.sessionTrack = sessionTrack;
        }

        void packet(Consumer<ByteBuf> payload) {
            ByteBuf packet = Packets.build(alloc, sequenceId++, payload);
            out.writeBytes(packet);
            packet.release();
        }
    }

    @Override
    public String toString() {
        return "FakeReply[delay=" + delayMillis + " ms, cutAfter=" + cutAfterBytes + ", stopReading=" + stopReading + "]";
    }
}
