package io.switchyard.backend;

import io.netty.buffer.ByteBuf;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProtocolException;
import io.switchyard.protocol.ResponseTracker;

/**
 * Receives the response to a command the proxy sends on its own behalf (reset, ping, schema
 * switch, session-state restore): drops the bytes and reports the outcome once.
 */
public final class InternalSink implements ResponseSink {

    /** Outcome of an internal command: both null on success. */
    @FunctionalInterface
    public interface Done {
        void done(ErrPacket error, Throwable failure);
    }

    private final Done done;

    public InternalSink(Done done) {
        this.done = done;
    }

    @Override
    public void responseBytes(ByteBuf bytes) {
        bytes.release();
    }

    @Override
    public void responseFlush() {
    }

    @Override
    public void localInfileRequested() {
        done.done(null, new ProtocolException("unexpected LOCAL INFILE request to an internal command"));
    }

    @Override
    public void responseComplete(BackendConnection connection, ResponseTracker tracker) {
        done.done(tracker.error(), null);
    }

    @Override
    public void backendFailed(BackendConnection connection, Throwable cause, boolean bytesRelayed) {
        done.done(null, cause);
    }
}
