package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.ConnectionState;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.frontend.state.StoredFunctionCalls;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProxyError;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's own queries on the session's connection between two client statements.
 *
 * <ul>
 *   <li>After an execution the server refused before it ran (the prepare of its copy failed):
 *       reading a {@code FOUND_ROWS()} the proxy does not know ({@link #refused}).</li>
 *   <li>Before a statement: reading {@code LAST_INSERT_ID()} and the character sets while the connection still knows them
 *       ({@link #readBackFirst}), giving a statement that reads the session-tracking
 *       settings the client's own ({@link #withClientTracking}), and giving a statement that reads
 *       {@code FOUND_ROWS()} or {@code ROW_COUNT()} the values the last statement left
 *       ({@link #previousResultSetUp}).</li>
 *   <li>After a statement: reading back the state the server did not report
 *       ({@link StateReadBack}), recording changed globals ({@link GlobalChangeRead}), and putting
 *       back what the read-back replaced ({@link #afterStatement}).</li>
 * </ul>
 *
 * <p>A lost connection under any of them is handled as {@link ConnectionLoss#betweenStatements}
 * says.
 *
 * <p>Confined to the session's event loop.
 */
final class BetweenStatements {
    private static final Logger log = LoggerFactory.getLogger(BetweenStatements.class);

    private final SessionInfo info;
    private final StatementRouting routing;
    private final SessionControl session;
    private final BackendSide backend;
    private final ConnectionLoss loss;
    private final PreviousResults previousResults;
    /** Told the session's state on a connection once its character sets were read there ({@link PreparedStatements#charsetsRead}). */
    private BiConsumer<BackendConnection, ConnectionState> charsetsRead = (c, state) -> { };

    BetweenStatements(SessionInfo info, StatementRouting routing, SessionControl session, BackendSide backend, ConnectionLoss loss,
                      PreviousResults previousResults) {
        this.info = info;
        this.routing = routing;
        this.session = session;
        this.backend = backend;
        this.loss = loss;
        this.previousResults = previousResults;
    }

    /**
     * When the idle connection {@code c} knows what the session does not
     * ({@link SessionStateTracker#readBackBeforeNext}: {@code LAST_INSERT_ID()}, the character
     * sets), reads it before the next statement replaces the last one's results, so that any
     * connection the session moves to gets it, then runs {@code then}; true when it did. Not
     * before a statement that reads the last one's results: it runs on {@code c}, where they are.
     * The read, a {@code SELECT} of one row, replaces {@code FOUND_ROWS()}, which a statement
     * without a result set ({@code USE}, a write, a {@code SET}) leaves for the one after it: the
     * session's is given back first ({@link SessionStateTracker#foundRowsAfterReadBack}).
     */
    boolean readBackFirst(BackendConnection c, Runnable then) {
        SessionStateTracker tracker = routing.tracker();
        boolean charsets = tracker.charsetsUnread();
        if (!tracker.readBackPending() || tracker.traits().readsPrevious()) {
            // A statement runs before any read: statements prepared since stay as recorded.
            charsetsRead.accept(c, null);
            return false;
        }
        List<String> names = tracker.readBackBeforeNext();
        session.enter(SessionPhase.CONNECTING);
        StateReadBack.run(c, names, tracker, failure -> {
            if (session.closed()) {
                return;
            }
            if (failure != null) {
                if (loss.betweenStatements(c, failure)) {
                    return;
                }
            } else {
                c.sessionState(backend.carriedState());
                charsetsRead.accept(c, charsets ? tracker.state().withSchema(info.schema()) : null);
            }
            List<String> foundRows = failure == null && PreviousResultSetUp.supported(c) ? tracker.foundRowsAfterReadBack() : List.of();
            PreviousResultSetUp.run(c, foundRows, (err, lost) -> {
                if (session.closed() || (lost != null && loss.betweenStatements(c, lost))) {
                    return;
                }
                session.enter(SessionPhase.READY);
                then.run();
            });
        });
        return true;
    }

    /**
     * {@code restate} is told the session's state on a connection once {@link #readBackFirst}
     * read its character sets there, before a statement; null when a statement runs there
     * without that read.
     */
    void afterCharsetsRead(BiConsumer<BackendConnection, ConnectionState> restate) {
        this.charsetsRead = restate;
    }

    /**
     * The session's execution was refused before it ran on {@code c}: the proxy's prepare of the
     * statement's copy there failed, and the client has that error, as the server
     * gives it for the execution directly. What the session's view takes from it is a failed
     * statement's: {@code ROW_COUNT()} -1, and the error readable on {@code c}
     * ({@code SHOW WARNINGS}; the server keeps it across the {@code COM_INIT_DB} or {@code SET}
     * back), which keeps the session there for its next statement. A {@code FOUND_ROWS()} the
     * proxy does not know (after a cursor) is still the session's on the connection of the statement
     * that set it (the prepare, and a {@code COM_INIT_DB} or {@code SET}, leave it) and is read
     * there first, so that it can be given again with the -1 where the {@code COM_INIT_DB} left 0;
     * the read, a {@code SELECT} of one row, replaced it there, so it is given back at once (as
     * after every read of the proxy's), which a statement after it that leaves it (an
     * {@code EXECUTE} of a write, say) passes on. Then {@code then}.
     */
    void refused(BackendConnection c, Runnable then) {
        SessionStateTracker tracker = routing.tracker();
        Runnable failed = () -> {
            previousResults.refused(tracker);
            tracker.completed(true, 0);
        };
        if (!tracker.previousResultsUnknown() || !previousResults.foundRowsSetOn(c) || !c.isIdle()
                || !PreviousResultSetUp.supported(c)) {
            failed.run();
            then.run();
            return;
        }
        StateReadBack.run(c, List.of(), tracker, failure -> {
            if (session.closed() || (failure != null && loss.betweenStatements(c, failure))) {
                return;
            }
            failed.run();
            List<String> back = failure == null ? tracker.foundRowsAfterReadBack() : List.of();
            PreviousResultSetUp.run(c, back, (err, lost) -> {
                if (!session.closed() && (lost == null || !loss.betweenStatements(c, lost))) {
                    then.run();
                }
            });
        });
    }

    /**
     * {@code action} on the connection the session already holds: another connection than the
     * last statement's (borrowed since for a prepare, or for a statement that failed there) gets
     * that statement's results first.
     */
    Runnable onHeld(BackendConnection c, Runnable action, Consumer<ErrPacket> failed) {
        return withClientTracking(previousResults.ranOn(c) && !previousResults.foundRowsElsewhere(c) ? action
                : () -> previousResultSetUp(action, failed, true));
    }

    /**
     * {@code action}, preceded, when the statement reads the session-tracking settings, by giving
     * its connection the client's own settings, so that it reads them as it would directly (the
     * read-back after it turns full tracking on again).
     */
    Runnable withClientTracking(Runnable action) {
        return () -> {
            BackendConnection c = backend.connection();
            if (c == null || !c.isIdle() || !routing.tracker().readsClientTracking()) {
                action.run();
                return;
            }
            session.enter(SessionPhase.CONNECTING);
            c.executeInternal(Command.QUERY, routing.tracker().clientTracking().assignment(), (err, failure) -> {
                if (session.closed() || (failure != null && loss.betweenStatements(c, failure))) {
                    return;
                }
                // The SET replaced ROW_COUNT(): a statement that reads it too gets the session's
                // back where a statement can give it (0 or -1; not a write's count).
                PreviousResultSetUp.again(c, routing.tracker(), (setUpErr, lost) -> {
                    if (session.closed() || (lost != null && loss.betweenStatements(c, lost))) {
                        return;
                    }
                    session.enter(SessionPhase.READY);
                    action.run();
                });
            });
        };
    }

    /**
     * Before a statement that reads the last one's {@code FOUND_ROWS()} or {@code ROW_COUNT()}
     * runs, gives its connection the values the session's last statement left (MariaDB servers;
     * not when it is the connection that statement ran on and has carried nothing since but
     * prepares and statements that failed: they are there), then runs {@code then}. On a
     * connection the session {@code held}, only with statements that leave the warnings and
     * errors held there. A server error leaves the values as they are; a lost connection fails the
     * statement.
     */
    void previousResultSetUp(Runnable then, Consumer<ErrPacket> failed, boolean held) {
        BackendConnection c = backend.connection();
        List<String> setUp = !previousResults.heldBy(c) ? PreviousResultSetUp.statements(c, routing.tracker(), held)
                : previousResults.foundRowsElsewhere(c) ? PreviousResultSetUp.foundRows(c, routing.tracker()) : List.of();
        if (setUp.isEmpty()) {
            then.run();
            return;
        }
        if (held) {
            session.enter(SessionPhase.CONNECTING);
        }
        PreviousResultSetUp.run(c, setUp, (err, failure) -> {
            if (session.closed()) {
                return;
            }
            if (failure != null) {
                if (!held) {
                    backend.discard(c);
                } else if (loss.betweenStatements(c, failure)) {
                    return;
                }
                session.enter(SessionPhase.READY);
                failed.accept(ProxyError.BACKEND_LOST.format(c.address(), failure.getMessage()));
                session.drain();
                return;
            }
            if (err != null) {
                log.warn("session {}: could not set up the previous statement's results on {}: {}", info.id(), c.address(),
                        err.message());
            }
            if (held) {
                session.enter(SessionPhase.READY);
            }
            then.run();
        });
    }

    /**
     * After a client statement on {@code connection}: reads back the session variables in
     * {@code readBack}, and with {@code readResults} the {@code FOUND_ROWS()} and
     * {@code ROW_COUNT()} the session's statements left there, then records the {@code globals}
     * a {@code SET GLOBAL} changed (after which {@code globalsRecorded} runs), then reads the
     * bodies of the stored {@code functions} the session called ({@link StoredFunctionLookup}),
     * then puts back the {@code FOUND_ROWS()} and {@code ROW_COUNT()} the client's statement
     * left, which the reads replaced; then {@code finish}.
     */
    void afterStatement(BackendConnection connection, List<String> readBack, boolean readResults, List<String> globals,
                        List<StoredFunctionCalls.Call> functions, Runnable globalsRecorded, Runnable finish) {
        boolean read = readResults || !readBack.isEmpty();
        Consumer<Throwable> afterLookup = failure -> {
            if (session.closed()) {
                return;
            }
            if (failure != null && loss.betweenStatements(connection, failure)) {
                return;
            }
            // The read-back was a SELECT of one row: what FOUND_ROWS() and ROW_COUNT() read next
            // is put back as the client's statement left it.
            List<String> results = routing.tracker().resultsAfterReadBack(readResults || !functions.isEmpty());
            if (results.isEmpty() || failure != null) {
                finish.run();
                return;
            }
            PreviousResultSetUp.run(connection, results, (err, lost) -> {
                if (session.closed() || (lost != null && loss.betweenStatements(connection, lost))) {
                    return;
                }
                finish.run();
            });
        };
        Consumer<Throwable> afterReadBack = functions.isEmpty() ? afterLookup : failure -> {
            if (failure != null || session.closed()) {
                afterLookup.accept(failure);
                return;
            }
            StoredFunctionLookup.run(connection, functions, routing.tracker(), afterLookup);
        };
        Consumer<Throwable> afterState = globals.isEmpty() ? afterReadBack : failure -> {
            if (failure != null || session.closed()) {
                globalsRecorded.run();
                afterReadBack.accept(failure);
                return;
            }
            GlobalChangeRead.run(connection, globals, routing.tracker(), !read, readFailure -> {
                globalsRecorded.run();
                afterReadBack.accept(readFailure);
            });
        };
        if (!read) {
            afterState.accept(null);
        } else {
            StateReadBack.run(connection, readBack, routing.tracker(), afterState);
        }
    }
}
