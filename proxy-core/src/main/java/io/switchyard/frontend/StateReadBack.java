package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.InternalQuery;
import io.switchyard.frontend.state.PinReason;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.protocol.Command;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads session variables back from a backend connection after a client statement (and the
 * {@code FOUND_ROWS()} and {@code ROW_COUNT()} the statement left, which the read replaces), for
 * what the server's session tracking does not report completely (see
 * {@link SessionStateTracker#completed}), and turns full tracking on again after a statement
 * that changed it. Runs before the connection is given up or used again; the client already has
 * its reply.
 *
 * <p>Confined to the connection's event loop.
 */
final class StateReadBack {

    /**
     * The start of a read-back: a {@code SELECT} evaluates these before it replaces them, so they
     * read what the client's statement left ({@link SessionStateTracker#previousResultsRead}).
     */
    static final String PREVIOUS_RESULTS = "SELECT FOUND_ROWS(), ROW_COUNT()";

    private StateReadBack() {
    }

    /** Gives {@code tracker} the first two columns of a read-back that starts with {@link #PREVIOUS_RESULTS}. */
    static void previousResultsRead(List<String> row, SessionStateTracker tracker) {
        try {
            tracker.previousResultsRead(Long.parseUnsignedLong(row.get(0)), Long.parseLong(row.get(1)));
        } catch (NumberFormatException e) {
            // Not numbers: the values the proxy worked out stay.
        }
    }

    /**
     * Reads {@code names} on {@code c} into {@code tracker}, then calls {@code then} with null, or
     * with the failure when the connection broke. A value that cannot be read pins the session.
     */
    static void run(BackendConnection c, List<String> names, SessionStateTracker tracker, Consumer<Throwable> then) {
        StringBuilder sql = new StringBuilder(PREVIOUS_RESULTS);
        for (String name : names) {
            sql.append(", @@session.").append(name);
        }
        c.executeInternal(Command.QUERY, sql.toString(), new InternalQuery((row, err, failure) -> {
            if (failure != null) {
                then.accept(failure);
                return;
            }
            if (err != null || row == null || row.size() != names.size() + 2) {
                tracker.pin(PinReason.UNEXPLAINED_CHANGE);
            } else {
                previousResultsRead(row, tracker);
                tracker.readBack(names, row.subList(2, row.size()), c.baseline());
            }
            if (!tracker.restoresTracking(names)) {
                then.accept(null);
                return;
            }
            c.trackEverything((setErr, setFailure) -> {
                if (setErr != null) {
                    tracker.pin(PinReason.SESSION_TRACKING);
                }
                then.accept(setFailure);
            });
        }));
    }
}
