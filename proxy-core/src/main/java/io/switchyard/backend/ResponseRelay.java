package io.switchyard.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ProtocolException;
import io.switchyard.protocol.ResponseTracker;

/**
 * The response to the command a {@link BackendConnection} is running: gathers the raw bytes the
 * socket delivers, scans only their packet headers and the packets that steer the protocol
 * ({@link ResponseTracker}), and passes them on to the command's {@link ResponseSink} as they
 * arrive, status packets and result metadata apart when the sink asks for them.
 *
 * <p>Confined to the connection's event loop. Holds the bytes received and not yet relayed; the
 * connection releases them ({@link #releaseBytes}) when it closes.
 */
final class ResponseRelay {
    private final ResponseTracker tracker = new ResponseTracker();
    private ByteBuf cumulation;
    private ResponseSink sink;
    private ResponseSink flushPending;
    private boolean bytesRelayed;

    /** Starts relaying the response to {@code command} to {@code sink}. */
    void begin(Command command, long capabilities, boolean tracksSessionState, boolean cursor, ResponseSink sink) {
        this.sink = sink;
        this.bytesRelayed = false;
        tracker.begin(command, capabilities, tracksSessionState, cursor, sink.isolatesMetadata(),
                sink.expectsEofPackets());
    }

    /** The state of the running (or last) response. */
    ResponseTracker tracker() {
        return tracker;
    }

    /** The sink of the running command, or null when none runs. */
    ResponseSink sink() {
        return sink;
    }

    /** True once any byte of the running command's response went to its sink. */
    boolean bytesRelayed() {
        return bytesRelayed;
    }

    /** True when bytes received are waiting to be relayed. */
    boolean hasBytes() {
        return cumulation != null && cumulation.isReadable();
    }

    /** Adds bytes the socket delivered; takes ownership of {@code in}. */
    void cumulate(ByteBuf in, ByteBufAllocator alloc) {
        if (cumulation == null) {
            cumulation = in;
        } else {
            CompositeByteBuf composite = alloc.compositeBuffer(2);
            composite.addComponents(true, cumulation, in);
            cumulation = composite;
        }
    }

    /** After a read: drops the bytes relayed, keeping only those of a packet not yet complete. */
    void compact(ByteBufAllocator alloc) {
        if (cumulation == null) {
            return;
        }
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = null;
        } else if (cumulation.readerIndex() > 0) {
            ByteBuf rest = alloc.buffer(cumulation.readableBytes()).writeBytes(cumulation);
            cumulation.release();
            cumulation = rest;
        }
    }

    /** Releases the bytes received and not relayed (the connection closed). */
    void releaseBytes() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    /**
     * Relays what has arrived of the response. Returns true when the response is complete: the
     * caller then ends the command ({@link #finish}). Stops early when the server asks for a
     * local file, or when the connection failed during a call to the sink (the sink is gone).
     */
    boolean relay() {
        while (true) {
            int n = tracker.scan(cumulation);
            if (n > 0) {
                bytesRelayed = true;
                ByteBuf chunk = cumulation.readRetainedSlice(n);
                if (tracker.endedWithStatusPacket()) {
                    sink.responseStatusPacket(chunk);
                } else if (tracker.endedWithMetadata()) {
                    tracker.dropped(sink.responseMetadata(chunk, tracker.metadataColumns()));
                } else {
                    sink.responseBytes(chunk);
                }
                if (flushPending != null && flushPending != sink) {
                    // An earlier command's response ended in this read (its sink gets nothing more):
                    // flush it now, the slot is about to hold this command's sink.
                    flushPending.responseFlush();
                }
                flushPending = sink;
            }
            ResponseTracker.InsertedEof eof = tracker.eofToInsert();
            if (eof != null) {
                sink.responseEof(eof.sequenceId(), eof.warnings(), eof.statusFlags(), eof.from());
            }
            if (tracker.state() == ResponseTracker.State.LOCAL_INFILE) {
                sink.localInfileRequested();
                return false;
            }
            if (tracker.isDone()) {
                if (cumulation.isReadable()) {
                    throw new ProtocolException("backend sent bytes past the end of the response to " + tracker.command().label()
                            + ": " + ByteBufUtil.hexDump(cumulation, cumulation.readerIndex(), Math.min(64, cumulation.readableBytes())));
                }
                return true;
            }
            if ((n == 0 && eof == null) || sink == null) {
                return false;
            }
        }
    }

    /** Ends the command whose response is complete; returns its sink (still flushed when the read ends, {@link #readComplete}). */
    ResponseSink finish() {
        ResponseSink done = sink;
        sink = null;
        return done;
    }

    /** Ends the command whose connection failed; returns its sink, which is told nothing more. */
    ResponseSink abandon() {
        ResponseSink failed = sink;
        sink = null;
        flushPending = null;
        return failed;
    }

    /** The read ended: flushes the sink that received bytes in it. */
    void readComplete() {
        ResponseSink toFlush = flushPending;
        flushPending = null;
        if (toFlush != null) {
            toFlush.responseFlush();
        }
    }
}
