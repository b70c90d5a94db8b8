package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.backend.BackendConnection;
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
 * servers without the results differing). Only text statements ({@code COM_QUERY}) are kept; any other command in the
 * transaction, a statement of it that was not recorded, or statements beyond the size limit make
 * it one that cannot be run again.
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

    /** One statement: its command packets as the client sent them, and the checksum of its response. */
    private record Entry(byte[] packets, byte[] checksum) {}

    private final List<Entry> entries = new ArrayList<>();
    private final MessageDigest running = sha256();
    private byte[] pending;
    private boolean recording;
    private long bytes;
    private boolean replayable = true;
    private ConnectionState startState;
    private String characteristics = "";
    private int hostgroup = -1;
    private Scope scope = Scope.FULL;

    /**
     * A statement is sent and recorded: {@code packets} are its command packets (not consumed);
     * {@code state}, {@code characteristics} and {@code hostgroup} are taken when it is the
     * transaction's first.
     */
    void sent(Command command, ByteBuf packets, long maxBytes, ConnectionState state, String characteristics, int hostgroup,
              Scope scope) {
        running.reset();
        pending = null;
        recording = true;
        if (entries.isEmpty() && replayable) {
            this.startState = state;
            this.characteristics = characteristics;
            this.hostgroup = hostgroup;
            this.scope = scope;
        }
        if (command != Command.QUERY || bytes + packets.readableBytes() > maxBytes) {
            replayable = false;
            return;
        }
        pending = new byte[packets.readableBytes()];
        packets.getBytes(packets.readerIndex(), pending);
    }

    /** A statement is sent and not recorded. */
    void notRecorded() {
        recording = false;
        pending = null;
    }

    /** Response bytes the client gets for the recorded statement (not the status packets). */
    void responseBytes(ByteBuf chunk) {
        if (recording) {
            update(running, chunk);
        }
    }

    /** An OK or EOF packet that ends a result of the recorded statement (its payload, header byte first). */
    void statusPacket(OkPacket ok) {
        if (recording) {
            addStatus(running, ok, scope);
        }
    }

    /** The statement's response ended and the transaction is open. */
    void completedInTransaction() {
        if (!recording) {
            replayable = false;
        } else if (pending != null && replayable) {
            entries.add(new Entry(pending, running.digest()));
            bytes += pending.length;
        }
        pending = null;
        recording = false;
    }

    /** No transaction is open (it ended, or never started): nothing is kept. */
    void clear() {
        entries.clear();
        pending = null;
        recording = false;
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
     * Runs the statements again, one after the other, on {@code connection}, and tells
     * {@code done} whether each gave the response its checksum records.
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
        connection.execute(Command.QUERY, Unpooled.wrappedBuffer(entry.packets()), new ChecksumSink(scope, checksum -> {
            if (checksum.failure != null) {
                done.done(null, checksum.failure, null);
            } else if (!Arrays.equals(checksum.digest, entry.checksum())) {
                done.done("statement " + (index + 1) + " of the transaction gave a different result", null, null);
            } else {
                replay(connection, index + 1, checksum.tracker, done);
            }
        }));
    }

    private static void update(MessageDigest digest, ByteBuf chunk) {
        for (ByteBuffer b : chunk.nioBuffers(chunk.readerIndex(), chunk.readableBytes())) {
            digest.update(b);
        }
    }

    private static void addStatus(MessageDigest digest, OkPacket ok, Scope scope) {
        if (scope == Scope.RESULT_ONLY) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(21);
        b.put((byte) 0).putLong(ok.affectedRows()).putLong(scope == Scope.FULL ? ok.lastInsertId() : 0).putInt(ok.warnings());
        digest.update(b.flip());
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
        private final MessageDigest digest = sha256();
        private final Scope scope;
        private final Consumer<Outcome> done;

        ChecksumSink(Scope scope, Consumer<Outcome> done) {
            this.scope = scope;
            this.done = done;
        }

        @Override
        public void responseBytes(ByteBuf bytes) {
            try {
                update(digest, bytes);
            } finally {
                bytes.release();
            }
        }

        @Override
        public void responseStatusPacket(ByteBuf packet) {
            try {
                addStatus(digest, status(packet), scope);
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
