package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.GlobalValues;
import io.switchyard.backend.InternalQuery;
import io.switchyard.backend.TrackingSettings;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.protocol.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * After a client statement that assigns global variables ({@code SET GLOBAL}), reads their global
 * values on the connection it ran on and records those that changed in the server's
 * {@link GlobalValues}, so that sessions that start afterwards get the new values and the
 * sessions already running keep theirs, whichever connections they use.
 *
 * <p>One {@code SELECT FOUND_ROWS(), ROW_COUNT(), @@GLOBAL.x, @@x, ...} (no table: it leaves the
 * statement's warnings). The value from before the change is the one the proxy recorded last;
 * for a variable it never saw change, it is the connection's session value, which is the global the session started with
 * unless the session set the variable itself (then it is not known). A variable whose session
 * value equals the new global either did not change or has no session value (a global-only
 * variable): nothing is recorded for it. The session-tracking settings are compared with those
 * the connection logged in with instead (its session has the proxy's own). A variable whose
 * session value a login takes from the global ({@link GlobalValues#loginOnly}) changed when the
 * new global differs from the connection's session value. Other variables the proxy cannot follow
 * ({@link GlobalValues#followable}) are left out.
 *
 * <p>Confined to the connection's event loop.
 */
final class GlobalChangeRead {
    private GlobalChangeRead() {
    }

    /**
     * Reads {@code names} on {@code c}, whose session {@code tracker} follows, records what
     * changed, then calls {@code then} with null, or with the failure when the connection broke.
     * On the {@code firstRead} after the client's statement, the tracker also learns the
     * {@code FOUND_ROWS()} and {@code ROW_COUNT()} the statement left.
     */
    static void run(BackendConnection c, List<String> names, SessionStateTracker tracker, boolean firstRead,
                    Consumer<Throwable> then) {
        List<String> read = names.stream().filter(GlobalValues::watchable).toList();
        if (read.isEmpty()) {
            then.accept(null);
            return;
        }
        StringBuilder sql = new StringBuilder(StateReadBack.PREVIOUS_RESULTS);
        for (String name : read) {
            sql.append(", @@GLOBAL.").append(name).append(", @@").append(name);
        }
        c.executeInternal(Command.QUERY, sql.toString(), new InternalQuery((row, err, failure) -> {
            if (failure != null) {
                then.accept(failure);
                return;
            }
            if (err == null && row != null && row.size() == 2 + 2 * read.size()) {
                if (firstRead) {
                    StateReadBack.previousResultsRead(row, tracker);
                }
                record(c, read, row.subList(2, row.size()), tracker.state());
            }
            then.accept(null);
        }));
    }

    /**
     * Reads on {@code c} the current globals of the variables the proxy follows, and records
     * those changed where it did not see it (directly on the server); then calls {@code then}
     * with null, or with the failure when the connection broke. Nothing is read while the proxy
     * follows none.
     */
    static void observe(BackendConnection c, Consumer<Throwable> then) {
        GlobalValues.Observation globals = c.globals().observation();
        if (globals.names().isEmpty()) {
            then.accept(null);
            return;
        }
        c.executeInternal(Command.QUERY, "SELECT 1" + globals.select(), new InternalQuery((row, err, failure) -> {
            if (failure == null && err == null && row != null) {
                c.globals().observed(globals.names(), row.subList(1, row.size()));
            }
            then.accept(failure);
        }));
    }

    private static void record(BackendConnection c, List<String> names, List<String> row, ConnectionState session) {
        GlobalValues globals = c.globals();
        List<GlobalValues.Change> changes = new ArrayList<>();
        java.util.Map<String, String> loginOnlyRead = new java.util.HashMap<>();
        boolean loginOnlyChange = false;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String global = row.get(2 * i);
            String sessionValue = row.get(2 * i + 1);
            GlobalValues.Value latest = globals.latest(name);
            if (GlobalValues.loginOnly(name)) {
                // The connection's session value is the global its login took.
                loginOnlyRead.put(name, global);
                loginOnlyChange |= !Objects.equals(sessionValue, global);
            } else if (GlobalValues.isTracking(name) && latest == null) {
                // The connection's own settings are the proxy's; its login read the globals.
                TrackingSettings loggedIn = c.baseline() == null ? null : c.baseline().tracking();
                if (loggedIn != null && !loggedIn.with(name, global).equals(loggedIn)) {
                    changes.add(new GlobalValues.Change(name, true, loggedIn.value(name), global));
                }
            } else if (latest != null) {
                GlobalValues.Change change = globals.changeTo(name, global);
                if (change != null) {
                    changes.add(change);
                }
            } else if (session.variables().containsKey(name)) {
                // A session variable (the server reported it), set by the session itself.
                changes.add(new GlobalValues.Change(name, false, null, global));
            } else if (!Objects.equals(sessionValue, global)) {
                changes.add(new GlobalValues.Change(name, true, sessionValue, global));
            }
        }
        if (!changes.isEmpty()) {
            globals.record(changes);
        }
        if (!loginOnlyRead.isEmpty()) {
            globals.loginOnlyRead(loginOnlyRead, loginOnlyChange);
        }
    }
}
