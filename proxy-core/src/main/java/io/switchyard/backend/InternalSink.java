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

    /** Outcome of an internal command with its whole reply: {@code reply} is null when the connection failed. */
    @FunctionalInterface
    public interface Replied {
        void replied(ResponseTracker reply, Throwable failure);
    }

    private final Replied replied;

    public InternalSink(Done done) {
        this.replied = (reply, failure) -> done.done(reply == null ? null : reply.error(), failure);
    }

    private InternalSink(Replied replied) {
        this.replied = replied;
    }

    /** A sink that hands over the reply's tracker (e.g. the statement id a COM_STMT_PREPARE got). */
    public static InternalSink withReply(Replied replied) {
        return new InternalSink(replied);
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
        replied.replied(null, new ProtocolException("unexpected LOCAL INFILE request to an internal command"));
    }

    @Override
    public void responseComplete(BackendConnection connection, ResponseTracker tracker) {
        replied.replied(tracker, null);
    }

    @Override
    public void backendFailed(BackendConnection connection, Throwable cause, boolean bytesRelayed) {
        replied.replied(null, cause);
    }
}
