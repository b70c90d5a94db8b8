package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendStatements;
import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.ResponseSink;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.Wire;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The statements of the session's open transaction with a checksum of what the client got for
 * each, so the transaction can be run again on another connection and checked to give the same.
 * The checksum covers every response packet except the OK and EOF packets that end a result,
 * of which it takes what {@link Scope} says: by default the affected rows, the insert id and the
 * warning count (never the status flags or the session-state information, which differ between
 * servers without the results differing). Text statements ({@code COM_QUERY}) and executions of
 * prepared statements ({@code COM_STMT_EXECUTE}, see {@link Execution}) are kept; a
 * {@code COM_STMT_PREPARE} changes nothing (the statement is prepared again where the transaction
 * runs again); any other command in the transaction, a statement of it that was not recorded, or
 * statements beyond the size limit make it one that cannot be run again.
 *
 * <p>With the first statement it keeps what the connection must carry before the transaction
 * starts again: the session state at that point and the characteristics {@code SET TRANSACTION}
 * gave the transaction, and the hostgroup it ran in.
 *
 * <p>Confined to the session's event loop.
 */
final class TransactionLog {
    /** What of the OK and EOF packets the checksum covers ({@code mysql-transaction_replay_checksum}). */
    enum Scope {
        /** Affected rows, insert id and warnings. */
        FULL,
        /** None: only the result sets and errors. */
        RESULT_ONLY,
        /** Affected rows and warnings, not the insert id (an auto-increment value may differ on another server). */
        NO_INSERT_ID;

        static Scope of(String variable) {
            return valueOf(variable.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * One statement: a text statement's command packets as the client sent them, or an
     * execution of a prepared statement; and the checksum of its response.
     */
    private record Entry(byte[] packets, Execution execution, byte[] checksum) {}

    /**
     * A COM_STMT_EXECUTE as it can run again on any connection: one packet that carries its
     * parameter types ({@code new_params_bound_flag = 1}) even when the client's omitted them
     * (the server then used the ones it last got, which are the statement's), so a copy of the
     * statement freshly prepared elsewhere gets the same. The statement id in it is patched to the
     * copy's when it runs again.
     */
    record Execution(PreparedStatements.Statement statement, byte[] packet, byte[] types) {
        /** {@code packets} (framed, not consumed) as an execution of {@code st} that can run again, or null when it cannot be. */
        static Execution of(ByteBuf packets, PreparedStatements.Statement st) {
            int at = packets.readerIndex();
            int length = packets.readableBytes() >= Wire.HEADER_SIZE ? Wire.payloadLength(packets, at) : -1;
            if (length < 0 || Wire.HEADER_SIZE + length != packets.readableBytes() || length >= Wire.MAX_PAYLOAD) {
                return null;
            }
            byte[] packet = new byte[packets.readableBytes()];
            packets.getBytes(at, packet);
            if (st.params == 0) {
                return new Execution(st, packet, null);
            }
            int markAt = Wire.HEADER_SIZE + 10 + (st.params + 7) / 8;
            if (packet.length <= markAt) {
                return null;
            }
            if (packet[markAt] == 1) {
                int end = Math.min(packet.length, markAt + 1 + 2 * st.params);
                return new Execution(st, packet, Arrays.copyOfRange(packet, markAt + 1, end));
            }
            if (st.types == null || length + st.types.length >= Wire.MAX_PAYLOAD) {
                return null;
            }
            byte[] typed = new byte[packet.length + st.types.length];
            System.arraycopy(packet, 0, typed, 0, markAt);
            typed[markAt] = 1;
            System.arraycopy(st.types, 0, typed, markAt + 1, st.types.length);
            System.arraycopy(packet, markAt + 1, typed, markAt + 1 + st.types.length, packet.length - markAt - 1);
            int typedLength = length + st.types.length;
            typed[0] = (byte) typedLength;
            typed[1] = (byte) (typedLength >>> 8);
            typed[2] = (byte) (typedLength >>> 16);
            return new Execution(st, typed, st.types.clone());
        }

        /** The packet for {@code copy}, the statement prepared on another connection, which now knows its types. */
        ByteBuf on(BackendStatements.Prepared copy) {
            if (types != null) {
                copy.bound(types, null);
            }
            ByteBuf b = Unpooled.copiedBuffer(packet);
            return b.setIntLE(Wire.HEADER_SIZE + 1, (int) copy.backendId());
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final ResponseDigest running = new ResponseDigest();
    private byte[] pending;
    private Execution pendingExecution;
    private boolean recording;
    /** The command now running changes nothing the transaction must run again (a COM_STMT_PREPARE). */
    private boolean neutral;
    private long bytes;
    private boolean replayable = true;
    private ConnectionState startState;
    private String characteristics = "";
    private int hostgroup = -1;
    private Scope scope = Scope.FULL;

    /**
     * A statement is sent and recorded: {@code packets} are its command packets (not consumed);
     * {@code execution} is the statement a COM_STMT_EXECUTE runs when it may run again (null when
     * it may not: long data, a cursor); {@code state}, {@code characteristics} and
     * {@code hostgroup} are taken when it is the transaction's first.
     */
    void sent(Command command, ByteBuf packets, PreparedStatements.Statement execution, long maxBytes, ConnectionState state,
              String characteristics, int hostgroup, Scope scope) {
        running.reset();
        pending = null;
        pendingExecution = null;
        neutral = command == Command.STMT_PREPARE;
        recording = !neutral;
        if (neutral) {
            return;
        }
        if (entries.isEmpty() && replayable) {
            this.startState = state;
            this.characteristics = characteristics;
            this.hostgroup = hostgroup;
            this.scope = scope;
        }
        if (bytes + packets.readableBytes() > maxBytes) {
            replayable = false;
            return;
        }
        if (command == Command.QUERY) {
            pending = new byte[packets.readableBytes()];
            packets.getBytes(packets.readerIndex(), pending);
            return;
        }
        Execution e = command == Command.STMT_EXECUTE && execution != null ? Execution.of(packets, execution) : null;
        if (e == null || bytes + e.packet().length > maxBytes) {
            replayable = false;
            return;
        }
        pending = e.packet();
        pendingExecution = e;
    }

    /** A statement is sent and not recorded. */
    void notRecorded() {
        recording = false;
        neutral = false;
        pending = null;
        pendingExecution = null;
    }

    /** Response bytes the client gets for the recorded statement (not the status packets). */
    void responseBytes(ByteBuf chunk) {
        if (recording) {
            running.update(chunk);
        }
    }

    /** An OK or EOF packet that ends a result of the recorded statement (its payload, header byte first). */
    void statusPacket(OkPacket ok) {
        if (recording) {
            running.status(ok, scope);
        }
    }

    /** The statement's response ended and the transaction is open. */
    void completedInTransaction() {
        if (neutral) {
            neutral = false;
            return;
        }
        if (!recording) {
            replayable = false;
        } else if (pending != null && replayable) {
            entries.add(new Entry(pending, pendingExecution, running.digest()));
            bytes += pending.length;
        }
        pending = null;
        pendingExecution = null;
        recording = false;
    }

    /** No transaction is open (it ended, or never started): nothing is kept. */
    void clear() {
        entries.clear();
        pending = null;
        pendingExecution = null;
        recording = false;
        neutral = false;
        bytes = 0;
        replayable = true;
        startState = null;
        characteristics = "";
        hostgroup = -1;
    }

    /** True when the transaction's statements are all kept and it can run again. */
    boolean replayable() {
        return replayable && !entries.isEmpty();
    }

    /** The command packets of the statement now running, recorded; null when it is not. */
    byte[] pendingPackets() {
        return recording ? pending : null;
    }

    /** The recorded execution of a prepared statement now running; null when it is a text statement or not recorded. */
    Execution pendingExecution() {
        return recording ? pendingExecution : null;
    }

    /** True when the statement now running is recorded and may run again after the transaction. */
    boolean pendingRecorded() {
        return recording && pending != null;
    }

    int statements() {
        return entries.size();
    }

    /** The session state when the transaction started. */
    ConnectionState startState() {
        return startState;
    }

    /** The {@code SET TRANSACTION} characteristics the transaction started with, as the server reported them ("" when none). */
    String characteristics() {
        return characteristics;
    }

    /** The transaction runs on in {@code hostgroup} from now on (a read-only transaction moves to the writer). */
    void moveTo(int hostgroup) {
        this.hostgroup = hostgroup;
    }

    /** The hostgroup the transaction runs in. */
    int hostgroup() {
        return hostgroup;
    }

    /** Outcome of a replay: null when every statement gave the recorded result, or why not; with the last response. */
    interface Done {
        void done(String mismatch, Throwable failure, ResponseTracker last);
    }

    /**
     * Prepares on {@code c}, which is in the session state {@code state}, every statement the
     * transaction executed that {@code c} has no copy of; then tells {@code done} null, or why
     * not (with the failure when the connection broke). Done before the transaction runs again,
     * while the connection is in a known state.
     */
    void prepareStatements(BackendConnection c, ConnectionState state, int maxPerConnection, Done done) {
        for (Entry e : entries) {
            PreparedStatements.Statement st = e.execution() == null ? null : e.execution().statement();
            if (st != null && BackendStatements.of(c).find(st.prepareState, st.exact) == null) {
                PreparedStatements.prepareOn(c, state, st, maxPerConnection,
                        copy -> prepareStatements(c, state, maxPerConnection, done),
                        err -> done.done("a statement of the transaction could not be prepared again: " + err.message(), null, null),
                        (broken, cause) -> done.done(null, cause, null));
                return;
            }
        }
        done.done(null, null, null);
    }

    /**
     * Runs the statements again, one after the other, on {@code connection}, and tells
     * {@code done} whether each gave the response its checksum records. The prepared statements
     * they execute must be prepared there ({@link #prepareStatements}).
     */
    void replay(BackendConnection connection, Done done) {
        replay(connection, 0, null, done);
    }

    private void replay(BackendConnection connection, int index, ResponseTracker last, Done done) {
        if (index == entries.size()) {
            done.done(null, null, last);
            return;
        }
        Entry entry = entries.get(index);
        Execution execution = entry.execution();
        ByteBuf packet = Unpooled.wrappedBuffer(entry.packets());
        if (execution != null) {
            PreparedStatements.Statement st = execution.statement();
            BackendStatements.Prepared copy = BackendStatements.of(connection).find(st.prepareState, st.exact);
            if (copy == null) {
                done.done("statement " + (index + 1) + " of the transaction is no longer prepared on the connection "
                        + "(more than mysql-max_stmts_per_connection statements)", null, null);
                return;
            }
            packet = execution.on(copy);
        }
        connection.execute(execution == null ? Command.QUERY : Command.STMT_EXECUTE, packet, new ChecksumSink(scope, checksum -> {
            if (checksum.failure != null) {
                done.done(null, checksum.failure, null);
            } else if (!Arrays.equals(checksum.digest, entry.checksum())) {
                done.done("statement " + (index + 1) + " of the transaction gave a different result", null, null);
            } else {
                replay(connection, index + 1, checksum.tracker, done);
            }
        }));
    }

    /**
     * The checksum of one response: the packets' lengths and payloads, not their sequence ids
     * (which move down where the relay leaves out column definitions a client caches, see
     * {@link MetadataCaching}), fed in chunks that may end inside a packet; and of each status
     * packet what the {@link Scope} takes.
     */
    private static final class ResponseDigest {
        private final MessageDigest digest = sha256();
        /** Bytes of the current packet's header seen so far (0 to 4), or 4 while in its payload. */
        private int headerSeen;
        private final byte[] header = new byte[Wire.HEADER_SIZE];
        private long payloadLeft;

        void reset() {
            digest.reset();
            headerSeen = 0;
            payloadLeft = 0;
        }

        void update(ByteBuf chunk) {
            int at = chunk.readerIndex();
            int end = chunk.writerIndex();
            while (at < end) {
                if (headerSeen < Wire.HEADER_SIZE) {
                    header[headerSeen++] = chunk.getByte(at++);
                    if (headerSeen == Wire.HEADER_SIZE) {
                        digest.update(header, 0, 3);
                        payloadLeft = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
                        headerSeen = payloadLeft == 0 ? 0 : Wire.HEADER_SIZE;
                    }
                    continue;
                }
                int n = (int) Math.min(payloadLeft, end - at);
                for (ByteBuffer b : chunk.nioBuffers(at, n)) {
                    digest.update(b);
                }
                at += n;
                payloadLeft -= n;
                if (payloadLeft == 0) {
                    headerSeen = 0;
                }
            }
        }

        void status(OkPacket ok, Scope scope) {
            if (scope == Scope.RESULT_ONLY) {
                return;
            }
            ByteBuffer b = ByteBuffer.allocate(21);
            b.put((byte) 0).putLong(ok.affectedRows()).putLong(scope == Scope.FULL ? ok.lastInsertId() : 0).putInt(ok.warnings());
            digest.update(b.flip());
        }

        byte[] digest() {
            return digest.digest();
        }
    }

    /** The OK or EOF at the start of {@code packet} (framed), read the same way on both sides. */
    static OkPacket status(ByteBuf packet) {
        int at = packet.readerIndex();
        int length = Wire.payloadLength(packet, at);
        ByteBuf payload = packet.slice(at + Wire.HEADER_SIZE, length);
        if (OkPacket.isOk(payload, payload.readerIndex(), length)) {
            return OkPacket.decodeRelayed(payload, false);
        }
        int warnings = length >= 3 ? payload.getUnsignedShortLE(payload.readerIndex() + 1) : 0;
        return new OkPacket(0, 0, 0, warnings, "", io.switchyard.protocol.SessionStateInfo.EMPTY);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The checksum of one replayed response, or its failure. */
    private static final class Outcome {
        byte[] digest;
        ResponseTracker tracker;
        Throwable failure;
    }

    /** Takes a replayed statement's response, hashing it as the relay hashed what the client got. */
    private static final class ChecksumSink implements ResponseSink {
        private final ResponseDigest digest = new ResponseDigest();
        private final Scope scope;
        private final Consumer<Outcome> done;

        ChecksumSink(Scope scope, Consumer<Outcome> done) {
            this.scope = scope;
            this.done = done;
        }

        @Override
        public void responseBytes(ByteBuf bytes) {
            try {
                digest.update(bytes);
            } finally {
                bytes.release();
            }
        }

        @Override
        public void responseStatusPacket(ByteBuf packet) {
            try {
                digest.status(status(packet), scope);
            } finally {
                packet.release();
            }
        }

        @Override
        public void responseFlush() {
        }

        @Override
        public void localInfileRequested() {
            Outcome o = new Outcome();
            o.failure = new IllegalStateException("a replayed statement asked for a local file");
            done.accept(o);
        }

        @Override
        public void responseComplete(BackendConnection connection, ResponseTracker tracker) {
            Outcome o = new Outcome();
            o.digest = digest.digest();
            o.tracker = tracker;
            done.accept(o);
        }

        @Override
        public void backendFailed(BackendConnection connection, Throwable cause, boolean bytesRelayed) {
            Outcome o = new Outcome();
            o.failure = cause;
            done.accept(o);
        }
    }
}
