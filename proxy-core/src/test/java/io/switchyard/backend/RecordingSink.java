package io.switchyard.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ResponseTracker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link ResponseSink} that keeps a copy of every byte relayed to it (releasing the buffers at
 * once) and a log of how the response ended: {@code complete}, or
 * {@code failed(bytesRelayed=...)}. An optional hook runs on each chunk, on the connection's event
 * loop, so a test can act as a slow client would.
 *
 * <p>Written on the connection's event loop, read from the test thread: every accessor is
 * synchronized.
 */
final class RecordingSink implements ResponseSink {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<String> outcomes = new ArrayList<>();
    private final Consumer<BackendConnection> onChunk;
    private volatile BackendConnection connection;
    private ResponseTracker tracker;
    private int flushes;

    RecordingSink() {
        this(c -> { });
    }

    /** A sink that runs {@code onChunk} with the connection after each chunk it receives. */
    RecordingSink(Consumer<BackendConnection> onChunk) {
        this.onChunk = onChunk;
    }

    /** Runs a command on {@code c} (on its event loop) with this sink; returns the sink. */
    RecordingSink run(BackendConnection c, Command command, String argument) {
        connection = c;
        c.eventLoop().execute(() -> c.execute(command, Packets.command(ByteBufAllocator.DEFAULT, command, argument), this));
        return this;
    }

    @Override
    public synchronized void responseBytes(ByteBuf chunk) {
        try {
            chunk.readBytes(bytes, chunk.readableBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            chunk.release();
        }
        if (connection != null) {
            onChunk.accept(connection);
        }
    }

    @Override
    public synchronized void responseFlush() {
        flushes++;
    }

    /** How often the connection asked this sink to flush what it relayed. */
    synchronized int flushes() {
        return flushes;
    }

    @Override
    public void localInfileRequested() {
        record("localInfileRequested");
    }

    @Override
    public synchronized void responseComplete(BackendConnection c, ResponseTracker tracker) {
        this.tracker = tracker;
        record("complete");
    }

    @Override
    public void backendFailed(BackendConnection c, Throwable cause, boolean bytesRelayed) {
        record("failed(bytesRelayed=" + bytesRelayed + ")");
    }

    private synchronized void record(String outcome) {
        outcomes.add(outcome);
    }

    synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    synchronized int byteCount() {
        return bytes.size();
    }

    /** How each response ended, in order. */
    synchronized List<String> outcomes() {
        return List.copyOf(outcomes);
    }

    synchronized boolean ended() {
        return !outcomes.isEmpty();
    }

    /** The tracker of the completed response, or null. */
    synchronized ResponseTracker tracker() {
        return tracker;
    }
}
