package io.switchyard.backend;

import io.netty.buffer.ByteBuf;
import io.switchyard.protocol.ResponseTracker;

/**
 * Receives a backend's response to one command. Called on the backend connection's event loop,
 * which is also the client session's loop whenever the pool can arrange it.
 */
public interface ResponseSink {

    /** Response bytes, framed as the server sent them. The sink owns {@code bytes} and must write or release them. */
    void responseBytes(ByteBuf bytes);

    /**
     * One OK or EOF packet that ends a statement or a result, framed as the server sent it, to a
     * connection that tracks session state: the sink reads what changed and writes the packet as
     * its client negotiated it. The sink owns {@code packet}. By default it is relayed as it is.
     */
    default void responseStatusPacket(ByteBuf packet) {
        responseBytes(packet);
    }

    /**
     * True when each result's column count (and a COM_STMT_EXECUTE's first column definitions)
     * should reach {@link #responseMetadata} on its own.
     */
    default boolean isolatesMetadata() {
        return false;
    }

    /**
     * A result's column count, framed as the server sent it, followed by {@code columns} column
     * definitions (none except for a COM_STMT_EXECUTE's first result); only when
     * {@link #isolatesMetadata}. The sink owns {@code chunk}. Returns how many of its packets it
     * did not pass on (the sequence ids of the rest of the response move down by as many).
     */
    default int responseMetadata(ByteBuf chunk, int columns) {
        responseBytes(chunk);
        return 0;
    }

    /**
     * True when the client is served EOF packets (it did not negotiate CLIENT_DEPRECATE_EOF) while
     * the connection has CLIENT_DEPRECATE_EOF: the EOF packets the server leaves out come to
     * {@link #responseEof}, and the OK that ends each result, to {@link #responseStatusPacket},
     * is written as an EOF.
     */
    default boolean expectsEofPackets() {
        return false;
    }

    /**
     * An EOF packet the client expects where the server, under CLIENT_DEPRECATE_EOF, sent none:
     * after column definitions (only when {@link #expectsEofPackets}). {@code endOfResult} is the
     * payload of the OK that ends the result, its status and warnings taken from it, or null;
     * valid only during the call.
     */
    default void responseEof(int sequenceId, int warnings, int statusFlags, ByteBuf endOfResult) {
        throw new IllegalStateException("this sink takes the response as the server sends it");
    }

    /** The backend's current read burst ended: a good moment to flush. */
    void responseFlush();

    /** The server asked for a local file; the client's file packets go to {@link BackendConnection#forwardLocalInfile}. */
    void localInfileRequested();

    /** The response ended; {@code tracker} tells how (status flags, ERR, row counts). The connection is idle again. */
    void responseComplete(BackendConnection connection, ResponseTracker tracker);

    /**
     * The connection failed before the response ended. {@code bytesRelayed} tells whether any byte
     * of the response already reached the sink (if not, the command may be retried elsewhere).
     */
    void backendFailed(BackendConnection connection, Throwable cause, boolean bytesRelayed);
}
