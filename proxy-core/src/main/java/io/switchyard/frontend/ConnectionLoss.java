package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.ServerAddress;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ProxyError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a lost backend connection means for the session: under a command (the statement runs
 * again, the client gets an error, or the client connection closes as the server closed the
 * backend's), between statements (the transaction runs again before the next command, the client
 * connection closes, or nothing is lost), before a command took effect there (as between
 * statements, and the command starts over), and for the last statement's results that a next
 * statement may read.
 *
 * <p>The rule: when the session's state lived on the lost connection and cannot be rebuilt (a
 * transaction that cannot run again, temporary tables, locks, variables that pin the session, or
 * multiplexing off), the client connection is closed as the server closed the backend's, so the
 * client's library reports the loss itself and nothing runs without the state it relied on.
 *
 * <p>Confined to the session's event loop.
 */
final class ConnectionLoss {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLoss.class);

    private final SessionInfo info;
    private final StatementRouting routing;
    private final SessionControl session;
    private final TransactionContinuity continuity;
    private final BackendSide backend;
    /** The server whose connection held the last statement's results when it was lost; null when none was. */
    private ServerAddress previousResultLostOn;

    ConnectionLoss(SessionInfo info, StatementRouting routing, SessionControl session, TransactionContinuity continuity,
                   BackendSide backend) {
        this.info = info;
        this.routing = routing;
        this.session = session;
        this.continuity = continuity;
        this.backend = backend;
    }

    /**
     * The server whose connection held the last statement's results when it was lost, once: a
     * statement that reads those results gets an error instead of a fresh connection's values.
     * Null when they were not lost.
     */
    ServerAddress takePreviousResultLost() {
        ServerAddress lost = previousResultLostOn;
        previousResultLostOn = null;
        return lost;
    }

    /**
     * The connection {@code command} ran on failed before its response ended. Inside a
     * transaction that can run again (or as the first statement of one), the transaction and the
     * statement run again; a statement the client has no answer to yet may run again elsewhere
     * ({@link ResponseListener#retried}); otherwise the client gets an error, or its connection is
     * closed when part of the result was already sent or the session's state was there.
     */
    void duringCommand(BackendConnection connection, Command command, Throwable cause, boolean bytesRelayed) {
        log.info("session {}: backend connection {} to {} failed during {}: {}", info.id(), connection.id(),
                connection.address(), command.label(), cause.toString());
        backend.discard(connection);
        ResponseListener failed = backend.takeListener();
        Runnable again = bytesRelayed || failed.answered() ? null : failed.sendAgain(connection);
        if (again != null) {
            if (backend.failedBeforeSending(connection, cause)) {
                again.run();
            }
            return;
        }
        // Inside a transaction that can run again, or as the first statement of one (autocommit off:
        // nothing committed, the transaction it started ended with the connection).
        boolean transactionLost = continuity.transactionReplayable();
        boolean firstOfTransaction = !continuity.inTransaction() && routing.startedBetweenTransactionsWithAutocommitOff();
        boolean mayRunAgain = transactionLost ? routing.statementMayRunAgainInTransaction()
                : routing.statementMayRunAgainOutsideTransaction();
        if (!bytesRelayed && continuity.replayOn() && (transactionLost || firstOfTransaction) && continuity.transactionLog().pendingRecorded()
                && mayRunAgain && (command == Command.QUERY || command == Command.STMT_EXECUTE) && !failed.answered()) {
            if (transactionLost) {
                continuity.replayBeforeNextCommand();
            }
            if (failed.retriedAfterTransaction(connection)) {
                return;
            }
            continuity.takeReplayPending();
        }
        if (failed.retried(connection, bytesRelayed)) {
            return;
        }
        boolean answered = failed.answered();
        failed.ended();
        if (answered) {
            session.resume();
            return;
        }
        backend.recordStatement(ProxyError.BACKEND_LOST.code, 0, 0);
        if (bytesRelayed || backend.tiedToServer()) {
            log.info("session {}: closing the client connection: {}", info.id(), bytesRelayed
                    ? "part of the result was already sent" : "the state it kept on " + connection.address() + " is gone"
                    + whyTransactionLost(transactionLost, mayRunAgain));
            session.closeAsTheServerDid(cause);
            return;
        }
        previousResultLostOn = connection.address();
        session.enter(SessionPhase.READY);
        session.reply(ProxyError.BACKEND_LOST.format(connection.address(), cause.getMessage()));
        session.drain();
    }

    /** Why an open transaction did not run again on another connection, for the log; empty when none was open. */
    private String whyTransactionLost(boolean replayable, boolean statementMayRunAgain) {
        if (!continuity.inTransaction()) {
            return "";
        }
        if (!continuity.replayOn()) {
            return " (in a transaction; mysql-transaction_replay is off)";
        }
        if (!replayable) {
            return " (in a transaction that cannot run again)";
        }
        return statementMayRunAgain ? " (in a transaction; the statement cannot run again)"
                : " (in a transaction; the statement may have ended it)";
    }

    /**
     * {@code c} failed before {@code command} ran there: the proxy's own work before sending it
     * failed, or the command changes nothing on the server by itself (a COM_STMT_PREPARE) and
     * none of its reply reached the client. The loss is then that of a connection between
     * statements ({@link #betweenStatements}: the transaction runs again first when it can, the
     * client connection closes when state it relied on was there), and the last statement's
     * results held there are lost as in {@link #whileHeld}. True when the client connection was
     * closed; otherwise the command starts over.
     */
    boolean beforeCommand(BackendConnection c, Command command, Throwable cause) {
        if (betweenStatements(c, cause)) {
            return true;
        }
        log.info("session {}: backend connection {} to {} failed before {} took effect there ({}): it starts over", info.id(), c.id(),
                c.address(), command.label(), cause.toString());
        if (!backend.tiedToServer()) {
            previousResultLostOn = c.address();
        }
        return false;
    }

    /**
     * A connection the session held between statements closed (its server went away or
     * {@code OFFLINE_HARD}). If the session held it because state lives there, the client
     * connection is closed as the server closed it, unless the transaction can run again on
     * another connection before the next command. If it held it only for the last statement's
     * results, the session goes on, and a statement that reads those results gets an error
     * instead of a fresh connection's values.
     */
    void whileHeld(BackendConnection connection, Throwable cause) {
        if (continuity.replayOn() && continuity.transactionReplayable()) {
            // The transaction runs again on another connection before the session's next command.
            log.info("session {}: backend connection {} to {} closed during a transaction ({}); it runs again before the next statement",
                    info.id(), connection.id(), connection.address(), cause.getMessage());
            backend.discard(connection);
            continuity.replayBeforeNextCommand();
            return;
        }
        if (!backend.tiedToServer() || routing.startedBetweenTransactionsWithAutocommitOff()) {
            // Held only for the last statement's results (LAST_INSERT_ID(), ROW_COUNT(), warnings),
            // or the first statement of a transaction with autocommit off: the next statement runs
            // on another connection, brought to the session's state.
            backend.discard(connection);
            previousResultLostOn = connection.address();
            return;
        }
        log.info("session {}: closing the client connection: backend connection {} to {}, which held its state, closed: {}",
                info.id(), connection.id(), connection.address(), cause.getMessage());
        session.closeAsTheServerDid(cause);
    }

    /**
     * True when the connection holding the session's state is closing but its close has not
     * reached the session yet (a command arrived first): it is handled now as that close would
     * be ({@link #betweenStatements}), so that the command never runs on another connection
     * without the state. False when there is nothing to handle; after true the connection is
     * gone, and the caller starts over unless that closed the session.
     */
    boolean heldConnectionClosing() {
        BackendConnection held = backend.connection();
        if (held == null || held.isIdle() || session.phase() == SessionPhase.BUSY || !backend.tiedToServer()
                || routing.betweenTransactionsWithAutocommitOff()) {
            return false;
        }
        betweenStatements(held, new java.nio.channels.ClosedChannelException());
        return true;
    }

    /**
     * The session's connection failed under a query the proxy ran between statements (reading
     * state back, setting it up): it is dropped. When the session's state lived there, the
     * transaction runs again before the next statement when it can
     * ({@code mysql-transaction_replay}), or the client connection is closed as the server closed
     * the backend's; true when it was closed.
     */
    boolean betweenStatements(BackendConnection c, Throwable failure) {
        backend.discard(c);
        if (!backend.tiedToServer() || routing.betweenTransactionsWithAutocommitOff()) {
            return false;
        }
        if (continuity.replayOn() && continuity.transactionReplayable()) {
            continuity.replayBeforeNextCommand();
            return false;
        }
        log.info("session {}: closing the client connection: backend connection {} to {}, which held its state, failed: {}",
                info.id(), c.id(), c.address(), failure.getMessage());
        session.closeAsTheServerDid(failure);
        return true;
    }
}
