package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Wire;
import java.nio.charset.StandardCharsets;

/**
 * Errors whose message names a prepared statement by its id: the server names the id of the
 * backend connection's copy, the client knows the statement by the id the proxy gave it.
 *
 * <p>Stateless and thread-safe.
 */
final class StatementIdErrors {
    /** {@code ER_STMT_HAS_NO_OPEN_CURSOR}: "The statement (%lu) has no open cursor". */
    static final int NO_OPEN_CURSOR = 1421;
    /** The bytes before the message: the 0xFF header, the code, '#' and the SQLSTATE. */
    private static final int BEFORE_MESSAGE = 1 + 2 + 1 + 5;

    private StatementIdErrors() {
    }

    /**
     * {@code chunk} (consumed) with the id {@code backendId} in the message of the
     * {@link #NO_OPEN_CURSOR} error it holds replaced by {@code clientId}; {@code chunk} itself
     * when it is not that error alone.
     */
    static ByteBuf withClientId(ByteBuf chunk, long backendId, int clientId) {
        int at = chunk.readerIndex();
        if (chunk.readableBytes() < Wire.HEADER_SIZE + BEFORE_MESSAGE) {
            return chunk;
        }
        int length = Wire.payloadLength(chunk, at);
        int payload = at + Wire.HEADER_SIZE;
        if (chunk.readableBytes() != Wire.HEADER_SIZE + length || length < BEFORE_MESSAGE
                || chunk.getUnsignedByte(payload) != ErrPacket.HEADER || chunk.getUnsignedShortLE(payload + 1) != NO_OPEN_CURSOR) {
            return chunk;
        }
        String message = chunk.toString(payload + BEFORE_MESSAGE, length - BEFORE_MESSAGE, StandardCharsets.UTF_8);
        String named = "(" + backendId + ")";
        int where = message.indexOf(named);
        if (where < 0) {
            return chunk;
        }
        byte[] rewritten = (message.substring(0, where) + "(" + clientId + ")" + message.substring(where + named.length()))
                .getBytes(StandardCharsets.UTF_8);
        ByteBuf out = chunk.alloc().buffer(Wire.HEADER_SIZE + BEFORE_MESSAGE + rewritten.length);
        Wire.writeHeader(out, BEFORE_MESSAGE + rewritten.length, Wire.sequenceId(chunk, at));
        out.writeBytes(chunk, payload, BEFORE_MESSAGE);
        out.writeBytes(rewritten);
        chunk.release();
        return out;
    }
}
