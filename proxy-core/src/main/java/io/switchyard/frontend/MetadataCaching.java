package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchyard.protocol.ColumnDefinitions;
import io.switchyard.protocol.Wire;

/**
 * MariaDB's prepared-statement metadata caching ({@code MARIADB_CLIENT_CACHE_METADATA}) for a
 * client that negotiated it; backend connections never do, so the proxy does it. A result's
 * column count gets the byte that says whether column definitions follow. They always follow,
 * except those of a prepared statement's execution that the client already holds for it (from
 * its prepare or the last execution that sent them, compared as the server compares them,
 * {@link ColumnDefinitions.Held#covers}); those are left out, and the connection renumbers the
 * packets after them.
 */
final class MetadataCaching {

    private MetadataCaching() {
    }

    /** A result's metadata as the client gets it, and how many packets were left out. */
    record Rewritten(ByteBuf packets, int dropped) {}

    /**
     * Rewrites {@code chunk} (consumed): a column count followed by {@code columns} definitions
     * (none except for a COM_STMT_EXECUTE's first result). {@code listener} tells whether the
     * client needs the definitions ({@link ResponseListener#metadataChanged}).
     */
    static Rewritten rewrite(ByteBuf chunk, int columns, ResponseListener listener, ByteBufAllocator alloc) {
        try {
            int at = chunk.readerIndex();
            int length = Wire.payloadLength(chunk, at);
            int seq = Wire.sequenceId(chunk, at);
            ByteBuf definitions = chunk.slice(at + Wire.HEADER_SIZE + length, chunk.readableBytes() - Wire.HEADER_SIZE - length);
            boolean follow = columns == 0 || listener.answered()
                    || listener.metadataChanged(ColumnDefinitions.framed(definitions, columns));
            ByteBuf out = alloc.buffer(Wire.HEADER_SIZE + length + 1 + (follow ? definitions.readableBytes() : 0));
            Wire.writeHeader(out, length + 1, seq);
            out.writeBytes(chunk, at + Wire.HEADER_SIZE, length);
            out.writeByte(follow ? 1 : 0);
            if (follow) {
                out.writeBytes(definitions);
            }
            return new Rewritten(out, follow ? 0 : columns);
        } finally {
            chunk.release();
        }
    }
}
