package io.switchyard.frontend;

import io.switchyard.protocol.ErrPacket;

/**
 * What the command handlers and the {@link BackendSide} may ask of the client session they
 * serve: answer the running command, move the session to another phase, go on with queued
 * commands, or end the client connection. Implemented by {@link SessionCommands}.
 *
 * <p>Called on the session's event loop only.
 */
interface SessionControl {

    SessionPhase phase();

    /** Moves the session to {@code next} (see {@link SessionPhase}). */
    void enter(SessionPhase next);

    default boolean closed() {
        return phase() == SessionPhase.CLOSED;
    }

    /** Answers the current command with OK ({@code err} null) or {@code err}, and flushes. */
    void reply(ErrPacket err);

    /** Answers the current command with {@code err} and closes the client connection: the session cannot go on. */
    void replyAndClose(ErrPacket err);

    /** Runs queued commands while the session is ready. */
    void drain();

    /** The current command is over: the session is ready and takes the next queued command. */
    default void resume() {
        enter(SessionPhase.READY);
        drain();
    }

    /** True when the client sent commands that have not run yet. */
    boolean commandsQueued();

    /** The server asked for a local file: the client's next packets go to the backend. */
    void localInfileRequested();

    /** Reads from the client may have to start or stop: the backend's writability changed. */
    void backendWritabilityChanged();

    /**
     * The backend connection that held the session's state was lost: the client connection
     * closes the way the server closed the backend's ({@code cause}: reset or in order).
     */
    void closeAsTheServerDid(Throwable cause);
}
