package io.switchyard.backend;

import io.netty.buffer.ByteBufAllocator;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.Packets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * The statements prepared on one backend connection, by text and what they were prepared under
 * (schema, parsing and character-set variables: {@link ConnectionState#prepareState}), shared by
 * every session that borrows the connection (all log in as the same user), so a client statement
 * id maps to whichever connection the session runs on next. Bounded: when more than
 * {@code mysql-max_stmts_per_connection} are open, the least recently used is closed on the
 * server, so the proxy never fills a server's {@code max_prepared_stmt_count}.
 *
 * <p>Kept on the connection ({@link BackendConnection#statements()}); touched only on the
 * connection's event loop, while a session holds it or, idle, by its pool partition
 * ({@code BackendPool#closeCachedStatements}).
 */
public final class BackendStatements {

    /**
     * One statement prepared on the server, and what the server bound it with when it last
     * received parameter types: the types, and the client's character sets then (the server
     * converts every later string parameter from and to those, until types come again).
     */
    public static final class Prepared {
        private final long backendId;
        private byte[] lastTypes;
        private Map<String, String> lastCharsets;

        Prepared(long backendId) {
            this.backendId = backendId;
        }

        /** The statement id the server assigned. */
        public long backendId() {
            return backendId;
        }

        /** The parameter types the server last received for this statement, or null. */
        public byte[] lastTypes() {
            return lastTypes;
        }

        /**
         * The character-set variables in force when the server last received types for this
         * statement (names to SQL literals, a login value left out), or null when not known.
         */
        public Map<String, String> lastCharsets() {
            return lastCharsets;
        }

        /** The server received {@code types} for this statement under {@code charsets} (null: not known). */
        public void bound(byte[] types, Map<String, String> charsets) {
            this.lastTypes = types;
            this.lastCharsets = charsets;
        }
    }

    private record Key(ConnectionState prepareState, String sql) {}

    private final LinkedHashMap<Key, Prepared> byText = new LinkedHashMap<>(16, 0.75f, true);

    /** The cache of {@code c}, created on first use. */
    public static BackendStatements of(BackendConnection c) {
        BackendStatements s = c.statements();
        if (s == null) {
            s = new BackendStatements();
            c.statements(s);
        }
        return s;
    }

    /** The statement for {@code sql} prepared under {@code prepareState} ({@link ConnectionState#prepareState}), or null. */
    public Prepared find(ConnectionState prepareState, String sql) {
        return byText.get(new Key(prepareState, sql));
    }

    /**
     * Records a statement the server prepared; closes the least recently used ones on {@code c}
     * beyond {@code max} (COM_STMT_CLOSE has no reply; it goes out with the next flush).
     */
    public Prepared add(BackendConnection c, ConnectionState prepareState, String sql, long backendId, int max) {
        Prepared p = new Prepared(backendId);
        Prepared old = byText.put(new Key(prepareState, sql), p);
        if (old != null && old.backendId != backendId) {
            close(c, old.backendId);
        }
        Iterator<Map.Entry<Key, Prepared>> it = byText.entrySet().iterator();
        while (byText.size() > max && it.hasNext()) {
            Map.Entry<Key, Prepared> eldest = it.next();
            if (eldest.getValue() != p) {
                it.remove();
                close(c, eldest.getValue().backendId);
            }
        }
        return p;
    }

    /**
     * The copy of {@code sql} recorded under {@code from} was prepared under {@code to}: it is
     * recorded so (a copy recorded under {@code to} before is closed).
     */
    public void restate(BackendConnection c, ConnectionState from, ConnectionState to, String sql) {
        Prepared p = byText.remove(new Key(from, sql));
        if (p == null) {
            return;
        }
        Prepared displaced = byText.put(new Key(to, sql), p);
        if (displaced != null && displaced.backendId != p.backendId) {
            close(c, displaced.backendId);
        }
    }

    /**
     * Closes on the server every cached statement {@code keep} does not accept (COM_STMT_CLOSE has
     * no reply; they go out with the next flush, ahead of the next command); true when it closed
     * any.
     */
    public boolean closeAllBut(BackendConnection c, BiPredicate<ConnectionState, String> keep) {
        boolean closed = false;
        Iterator<Map.Entry<Key, Prepared>> it = byText.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Prepared> each = it.next();
            if (!keep.test(each.getKey().prepareState(), each.getKey().sql())) {
                it.remove();
                close(c, each.getValue().backendId);
                closed = true;
            }
        }
        return closed;
    }

    /** Forgets everything (the server dropped the statements: COM_RESET_CONNECTION). */
    public void clear() {
        byText.clear();
    }

    private static void close(BackendConnection c, long backendId) {
        c.sendWithoutResponse(Packets.build(ByteBufAllocator.DEFAULT, 0,
                b -> b.writeByte(Command.STMT_CLOSE.code).writeIntLE((int) backendId)));
    }

    @Override
    public String toString() {
        return "BackendStatements" + Objects.toString(byText.keySet());
    }
}
