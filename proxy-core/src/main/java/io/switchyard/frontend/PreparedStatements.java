package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendStatements;
import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.InternalSink;
import io.switchyard.digest.QueryDigest;
import io.switchyard.frontend.state.QuoteRules;
import io.switchyard.frontend.state.SessionStateRestorer;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.frontend.state.StatementClassifier;
import io.switchyard.frontend.state.StatementTraits;
import io.switchyard.protocol.ColumnDefinitions;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.StmtExecute;
import io.switchyard.protocol.Wire;
import io.switchyard.stats.StatementKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A session's prepared statements, so they survive multiplexing. The client sees statement ids
 * the proxy assigns; each id maps to the statement's text, and each backend connection has its
 * own server-side ids ({@link BackendStatements}). A statement executed on a connection that has
 * not prepared it is prepared there first, transparently. The parameter types a client sends
 * once (and then omits, {@code new_params_bound_flag = 0}) are kept and re-sent whenever the
 * connection's copy of the statement last saw other types, or saw them under other character
 * sets: the server binds string parameters to the character sets in force when the types come,
 * so the copy is bound under the client's, as the original was ({@link #withTypes}).
 *
 * <p>A statement with an open cursor or with long data sent but not yet executed ties the
 * session to its connection until it is executed, reset or closed.
 *
 * <p>Confined to the session's event loop.
 */
final class PreparedStatements {
    /** MySQL's default {@code max_prepared_stmt_count}: also the most one session may hold open. */
    static final int MAX_PER_SESSION = 16_382;
    /** The id MariaDB clients use for "the statement just prepared" when they pipeline PREPARE and EXECUTE. */
    static final long LAST_PREPARED = 0xFFFFFFFFL;
    private static final java.util.regex.Pattern READS_ROW_COUNT = java.util.regex.Pattern.compile("(?i)\\bROW_COUNT\\s*\\(");

    /** One client statement. */
    static final class Statement {
        final int id;
        /** The text as the session's character set reads it: what its traits, rules and statistics read. */
        final String sql;
        /**
         * The text's bytes as the client sent them, one character per byte (ISO-8859-1): what the
         * statement is prepared again from, and what copies on backend connections are known by
         * (two texts that read the same in {@link #sql} may differ in bytes the character set does
         * not read).
         */
        final String exact;
        /** {@link #sql} as the default quoting rules read it, under the {@code sql_mode} it was prepared with: what its traits come from. */
        final String readSql;
        final String schema;
        /**
         * What it was prepared under: a copy on another connection is prepared under the same.
         * Corrected once when the session's character sets were not known at the prepare
         * ({@link #charsetsRead}).
         */
        ConnectionState prepareState;
        final int hostgroup;
        final QueryDigest digest;
        final StatementKind kind;
        final StatementTraits traits;
        int params;
        byte[] types;
        /** The character-set variables when the client last sent {@link #types} ({@link #conversionCharsets}). */
        Map<String, String> typesCharsets;
        /**
         * Set by {@link #toBackend} for the execution it rewrote: the character sets the server
         * must bind the inserted types under, other than the session's now; null otherwise.
         */
        Map<String, String> bindUnder;
        boolean cursorOpen;
        boolean longDataPending;
        /** The column definitions the client holds for it (metadata caching); null until it got some. */
        ColumnDefinitions.Held clientMetadata;

        Statement(int id, String sql, String exact, QuoteRules quoting, ConnectionState prepareState, int hostgroup,
                  QueryDigest digest) {
            this.id = id;
            this.sql = sql;
            this.exact = exact;
            this.readSql = quoting.standardText(sql);
            this.schema = prepareState.schema();
            this.prepareState = prepareState;
            this.hostgroup = hostgroup;
            this.digest = digest;
            this.kind = StatementKind.of(sql);
            this.traits = StatementClassifier.classify(readSql);
        }
    }

    /** A statement the server prepared on {@code on} while the session's character sets there were not known. */
    private record Unread(Statement statement, BackendConnection on) {}

    private final Map<Integer, Statement> byId = new HashMap<>();
    private final HeldStatements held;
    private int nextId;
    private Statement preparing;
    /** The statement being prepared goes out while the session's character sets are not known. */
    private boolean preparingUnread;
    /** The statements prepared while the session's character sets were not known, until they are read ({@link #charsetsRead}). */
    private final List<Unread> preparedUnread = new ArrayList<>();
    private boolean idToPatch;
    private Statement lastPrepared;
    /** The client's last COM_STMT_PREPARE failed (its pipelined execution of id -1 then fails on the server too). */
    private boolean lastPrepareFailed;

    /** The statements of a session whose clients' open statements {@code held} counts. */
    PreparedStatements(HeldStatements held) {
        this.held = held;
    }

    /** True when the session may not prepare another statement. */
    boolean full() {
        return byId.size() >= MAX_PER_SESSION;
    }

    /**
     * A COM_STMT_PREPARE goes to a backend; its reply will carry the id returned here.
     * {@code charsetsUnread}: the character sets on the session's connection may not be those of
     * {@code sessionState} (see {@link #charsetsRead}); {@code quoting}: the session's now;
     * {@code sql} and {@code exact} as in {@link Statement}.
     */
    Statement beginPrepare(String sql, String exact, QuoteRules quoting, ConnectionState sessionState, int hostgroup,
                           boolean charsetsUnread) {
        nextId = nextId == Integer.MAX_VALUE ? 1 : nextId + 1;
        preparing = new Statement(nextId, sql, exact, quoting, sessionState.prepareState(), hostgroup, QueryDigest.of(sql));
        preparingUnread = charsetsUnread;
        idToPatch = true;
        return preparing;
    }

    /**
     * The session's character sets were read on {@code c}, where the session is in {@code now}:
     * the statements the server prepared there while they were not known (after a text that
     * failed part of the way, say, in a session that stays on its connection) were prepared under
     * those, not under the proxy's view then. Each is recorded under {@code now}'s
     * {@link ConnectionState#prepareState}, on the session and in {@code c}'s cache, so that a
     * copy prepared on a connection later takes the collation the original took. A statement
     * prepared elsewhere was prepared under the view the proxy gave that connection, and stays.
     * With {@code now} null a statement runs on {@code c} before the read (one that reads the
     * last one's results): what a read after it finds may be that statement's doing, and the
     * statements stay as recorded.
     */
    void charsetsRead(BackendConnection c, ConnectionState now) {
        if (now == null || preparedUnread.isEmpty()) {
            preparedUnread.clear();
            return;
        }
        ConnectionState actual = now.prepareState();
        for (Unread each : preparedUnread) {
            Statement st = each.statement();
            if (each.on() != c || st.prepareState.equals(actual)) {
                continue;
            }
            boolean open = byId.get(st.id) == st;
            if (open) {
                held.release(st.prepareState, st.exact);
            }
            BackendStatements.of(c).restate(c, st.prepareState, actual, st.exact);
            st.prepareState = actual;
            if (open) {
                held.hold(actual, st.exact);
            }
        }
        preparedUnread.clear();
    }

    /**
     * Rewrites the statement id in the first packet of a COM_STMT_PREPARE reply (the whole first
     * packet is always in the first chunk relayed) to the id the client will use.
     */
    void patchReply(ByteBuf chunk) {
        if (!idToPatch || preparing == null) {
            return;
        }
        idToPatch = false;
        int at = chunk.readerIndex() + Wire.HEADER_SIZE;
        if (chunk.readableBytes() >= Wire.HEADER_SIZE + 5 && chunk.getUnsignedByte(at) == 0) {
            chunk.setIntLE(at + 1, preparing.id);
        }
    }

    /**
     * The client's COM_STMT_PREPARE was answered: on success the statement is registered on the
     * session and on {@code c}, and returned; null otherwise. A failed prepare leaves no "last
     * prepared" statement, as on the server: an execution of id -1 after it is unknown.
     */
    Statement prepareDone(BackendConnection c, ResponseTracker reply, int maxPerConnection) {
        Statement st = preparing;
        preparing = null;
        idToPatch = false;
        if (st != null && reply.error() != null) {
            lastPrepared = null;
            lastPrepareFailed = true;
        }
        if (st == null || reply.error() != null) {
            return null;
        }
        lastPrepareFailed = false;
        if (preparingUnread) {
            preparedUnread.add(new Unread(st, c));
        }
        st.params = reply.preparedParams();
        byId.put(st.id, st);
        held.hold(st.prepareState, st.exact);
        lastPrepared = st;
        BackendStatements.of(c).add(c, st.prepareState, st.exact, reply.preparedStatementId(), maxPerConnection);
        return st;
    }

    /** The statement a command names (by the id at payload offset 1), or null when unknown. */
    Statement find(ByteBuf payload) {
        long id = payload.getUnsignedIntLE(payload.readerIndex() + 1);
        if (id == LAST_PREPARED) {
            return lastPrepared;
        }
        return id > Integer.MAX_VALUE ? null : byId.get((int) id);
    }

    /** COM_STMT_CLOSE: the client is done with the statement (the connection's copy stays cached). */
    void close(ByteBuf payload) {
        Statement st = find(payload);
        if (st != null) {
            if (byId.remove(st.id) != null) {
                held.release(st.prepareState, st.exact);
            }
            if (lastPrepared == st) {
                lastPrepared = null;
            }
        }
    }

    /** Forgets every statement (COM_RESET_CONNECTION, COM_CHANGE_USER). */
    void clear() {
        byId.values().forEach(st -> held.release(st.prepareState, st.exact));
        byId.clear();
        preparing = null;
        preparedUnread.clear();
        lastPrepared = null;
        lastPrepareFailed = false;
        idToPatch = false;
    }

    /** True while a statement's cursor or pending long data ties the session to its connection. */
    boolean pinned() {
        for (Statement st : byId.values()) {
            if (st.cursorOpen || st.longDataPending) {
                return true;
            }
        }
        return false;
    }

    /**
     * The statements that may read {@code ROW_COUNT()} and whose copies must be prepared under
     * another state than {@code here} ({@link ConnectionState#prepareState}): preparing one of
     * them takes a {@code COM_INIT_DB} or a {@code SET} first, each of which sets
     * {@code ROW_COUNT()} to 0.
     */
    List<Statement> readingRowCountUnlike(ConnectionState here) {
        List<Statement> found = new ArrayList<>();
        for (Statement st : byId.values()) {
            if (readsRowCount(st) && !st.prepareState.equals(here.prepareState())) {
                found.add(st);
            }
        }
        return found;
    }

    /** True when {@code st} may read {@code ROW_COUNT()}, which the server sets to 0 at each {@code COM_INIT_DB} and {@code SET}. */
    static boolean readsRowCount(Statement st) {
        return st.traits.readsPrevious() && READS_ROW_COUNT.matcher(st.sql).find();
    }

    /** True when the client holds a statement of text {@code sql} prepared under {@code prepareState}. */
    boolean holds(ConnectionState prepareState, String sql) {
        for (Statement st : byId.values()) {
            if (st.exact.equals(sql) && st.prepareState.equals(prepareState)) {
                return true;
            }
        }
        return false;
    }

    /** Number of statements the client holds open. */
    int size() {
        return byId.size();
    }

    /**
     * Prepares {@code st} on {@code c}, which carries the session's state {@code sessionState} and
     * has no copy of it, then calls {@code then} with the connection's copy; on a server error
     * calls {@code failed}; a broken connection is reported to {@code broken} as a failed
     * response.
     *
     * <p>The server resolves a prepared statement's unqualified names in the database that was
     * current when it was prepared, and gives its literals the character set and collation of that
     * moment, for as long as it lives; {@code sql_mode} decides how its text was parsed. When the
     * session has changed any of these since, the copy is prepared under the statement's
     * ({@code COM_INIT_DB} and {@code SET} there and back), so that it reads and writes the same
     * tables and compares the same way as the client's original.
     */
    static void prepareOn(BackendConnection c, ConnectionState sessionState, Statement st, int maxPerConnection,
                   Consumer<BackendStatements.Prepared> then, Consumer<ErrPacket> failed,
                   BiConsumer<BackendConnection, Throwable> broken) {
        ConnectionState here = sessionState.withSchema(c.schema());
        if (here.prepareState().equals(st.prepareState)) {
            prepare(c, st, maxPerConnection, then, failed, broken);
            return;
        }
        // Once prepared (or refused), the connection goes back to the session's state; if it
        // cannot, it is in the wrong one and cannot serve the session any more.
        ConnectionState prepared = here.withPrepareState(st.prepareState);
        SessionStateRestorer.Plan there = SessionStateRestorer.restore(here, prepared, c.baseline(), c.globals());
        SessionStateRestorer.Plan back = SessionStateRestorer.restore(prepared, here, c.baseline(), c.globals());
        Consumer<ErrPacket> cannotReturn = err -> broken.accept(c,
                new IllegalStateException("could not return to the session's state: " + err.message()));
        run(c, there, false, () -> prepare(c, st, maxPerConnection,
                copy -> run(c, back, true, () -> then.accept(copy), cannotReturn, broken),
                err -> run(c, back, true, () -> failed.accept(err), cannotReturn, broken),
                broken), failed, broken);
    }

    private static void prepare(BackendConnection c, Statement st, int maxPerConnection,
                                Consumer<BackendStatements.Prepared> then, Consumer<ErrPacket> failed,
                                BiConsumer<BackendConnection, Throwable> broken) {
        c.executeInternal(Command.STMT_PREPARE, st.exact, StandardCharsets.ISO_8859_1, InternalSink.withReply((reply, failure) -> {
            if (failure != null) {
                broken.accept(c, failure);
            } else if (reply.error() != null) {
                failed.accept(reply.error());
            } else {
                then.accept(BackendStatements.of(c).add(c, st.prepareState, st.exact, reply.preparedStatementId(), maxPerConnection));
            }
        }));
    }

    /**
     * Runs {@code plan}'s steps on {@code c} in order. An error of the first goes to
     * {@code failed}, unless {@code mustComplete}; any later one leaves the connection half
     * changed, which makes it {@code broken}.
     */
    static void run(BackendConnection c, SessionStateRestorer.Plan plan, boolean mustComplete, Runnable then,
                            Consumer<ErrPacket> failed, BiConsumer<BackendConnection, Throwable> broken) {
        runSteps(c, plan.steps(), 0, mustComplete, then, failed, broken);
    }

    private static void runSteps(BackendConnection c, List<SessionStateRestorer.Step> steps, int next, boolean mustComplete,
                                 Runnable then, Consumer<ErrPacket> failed, BiConsumer<BackendConnection, Throwable> broken) {
        if (next == steps.size()) {
            then.run();
            return;
        }
        SessionStateRestorer.Step step = steps.get(next);
        c.executeInternal(step.command(), step.argument(), (err, failure) -> {
            if (failure != null) {
                broken.accept(c, failure);
            } else if (err != null && (mustComplete || next > 0)) {
                broken.accept(c, new IllegalStateException("could not run " + step.command() + " " + step.argument() + ": "
                        + err.message()));
            } else if (err != null) {
                failed.accept(err);
            } else {
                runSteps(c, steps, next + 1, mustComplete, then, failed, broken);
            }
        });
    }

    /**
     * Turns the client's command for {@code st} into the packet for the connection's copy
     * {@code p}: its server-side id, and for COM_STMT_EXECUTE and BULK_EXECUTE the parameter
     * types when the copy last saw others. Consumes {@code frames}; returns null (frames
     * released) when a command larger than one packet would need types inserted, which the proxy
     * does not do.
     */
    ByteBuf toBackend(Command command, Statement st, BackendStatements.Prepared p, java.util.List<Frame> frames,
                      Map<String, String> sessionCharsets, Map<String, String> connectionCharsets) {
        st.bindUnder = null;
        Frame first = frames.get(0);
        ByteBuf payload = first.payload();
        int base = payload.readerIndex();
        payload.setIntLE(base + 1, (int) p.backendId());
        switch (command) {
            case STMT_EXECUTE, STMT_BULK_EXECUTE -> {
                if (command == Command.STMT_EXECUTE && StmtExecute.requestsCursor(payload, base)) {
                    st.cursorOpen = true;
                }
                st.longDataPending = false;
                if (st.params > 0) {
                    ByteBuf rewritten = withTypes(command, st, p, frames, payload, base, sessionCharsets, connectionCharsets);
                    if (rewritten != null || frames.isEmpty()) {
                        return rewritten;
                    }
                }
            }
            case STMT_SEND_LONG_DATA -> st.longDataPending = true;
            case STMT_RESET -> {
                st.cursorOpen = false;
                st.longDataPending = false;
            }
            default -> { }
        }
        return CommandQueue.join(frames);
    }

    /** The bulk flag that says parameter types follow the flags (MariaDB's STMT_BULK_FLAG_SEND_TYPES_TO_SERVER). */
    private static final int BULK_SEND_TYPES = 128;

    /**
     * A COM_STMT_EXECUTE (types after {@code new_params_bound_flag} = 1) or COM_STMT_BULK_EXECUTE
     * (types after its two bytes of flags when flag 128 is set): the types it carries become the
     * statement's; one without them gets the statement's inserted when the connection's copy last
     * received others, or received them under other character sets while the statement has a
     * string parameter. The server binds a statement's parameters when it receives their types:
     * it converts each later string parameter from the {@code character_set_client} of that moment
     * to its {@code collation_connection} (which also becomes the parameter's collation), whatever
     * the session sets in between. So a copy bound under other character sets than the client's
     * statement is bound again under the statement's ({@link Statement#bindUnder} when those are
     * not the connection's now). The client's statement is bound under {@code sessionCharsets}
     * (as it would be directly), the connection's copy under {@code connectionCharsets} (which
     * differ only while an execution's binding character sets are left there:
     * {@link LeftCharsets}). Null when the original can go as it is; empties {@code frames} on
     * refusal (a command larger than one packet).
     */
    private ByteBuf withTypes(Command command, Statement st, BackendStatements.Prepared p, java.util.List<Frame> frames,
                              ByteBuf payload, int base, Map<String, String> sessionCharsets,
                              Map<String, String> connectionCharsets) {
        boolean bulk = command == Command.STMT_BULK_EXECUTE;
        int markAt = bulk ? base + 5 : base + 10 + (st.params + 7) / 8;
        int markLength = bulk ? 2 : 1;
        if (payload.writerIndex() < markAt + markLength) {
            return null;
        }
        int mark = bulk ? payload.getUnsignedShortLE(markAt) : payload.getUnsignedByte(markAt);
        if (bulk ? (mark & BULK_SEND_TYPES) != 0 : mark == 1) {
            byte[] types = new byte[Math.min(2 * st.params, payload.writerIndex() - markAt - markLength)];
            payload.getBytes(markAt + markLength, types);
            st.types = types;
            st.typesCharsets = sessionCharsets;
            p.bound(types, connectionCharsets);
            return null;
        }
        if (st.types == null) {
            return null;
        }
        Map<String, String> bindCharsets = st.typesCharsets != null ? st.typesCharsets : sessionCharsets;
        boolean converts = StmtExecute.hasStringParameter(st.types);
        if (Arrays.equals(st.types, p.lastTypes()) && (!converts || bindCharsets.equals(p.lastCharsets()))) {
            return null;
        }
        if (frames.size() > 1 || payload.readableBytes() + st.types.length >= Wire.MAX_PAYLOAD) {
            frames.forEach(Frame::release);
            frames.clear();
            return null;
        }
        ByteBuf body = ByteBufAllocator.DEFAULT.buffer(payload.readableBytes() + st.types.length);
        body.writeBytes(payload, base, markAt - base);
        if (bulk) {
            body.writeShortLE(mark | BULK_SEND_TYPES);
        } else {
            body.writeByte(1);
        }
        body.writeBytes(st.types);
        body.writeBytes(payload, markAt + markLength, payload.writerIndex() - markAt - markLength);
        frames.forEach(Frame::release);
        p.bound(st.types, bindCharsets);
        st.bindUnder = converts && !bindCharsets.equals(connectionCharsets) ? bindCharsets : null;
        try {
            return Packets.split(ByteBufAllocator.DEFAULT, body, 0);
        } finally {
            body.release();
        }
    }

    /**
     * The variables the server converts string parameters by when it binds a statement:
     * {@code character_set_client} (and the collation a {@code SET NAMES ... COLLATE} gave it),
     * {@code character_set_connection} and {@code collation_connection}.
     */
    static final List<String> CONVERSION_VARIABLES = List.of("character_set_client",
            SessionStateTracker.CLIENT_COLLATION, "character_set_connection", "collation_connection");

    /** The {@link #CONVERSION_VARIABLES} {@code state} sets (a login value left out). */
    static Map<String, String> conversionCharsets(ConnectionState state) {
        Map<String, String> charsets = new java.util.LinkedHashMap<>();
        for (String name : CONVERSION_VARIABLES) {
            String value = state.variables().get(name);
            if (value != null) {
                charsets.put(name, value);
            }
        }
        return charsets;
    }

    /** {@code state} with the {@link #CONVERSION_VARIABLES} of {@code charsets} instead of its own. */
    static ConnectionState withConversionCharsets(ConnectionState state, Map<String, String> charsets) {
        ConnectionState s = state;
        for (String name : CONVERSION_VARIABLES) {
            s = s.withVariable(name, charsets.get(name));
        }
        return s;
    }

    /** After COM_STMT_EXECUTE/FETCH: a cursor stays open until the server says the last row went. */
    void executed(Statement st, Command command, ResponseTracker reply) {
        if (command == Command.STMT_EXECUTE && st.cursorOpen) {
            st.cursorOpen = reply.error() == null && ServerStatus.has(reply.statusFlags(), ServerStatus.CURSOR_EXISTS);
        } else if (command == Command.STMT_FETCH && ServerStatus.has(reply.statusFlags(), ServerStatus.LAST_ROW_SENT)) {
            st.cursorOpen = false;
        }
    }

    /** True when {@code payload} names statement -1 right after the client's prepare failed. */
    boolean namesFailedPrepare(ByteBuf payload) {
        return lastPrepareFailed && payload.getUnsignedIntLE(payload.readerIndex() + 1) == LAST_PREPARED;
    }

    /** The error for a command naming a statement the session does not have, in the server's words. */
    static ErrPacket unknown(ByteBuf payload, Command command) {
        return ProxyError.UNKNOWN_STMT_HANDLER.format(payload.getUnsignedIntLE(payload.readerIndex() + 1), "mysqld_" + command.label());
    }
}
