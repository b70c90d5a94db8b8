package io.switchyard.backend;

import io.switchyard.protocol.Command;
import io.switchyard.protocol.ProtocolException;
import io.switchyard.protocol.ResponseTracker;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The commands that bring a backend connection's session to a state the proxy knows: after login
 * (read the {@link SessionBaseline} and the globals the proxy follows ({@link GlobalValues}),
 * then turn on every session tracker), after
 * COM_RESET_CONNECTION (which turns the trackers off), and the pool's reset before a connection
 * serves another session.
 *
 * <p>Stateless; each method must be called on the connection's event loop, with the connection
 * idle.
 */
final class SessionSetup {

    private SessionSetup() {
    }

    /** Reads the baseline and turns on tracking; {@code done} gets the baseline, or the failure. */
    static void afterLogin(BackendConnection c, BiConsumer<SessionBaseline, Throwable> done) {
        GlobalValues.Observation globals = c.globals().observation();
        c.executeInternal(Command.QUERY, SessionBaseline.QUERY + globals.select(), new InternalQuery((row, err, failure) -> {
            if (failure != null || err != null || row == null || row.size() < 10) {
                done.accept(null, failure != null ? failure
                        : new ProtocolException("cannot read the session baseline: " + (err != null ? err : "no row")));
                return;
            }
            SessionBaseline baseline = SessionBaseline.fromRow(row);
            c.globals().observed(globals.names(), row.subList(10, row.size()));
            c.sessionState(ConnectionState.initial(c.schema()));
            trackEverything(c, (setErr, setFailure) -> {
                if (setErr != null || setFailure != null) {
                    done.accept(null, setFailure != null ? setFailure
                            : new ProtocolException("cannot turn on session tracking: " + setErr));
                } else {
                    done.accept(baseline, null);
                }
            });
        }));
    }

    /**
     * After a COM_RESET_CONNECTION that succeeded on a connection that tracks session state: the
     * reset turned the trackers off, so they are turned on again before anyone uses the
     * connection; then {@code done} hears that the reset completed with status {@code flags}. When
     * they cannot be turned on, the connection fails and {@code done} is told so.
     */
    static void afterReset(BackendConnection c, int flags, ResponseSink done) {
        trackEverything(c, (err, failure) -> {
            if (failure == null && err == null) {
                done.responseComplete(c, ResponseTracker.completed(Command.RESET_CONNECTION, flags));
                return;
            }
            Throwable cause = failure != null ? failure : new ProtocolException("cannot turn on session tracking after a reset: " + err);
            c.fail(cause);
            done.backendFailed(c, cause, true);
        });
    }

    /** Turns on every session tracker (after login, and after each COM_RESET_CONNECTION, which turns them off). */
    static void trackEverything(BackendConnection c, InternalSink.Done done) {
        c.executeInternal(Command.QUERY, SessionBaseline.TRACK_EVERYTHING, done);
    }

    /**
     * The pool's reset before the connection serves another session: COM_RESET_CONNECTION, then
     * the schema it is left in (and the globals the proxy follows) is read (a session whose state was not followed, a pinned one, may
     * have left it anywhere) and selected again (the reset also sets character_set_database to the
     * server's default, whatever the schema's). {@code done} gets true when the connection is
     * ready, false when it must be closed.
     */
    static void resetForPool(BackendConnection c, Consumer<Boolean> done) {
        c.executeInternal(Command.RESET_CONNECTION, null, (err, failure) -> {
            if (err != null || failure != null) {
                done.accept(false);
                return;
            }
            GlobalValues.Observation globals = c.globals().observation();
            c.executeInternal(Command.QUERY, "SELECT DATABASE()" + globals.select(), new InternalQuery((row, queryErr, queryFailure) -> {
                if (queryErr != null || queryFailure != null || row == null) {
                    done.accept(false);
                    return;
                }
                c.globals().observed(globals.names(), row.subList(1, row.size()));
                String schema = row.get(0);
                c.schema(schema);
                c.sessionState(c.baseline() == null ? null : c.baseline().afterReset(schema));
                c.statements(null);
                if (schema == null) {
                    done.accept(true);
                    return;
                }
                c.executeInternal(Command.INIT_DB, schema,
                        (dbErr, dbFailure) -> done.accept(dbErr == null && dbFailure == null));
            }));
        });
    }
}
