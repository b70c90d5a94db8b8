package io.switchyard.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.ProtocolException;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.Wire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives the response to a small {@code SELECT} the proxy runs on its own behalf (reading back
 * session variables) and hands over its first row, each column as text ({@code null} for SQL
 * NULL). Only for short text-protocol results: the whole response is kept until it ends.
 */
public final class InternalQuery implements ResponseSink {

    /** Outcome: the first row (null when the query returned none or failed), or the server's error, or the failure. */
    @FunctionalInterface
    public interface Done {
        void done(List<String> row, ErrPacket error, Throwable failure);
    }

    private final Done done;
    private final CompositeByteBuf bytes = Unpooled.compositeBuffer(Integer.MAX_VALUE);

    public InternalQuery(Done done) {
        this.done = done;
    }

    @Override
    public void responseBytes(ByteBuf chunk) {
        bytes.addComponent(true, chunk);
    }

    @Override
    public void responseFlush() {
    }

    @Override
    public void localInfileRequested() {
        bytes.release();
        done.done(null, null, new ProtocolException("unexpected LOCAL INFILE request to an internal query"));
    }

    @Override
    public void responseComplete(BackendConnection connection, ResponseTracker tracker) {
        try {
            if (tracker.error() != null) {
                done.done(null, tracker.error(), null);
            } else {
                done.done(firstRow(bytes, connection.deprecatesEof()), null, null);
            }
        } finally {
            bytes.release();
        }
    }

    @Override
    public void backendFailed(BackendConnection connection, Throwable cause, boolean bytesRelayed) {
        bytes.release();
        done.done(null, null, cause);
    }

    /** The first row of a text result set held whole in {@code in}, or null when it has none. */
    static List<String> firstRow(ByteBuf in, boolean deprecateEof) {
        ByteBuf columnCount = packet(in);
        if (OkPacket.isOk(columnCount, columnCount.readerIndex(), columnCount.readableBytes())) {
            return null;
        }
        long columns = Wire.readLenEncInt(columnCount);
        for (long i = 0; i < columns; i++) {
            packet(in);
        }
        if (!deprecateEof) {
            packet(in);
        }
        ByteBuf row = packet(in);
        int first = row.getUnsignedByte(row.readerIndex());
        if (first == OkPacket.EOF_HEADER || first == ErrPacket.HEADER) {
            return null;
        }
        List<String> values = new ArrayList<>((int) columns);
        for (long i = 0; i < columns; i++) {
            byte[] value = Wire.readLenEncBytes(row);
            values.add(value == null ? null : new String(value, StandardCharsets.UTF_8));
        }
        return values;
    }

    private static ByteBuf packet(ByteBuf in) {
        int length = Wire.payloadLength(in, in.readerIndex());
        in.skipBytes(Wire.HEADER_SIZE);
        return in.readSlice(length);
    }
}
