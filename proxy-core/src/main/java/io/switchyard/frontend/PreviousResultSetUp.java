package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Gives a connection the session has just borrowed the {@code FOUND_ROWS()} and
 * {@code ROW_COUNT()} the session's last statement left on another, before a statement that reads
 * them runs there ({@link SessionStateTracker#previousResultSetUp}). MariaDB servers only: the
 * statements use MariaDB's syntax.
 *
 * <p>Confined to the connection's event loop.
 */
final class PreviousResultSetUp {

    private PreviousResultSetUp() {
    }

    /**
     * The statements to run on {@code c} first; empty when the statement reads no previous result,
     * or the values are not known. On a connection the session {@code held} (where its warnings
     * and errors are), only statements that leave those.
     */
    static List<String> statements(BackendConnection c, SessionStateTracker tracker, boolean held) {
        if (!tracker.mayUsePreviousResults() || c == null || !supported(c)) {
            return List.of();
        }
        return held ? tracker.previousResultSetUpKeepingDiagnostics() : tracker.previousResultSetUp();
    }

    /**
     * For a statement that reads the previous results on {@code c}, which has the session's
     * {@code ROW_COUNT()} but not its {@code FOUND_ROWS()}: what gives it that
     * ({@link SessionStateTracker#foundRowsSetUp}).
     */
    static List<String> foundRows(BackendConnection c, SessionStateTracker tracker) {
        if (!tracker.mayUsePreviousResults() || c == null || !supported(c)) {
            return List.of();
        }
        return tracker.foundRowsSetUp();
    }

    /** True when {@code c}'s server takes the set-up statements: MariaDB (MySQL says CLIENT_MYSQL). */
    static boolean supported(BackendConnection c) {
        return !Capability.has(c.serverHandshake().capabilities(), Capability.CLIENT_MYSQL);
    }

    /**
     * On {@code c}, the connection the session holds, after a statement of the proxy's own that
     * set {@code ROW_COUNT()} to 0 (a {@code SET}, a {@code COM_INIT_DB}): gives it back the
     * values the session's last statement left, where the running statement reads them and a
     * statement can give them ({@link #statements}, keeping the warnings held), then calls
     * {@code done} as {@link #run} does.
     */
    static void again(BackendConnection c, SessionStateTracker tracker, BiConsumer<ErrPacket, Throwable> done) {
        run(c, statements(c, tracker, true), done);
    }

    /**
     * Runs {@code statements} on {@code c} in order, then calls {@code done} once: with nulls when
     * all ran, with the server's error (the rest are not run), or with the connection's failure.
     */
    static void run(BackendConnection c, List<String> statements, BiConsumer<ErrPacket, Throwable> done) {
        run(c, statements, 0, done);
    }

    private static void run(BackendConnection c, List<String> statements, int next, BiConsumer<ErrPacket, Throwable> done) {
        if (next == statements.size()) {
            done.accept(null, null);
            return;
        }
        c.executeInternal(Command.QUERY, statements.get(next), (err, failure) -> {
            if (err != null || failure != null) {
                done.accept(err, failure);
            } else {
                run(c, statements, next + 1, done);
            }
        });
    }
}
