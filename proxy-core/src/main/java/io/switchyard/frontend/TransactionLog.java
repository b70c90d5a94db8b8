package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.ResponseSink;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ResponseTracker;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The statements of the session's open transaction with a checksum of what the client got for
 * each, so the transaction can be run again on another connection and checked to give the same:
 * every response byte the server sent except the OK and EOF packets that end a result (their
 * status flags, counts and session-state information may differ between servers without the
 * rows differing). Only text statements ({@code COM_QUERY}) are kept; any other command in the
 * transaction, or statements beyond the size limit, make it one that cannot be replayed.
 *
 * <p>Confined to the session's event loop.
 */
final class TransactionLog {
    /** One statement: its command packets as the client sent them, and the checksum of its response. */
    private record Entry(byte[] packets, byte[] checksum) {}

    private final List<Entry> entries = new ArrayList<>();
    private final MessageDigest running = sha256();
    private byte[] pending;
    private long bytes;
    private boolean replayable = true;

    /** A statement of the transaction is sent: {@code packets} are its command packets (not consumed). */
    void sent(Command command, ByteBuf packets, long maxBytes) {
        running.reset();
        pending = null;
        if (command != Command.QUERY || bytes + packets.readableBytes() > maxBytes) {
            replayable = false;
            return;
        }
        pending = new byte[packets.readableBytes()];
        packets.getBytes(packets.readerIndex(), pending);
    }

    /** Response bytes the client gets for the statement (not the status packets). */
    void responseBytes(ByteBuf chunk) {
        update(running, chunk);
    }

    /** The statement's response ended; the transaction is still open. */
    void completed() {
        if (pending != null && replayable) {
            entries.add(new Entry(pending, running.digest()));
            bytes += pending.length;
        }
        pending = null;
    }

    /** The transaction ended: nothing is kept. */
    void clear() {
        entries.clear();
        pending = null;
        bytes = 0;
        replayable = true;
    }

    boolean replayable() {
        return replayable;
    }

    int statements() {
        return entries.size();
    }

    /**
     * Runs the statements again, one after the other, on {@code connection}, and tells
     * {@code done} null when each gave the response its checksum records, or why not.
     * {@code done} also gets the last response's tracker (status flags), or null.
     */
    void replay(BackendConnection connection, Done done) {
        replay(connection, 0, null, done);
    }

    /** Outcome of a replay. */
    interface Done {
        void done(String mismatch, ResponseTracker last);
    }

    private void replay(BackendConnection connection, int index, ResponseTracker last, Done done) {
        if (index == entries.size()) {
            done.done(null, last);
            return;
        }
        Entry entry = entries.get(index);
        connection.execute(Command.QUERY, Unpooled.wrappedBuffer(entry.packets()), new ChecksumSink(checksum -> {
            if (checksum.failure != null) {
                done.done("the connection failed: " + checksum.failure, null);
            } else if (!Arrays.equals(checksum.digest, entry.checksum())) {
                done.done("statement " + (index + 1) + " of the transaction gave a different result", null);
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

    /** Takes a replayed statement's response, hashing what the client would have been sent. */
    private static final class ChecksumSink implements ResponseSink {
        private final MessageDigest digest = sha256();
        private final Consumer<Outcome> done;

        ChecksumSink(Consumer<Outcome> done) {
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
            packet.release();
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
