package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The fields of an OK packet (or of an EOF packet, which shares warnings and status flags) that
 * the proxy reads or writes. Session-state information is relayed verbatim, never decoded.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html">OK_Packet</a>
 */
public record OkPacket(long affectedRows, long lastInsertId, int statusFlags, int warnings, String info,
                       SessionStateInfo sessionState) {
    public static final int HEADER = 0x00;
    public static final int EOF_HEADER = 0xfe;
    /**
     * Length of the shortest OK payload (header, two one-byte length-encoded integers, status
     * flags, warnings). A 0xFE payload shorter than this is an EOF packet (5 bytes); one at least
     * this long is an OK packet that ends a result under CLIENT_DEPRECATE_EOF.
     */
    static final int MIN_OK_LENGTH = 7;

    public OkPacket {
        sessionState = sessionState == null ? SessionStateInfo.EMPTY : sessionState;
    }

    /** An OK without session-state information. */
    public OkPacket(long affectedRows, long lastInsertId, int statusFlags, int warnings, String info) {
        this(affectedRows, lastInsertId, statusFlags, warnings, info, SessionStateInfo.EMPTY);
    }

    /**
     * True when the {@code length}-byte payload at {@code index} is an OK packet: a 0x00 header, or
     * a 0xFE header long enough to be the OK that ends a result under CLIENT_DEPRECATE_EOF.
     */
    public static boolean isOk(ByteBuf buf, int index, int length) {
        int first = length > 0 ? buf.getUnsignedByte(index) : -1;
        return first == HEADER || (first == EOF_HEADER && length >= MIN_OK_LENGTH && length < Wire.MAX_PAYLOAD);
    }

    /** True when the payload at {@code index} is an EOF packet (0xFE, shorter than any OK). */
    public static boolean isEof(ByteBuf buf, int index, int length) {
        return length > 0 && length < MIN_OK_LENGTH && buf.getUnsignedByte(index) == EOF_HEADER;
    }

    /**
     * Decodes an OK payload (0x00 or 0xFE header) as a server sends it to a connection that
     * negotiated CLIENT_SESSION_TRACK ({@code sessionTrack}) or not. The info text is read byte for
     * byte (ISO-8859-1), so that {@link #encodeRelayed} writes the same bytes back.
     */
    public static OkPacket decodeRelayed(ByteBuf in, boolean sessionTrack) {
        in.skipBytes(1);
        long affected = Wire.readLenEncInt(in);
        long insertId = Wire.readLenEncInt(in);
        int status = in.isReadable(2) ? in.readUnsignedShortLE() : 0;
        int warnings = in.isReadable(2) ? in.readUnsignedShortLE() : 0;
        String info = "";
        SessionStateInfo state = SessionStateInfo.EMPTY;
        if (sessionTrack) {
            if (in.isReadable()) {
                byte[] bytes = Wire.readLenEncBytes(in);
                info = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (ServerStatus.has(status, ServerStatus.SESSION_STATE_CHANGED) && in.isReadable()) {
                    state = SessionStateInfo.decode(in);
                }
            }
        } else {
            info = in.toString(in.readerIndex(), in.readableBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            in.skipBytes(in.readableBytes());
        }
        return new OkPacket(affected, insertId, status, warnings, info, state);
    }

    /**
     * Writes this OK, with header {@code header} (0x00, or 0xFE when it ends a result), for a
     * client that negotiated CLIENT_SESSION_TRACK ({@code sessionTrack}) or not: the session-state
     * information and its status flag only for the former, the info text byte for byte
     * (ISO-8859-1, as {@link #decodeRelayed} read it). The info is length-encoded for a tracking
     * client, and for any client of a MariaDB server, which always writes it so
     * ({@code lengthEncodedInfo}); otherwise it runs to the end of the packet.
     */
    public void encodeRelayed(ByteBuf out, int header, boolean sessionTrack, boolean lengthEncodedInfo) {
        boolean state = sessionTrack && !sessionState.isEmpty();
        int status = relayedStatus(sessionTrack);
        out.writeByte(header);
        Wire.writeLenEncInt(out, affectedRows);
        Wire.writeLenEncInt(out, lastInsertId);
        out.writeShortLE(status);
        out.writeShortLE(warnings);
        byte[] infoBytes = info.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        if (sessionTrack || lengthEncodedInfo) {
            if (infoBytes.length > 0 || state) {
                Wire.writeLenEncBytes(out, infoBytes);
            }
            if (state) {
                sessionState.encode(out);
            }
        } else {
            out.writeBytes(infoBytes);
        }
    }

    /**
     * Writes this OK, which ends a result, as the EOF a client without CLIENT_DEPRECATE_EOF
     * expects there; {@code stateChanged} sets its session-state flag.
     */
    public void encodeRelayedAsEof(ByteBuf out, boolean stateChanged) {
        encodeEof(out, warnings, stateChanged ? statusFlags | ServerStatus.SESSION_STATE_CHANGED
                : statusFlags & ~ServerStatus.SESSION_STATE_CHANGED);
    }

    /** The status flags for a client: the session-state flag only with information it gets. */
    private int relayedStatus(boolean sessionTrack) {
        return sessionTrack && !sessionState.isEmpty() ? statusFlags | ServerStatus.SESSION_STATE_CHANGED
                : statusFlags & ~ServerStatus.SESSION_STATE_CHANGED;
    }

    /** The same OK with other session-state information. */
    public OkPacket withSessionState(SessionStateInfo state) {
        return new OkPacket(affectedRows, lastInsertId, statusFlags, warnings, info, state);
    }

    /**
     * Status flags of an OK packet (0x00 or 0xFE header) or EOF packet (0xFE header, under
     * {@link #MIN_OK_LENGTH} bytes) whose payload starts at {@code index}; does not move the
     * reader index.
     */
    public static int statusFlags(ByteBuf buf, int index, int length) {
        if ((buf.getUnsignedByte(index) == EOF_HEADER) && length < MIN_OK_LENGTH) {
            return length >= 5 ? buf.getUnsignedShortLE(index + 3) : 0;
        }
        int pos = index + 1;
        pos += lenEncSize(buf, pos);
        pos += lenEncSize(buf, pos);
        return pos + 2 <= index + length ? buf.getUnsignedShortLE(pos) : 0;
    }

    /** Number of warnings of an OK/EOF payload at {@code index}; does not move the reader index. */
    public static int warnings(ByteBuf buf, int index, int length) {
        if ((buf.getUnsignedByte(index) == EOF_HEADER) && length < MIN_OK_LENGTH) {
            return length >= 3 ? buf.getUnsignedShortLE(index + 1) : 0;
        }
        int pos = index + 1;
        pos += lenEncSize(buf, pos);
        pos += lenEncSize(buf, pos);
        return pos + 4 <= index + length ? buf.getUnsignedShortLE(pos + 2) : 0;
    }

    /** Affected rows of an OK payload at {@code index}. */
    public static long affectedRows(ByteBuf buf, int index) {
        ByteBuf view = buf.duplicate().readerIndex(index + 1);
        return Wire.readLenEncInt(view);
    }

    private static int lenEncSize(ByteBuf buf, int pos) {
        int first = buf.getUnsignedByte(pos);
        return switch (first) {
            case 0xfc -> 3;
            case 0xfd -> 4;
            case 0xfe -> 9;
            default -> 1;
        };
    }

    public static OkPacket decode(ByteBuf in) {
        in.skipBytes(1);
        long affected = Wire.readLenEncInt(in);
        long insertId = Wire.readLenEncInt(in);
        int status = in.readUnsignedShortLE();
        int warnings = in.readUnsignedShortLE();
        return new OkPacket(affected, insertId, status, warnings, in.isReadable() ? Wire.readRestString(in) : "");
    }

    /** A plain OK with the given status flags, for replies the proxy makes itself. */
    public static OkPacket of(int statusFlags) {
        return new OkPacket(0, 0, statusFlags, 0, "");
    }

    /**
     * Writes an OK payload. With {@code sessionTrack} the info is length-encoded as clients that
     * negotiated CLIENT_SESSION_TRACK expect.
     */
    public void encode(ByteBuf out, boolean sessionTrack) {
        out.writeByte(HEADER);
        Wire.writeLenEncInt(out, affectedRows);
        Wire.writeLenEncInt(out, lastInsertId);
        out.writeShortLE(statusFlags);
        out.writeShortLE(warnings);
        if (sessionTrack) {
            if (!info.isEmpty()) {
                Wire.writeLenEncString(out, info);
            }
        } else {
            out.writeCharSequence(info, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Writes an EOF payload (for clients without CLIENT_DEPRECATE_EOF). */
    public static void encodeEof(ByteBuf out, int warnings, int statusFlags) {
        out.writeByte(EOF_HEADER).writeShortLE(warnings).writeShortLE(statusFlags);
    }
}
