package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The server's answer to {@code LOAD DATA LOCAL INFILE}: it asks the client for the named file,
 * which the client sends next as raw packets ended by an empty one. The relay only has to
 * recognise it ({@link #is}); the proxy never reads files itself.
 *
 * @param fileName the file name as the statement gave it
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_local_infile_request.html">LOCAL INFILE Request</a>
 */
public record LocalInfileRequest(String fileName) {
    public static final int HEADER = 0xfb;

    /** True when the first packet of a COM_QUERY response (payload, not consumed) asks for a local file. */
    public static boolean is(ByteBuf payload) {
        return Wire.startsWith(payload, HEADER);
    }

    /** Decodes a payload that starts with the 0xFB header. */
    public static LocalInfileRequest decode(ByteBuf in) {
        Wire.readHeader(in, HEADER, "a LOCAL INFILE request");
        return new LocalInfileRequest(Wire.readRestString(in));
    }

    public void encode(ByteBuf out) {
        out.writeByte(HEADER).writeCharSequence(fileName, StandardCharsets.UTF_8);
    }
}
