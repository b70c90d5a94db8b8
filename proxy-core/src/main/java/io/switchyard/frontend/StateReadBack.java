package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.InternalQuery;
import io.switchyard.frontend.state.PinReason;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.protocol.Command;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads session variables back from a backend connection after a client statement, for what the
 * server's session tracking does not report completely (see
 * {@link SessionStateTracker#completed}), and turns full tracking on again after a statement
 * that changed it. Runs before the connection is given up or used again; the client already has
 * its reply.
 *
 * <p>Confined to the connection's event loop.
 */
final class StateReadBack {

    private StateReadBack() {
    }

    /**
     * Reads {@code names} on {@code c} into {@code tracker}, then calls {@code then} with null, or
     * with the failure when the connection broke. A value that cannot be read pins the session.
     */
    static void run(BackendConnection c, List<String> names, SessionStateTracker tracker, Consumer<Throwable> then) {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < names.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("@@session.").append(names.get(i));
        }
        c.executeInternal(Command.QUERY, sql.toString(), new InternalQuery((row, err, failure) -> {
            if (failure != null) {
                then.accept(failure);
                return;
            }
            if (err != null || row == null || row.size() != names.size()) {
                tracker.pin(PinReason.UNEXPLAINED_CHANGE);
            } else {
                tracker.readBack(names, row, c.baseline());
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
