package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * Column definition packets (ColumnDefinition41) as a client that caches prepared statements'
 * metadata ({@code MARIADB_CLIENT_CACHE_METADATA}) holds them, and the rule by which a MariaDB
 * server decides to send them again ({@link Held#covers}).
 *
 * <p>Stateless and thread-safe.
 */
public final class ColumnDefinitions {
    /** The fixed-length fields end a definition: character set (2), length (4), type (1), flags (2), decimals (1), filler (2). */
    private static final int FIXED = 12;
    private static final int CHARSET_AND_LENGTH = 6;
    /** A definition starts with six length-encoded names: catalog, schema, table, original table, name, original name. */
    private static final int NAME_FIELDS = 6;

    private ColumnDefinitions() {}

    /**
     * Definitions a client holds for a statement, and the collations of
     * {@code character_set_client} and {@code character_set_results} the session had when it got
     * them.
     *
     * @param framed the definitions as {@link #framed} returns them
     */
    public record Held(byte[] framed, String clientCollation, String resultsCollation) {

        /**
         * True when the server would leave {@code now} out for a client holding these: the
         * client's collation is the same, and so is every definition; a server compares what it
         * derives from the statement, so where only {@code character_set_results} changed, the
         * character set and length it gives each column do not count, nor does the character
         * set the names are written in ({@code HEX('é')} in UTF-8 and in latin1 is one name).
         */
        public boolean covers(Held now) {
            if (!Objects.equals(clientCollation, now.clientCollation)) {
                return false;
            }
            if (Objects.equals(resultsCollation, now.resultsCollation)) {
                return Arrays.equals(framed, now.framed);
            }
            java.nio.charset.Charset held = CollationCharsets.ofName(resultsCollation);
            java.nio.charset.Charset sent = CollationCharsets.ofName(now.resultsCollation);
            return held == null || sent == null ? Arrays.equals(withoutCharsets(framed), withoutCharsets(now.framed))
                    : Arrays.equals(comparable(framed, held), comparable(now.framed, sent));
        }
    }

    /**
     * The column definitions of a whole COM_STMT_PREPARE reply (OK, parameter definitions, column
     * definitions, each group ended by an EOF without CLIENT_DEPRECATE_EOF), as {@link #framed};
     * null when the reply is not whole or has no columns.
     */
    public static byte[] ofPrepareReply(ByteBuf reply, boolean deprecateEof) {
        ByteBuf r = reply.duplicate();
        if (r.readableBytes() < Wire.HEADER_SIZE + 9) {
            return null;
        }
        int okLength = Wire.payloadLength(r, r.readerIndex());
        int columns = r.getUnsignedShortLE(r.readerIndex() + Wire.HEADER_SIZE + 5);
        int params = r.getUnsignedShortLE(r.readerIndex() + Wire.HEADER_SIZE + 7);
        int skip = 1 + params + (params > 0 && !deprecateEof ? 1 : 0);
        for (int i = 0; i < skip; i++) {
            if (r.readableBytes() < Wire.HEADER_SIZE) {
                return null;
            }
            int length = i == 0 ? okLength : Wire.payloadLength(r, r.readerIndex());
            if (r.readableBytes() < Wire.HEADER_SIZE + length) {
                return null;
            }
            r.skipBytes(Wire.HEADER_SIZE + length);
        }
        return columns == 0 ? null : framed(r, columns);
    }

    /**
     * The {@code count} framed definitions at the start of {@code packets} (not consumed) as one
     * byte array, sequence ids zeroed: equal arrays are equal definitions, wherever they were sent.
     */
    public static byte[] framed(ByteBuf packets, int count) {
        int at = packets.readerIndex();
        for (int i = 0; i < count; i++) {
            at += Wire.HEADER_SIZE + Wire.payloadLength(packets, at);
        }
        byte[] out = new byte[at - packets.readerIndex()];
        packets.getBytes(packets.readerIndex(), out);
        for (int p = 0; p < out.length; p += Wire.HEADER_SIZE + length(out, p)) {
            out[p + 3] = 0;
        }
        return out;
    }

    /**
     * {@link #withoutCharsets} of {@code framed} definitions without their packet headers, their
     * names (catalog, schema, table, original table, name, original name) written in UTF-8 from
     * {@code names}, the character set the server sent them in.
     */
    static byte[] comparable(byte[] framed, java.nio.charset.Charset names) {
        ByteBuf in = io.netty.buffer.Unpooled.wrappedBuffer(withoutCharsets(framed));
        ByteBuf out = io.netty.buffer.Unpooled.buffer(framed.length + 16);
        try {
            while (in.isReadable()) {
                int end = in.readerIndex() + Wire.HEADER_SIZE + Wire.payloadLength(in, in.readerIndex());
                in.skipBytes(Wire.HEADER_SIZE);
                for (int field = 0; field < NAME_FIELDS && in.readerIndex() < end; field++) {
                    byte[] name = Wire.readLenEncBytes(in);
                    Wire.writeLenEncString(out, name == null ? "" : new String(name, names));
                }
                out.writeBytes(in, end - in.readerIndex());
            }
            byte[] result = new byte[out.readableBytes()];
            out.readBytes(result);
            return result;
        } finally {
            in.release();
            out.release();
        }
    }

    /** A copy of {@link #framed} definitions with each column's character set and length zeroed. */
    static byte[] withoutCharsets(byte[] framed) {
        byte[] out = framed.clone();
        for (int p = 0; p < out.length; p += Wire.HEADER_SIZE + length(out, p)) {
            int length = length(out, p);
            if (length >= FIXED) {
                int end = p + Wire.HEADER_SIZE + length;
                Arrays.fill(out, end - FIXED, end - FIXED + CHARSET_AND_LENGTH, (byte) 0);
            }
        }
        return out;
    }

    private static int length(byte[] framed, int at) {
        return (framed[at] & 0xff) | (framed[at + 1] & 0xff) << 8 | (framed[at + 2] & 0xff) << 16;
    }
}
