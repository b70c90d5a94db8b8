package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The session-state information a server appends to an OK packet when the client negotiated
 * {@link Capability#CLIENT_SESSION_TRACK} and something it tracks changed: a list of entries, each
 * a type and its data, in the order the server wrote them. The proxy reads it to learn what a
 * statement did to the session (system variables with their new values, the schema, "something
 * else changed", the transaction state) and re-encodes it, filtered, for the client.
 *
 * <p>Immutable; thread-safe.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html">OK_Packet, session state information</a>
 */
public record SessionStateInfo(List<Entry> entries) {
    /** A changed system variable: data is its name and new value, two length-encoded strings. */
    public static final int SYSTEM_VARIABLES = 0;
    /** The schema changed: data is the new schema name, a length-encoded string. */
    public static final int SCHEMA = 1;
    /** Something in the session changed (user variables, temporary tables, prepared statements, ...). */
    public static final int STATE_CHANGE = 2;
    /** GTIDs (MySQL only). */
    public static final int GTIDS = 3;
    /** Characteristics of the next (or current) transaction, as SQL that would reproduce them. */
    public static final int TRANSACTION_CHARACTERISTICS = 4;
    /** The transaction state as eight flag characters, e.g. {@code T___W___}. */
    public static final int TRANSACTION_STATE = 5;

    public static final SessionStateInfo EMPTY = new SessionStateInfo(List.of());

    /** One entry; {@code data} is the entry's payload after its type and length. */
    public record Entry(int type, byte[] data) {

        /** A system-variable entry for {@code name} = {@code value}. */
        public static Entry systemVariable(String name, String value) {
            ByteBuf b = Unpooled.buffer();
            Wire.writeLenEncString(b, name);
            Wire.writeLenEncString(b, value);
            byte[] data = new byte[b.readableBytes()];
            b.readBytes(data);
            return new Entry(SYSTEM_VARIABLES, data);
        }

        /** For {@link #SYSTEM_VARIABLES}: the variable's name. */
        public String variableName() {
            return strings().get(0);
        }

        /** For {@link #SYSTEM_VARIABLES}: the variable's new value as the server formats it. */
        public String variableValue() {
            List<String> s = strings();
            return s.size() > 1 ? s.get(1) : "";
        }

        /** For {@link #SCHEMA}, {@link #TRANSACTION_STATE}, {@link #TRANSACTION_CHARACTERISTICS}: the text. */
        public String text() {
            return strings().get(0);
        }

        private List<String> strings() {
            ByteBuf b = Unpooled.wrappedBuffer(data);
            List<String> out = new ArrayList<>(2);
            while (b.isReadable()) {
                out.add(new String(Wire.readLenEncBytes(b), StandardCharsets.UTF_8));
            }
            if (out.isEmpty()) {
                out.add("");
            }
            return out;
        }
    }

    public SessionStateInfo {
        entries = List.copyOf(entries);
    }

    /** Reads the entries from {@code in} (the length-encoded block, length included); moves the reader index past it. */
    public static SessionStateInfo decode(ByteBuf in) {
        long total = Wire.readLenEncInt(in);
        int end = in.readerIndex() + (int) total;
        List<Entry> entries = new ArrayList<>();
        while (in.readerIndex() < end) {
            int type = in.readUnsignedByte();
            byte[] data = Wire.readLenEncBytes(in);
            entries.add(new Entry(type, data));
        }
        in.readerIndex(end);
        return new SessionStateInfo(entries);
    }

    /** Writes the length-encoded block. */
    public void encode(ByteBuf out) {
        ByteBuf body = Unpooled.buffer();
        for (Entry e : entries) {
            body.writeByte(e.type());
            Wire.writeLenEncBytes(body, e.data());
        }
        Wire.writeLenEncInt(out, body.readableBytes());
        out.writeBytes(body);
    }

    /** The entries {@code keep} accepts, in order. */
    public SessionStateInfo filter(Predicate<Entry> keep) {
        return new SessionStateInfo(entries.stream().filter(keep).toList());
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The entries of one type, in order. */
    public List<Entry> ofType(int type) {
        return entries.stream().filter(e -> e.type() == type).toList();
    }

    /** True when there is an entry of {@code type}. */
    public boolean has(int type) {
        return entries.stream().anyMatch(e -> e.type() == type);
    }
}
