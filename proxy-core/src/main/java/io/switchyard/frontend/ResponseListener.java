package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.switchyard.backend.BackendConnection;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ResponseTracker;

/**
 * What the command handler that sent a request through {@link BackendSide#send} hears of the
 * backend's response: a statement with retries ({@link StatementRetries}) learns whether it ends
 * or runs again, prepared statements ({@link PreparedCommands}) what the reply means for them.
 * Every method has a do-nothing default.
 *
 * <p>Called on the session's event loop.
 */
interface ResponseListener {
    ResponseListener NONE = new ResponseListener() { };

    /** True when the client already has its answer (the statement timed out): the response is dropped. */
    default boolean answered() {
        return false;
    }

    /**
     * A chunk of the response to {@code command} on its way to the client, patched in place or
     * replaced (then released): returns what goes on.
     */
    default ByteBuf relaying(Command command, ByteBuf chunk) {
        return chunk;
    }

    /**
     * The column definitions a COM_STMT_EXECUTE's result starts with, as
     * {@link io.switchyard.protocol.ColumnDefinitions#framed}: true when the client, which
     * caches prepared statements' metadata, must get them (they are not what it holds); it then
     * holds them.
     */
    default boolean metadataChanged(byte[] definitions) {
        return true;
    }

    /**
     * The prepared statement the COM_STMT_EXECUTE being sent runs, when that execution may run
     * again in a transaction replay ({@link TransactionLog.Execution}); null otherwise.
     */
    default PreparedStatements.Statement recordableExecution() {
        return null;
    }

    /** The response to {@code command} ended on {@code connection}. */
    default void completed(Command command, BackendConnection connection, ResponseTracker tracker) {
    }

    /**
     * The connection failed before any of the response reached the client, inside a transaction
     * that runs again before the command: true when the command will run again (through
     * {@link BackendSide#onHostgroup}, which runs the transaction first).
     */
    default boolean retriedAfterTransaction(BackendConnection connection) {
        return false;
    }

    /** The connection failed before the response ended: true when the command runs again (the session waits). */
    default boolean retried(BackendConnection connection, boolean bytesRelayed) {
        return false;
    }

    /**
     * The connection failed before any of the response reached the client, under a command that
     * changes nothing on the server by itself: what sends it again once the loss is handled
     * ({@link ConnectionLoss#beforeCommand}), or null when it is not sent again.
     */
    default Runnable sendAgain(BackendConnection connection) {
        return null;
    }

    /** The command is over without a response (its connection failed, and it does not run again). */
    default void ended() {
    }
}
