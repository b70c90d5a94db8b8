package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ResponseTracker;

/**
 * Where the server keeps the {@code FOUND_ROWS()} and {@code ROW_COUNT()} the session's last
 * statement left: the connection the statement ran on, while that connection has carried
 * nothing since but prepares (which leave both) and statements that failed before any result
 * (which leave {@code FOUND_ROWS()} and set {@code ROW_COUNT()} to -1, as the session's own view
 * of them does). Elsewhere they are set up before a statement that reads them
 * ({@link PreviousResultSetUp}). Each backend connection counts the commands it carried; the
 * count taken when the statement ended tells whether anything ran there since, the proxy's own
 * statements included.
 *
 * <p>Confined to the session's event loop.
 */
final class PreviousResults {
    /** The connection of the session's last statement. */
    private final Mark last = new Mark();
    private BackendConnection unread;
    /** The connection of the last statement that set {@code FOUND_ROWS()} (one that returned a result set, or several). */
    private final Mark foundRows = new Mark();

    /**
     * A client command's response ended on {@code c}: a statement's outcome goes to the session's
     * {@code tracker}, and its connection holds the values from now on (or, for a statement that
     * failed on another connection, no connection holds both).
     */
    void ended(Command command, BackendConnection c, ResponseTracker response, SessionStateTracker tracker) {
        if (command == Command.STMT_FETCH || command == Command.STMT_RESET) {
            // Rows of a cursor, or its reset: the values stay where they are.
            carriedOneMore(c);
            return;
        }
        // COM_INIT_DB counts as a statement: it sets ROW_COUNT() to 0 (-1 when it fails) and
        // leaves FOUND_ROWS(), as a statement without a result set does.
        if (!command.runsStatement() && command != Command.INIT_DB) {
            return;
        }
        // A text that failed after OKs that leave FOUND_ROWS() (SET ...; SET bad) leaves what a
        // statement that failed before any result leaves.
        if (response.error() != null && (response.resultSets() == 0
                || (response.resultSetsWithColumns() == 0 && tracker.textLeavesFoundRows()))) {
            foundRows.carriedOneMore(c);
            tracker.statementFailed();
            if (!last.carriedOneMore(c)) {
                last.clear();
                unread = null;
            }
            return;
        }
        boolean resultSet = response.resultSetsWithColumns() == 1;
        boolean one = response.error() == null && response.resultSets() == 1;
        // A result that leaves FOUND_ROWS() (a SHOW WARNINGS, a VALUES, ...) leaves the count where
        // it was, as a statement without a result set does, however its rows come (a cursor's too).
        boolean leaves = one && resultSet && tracker.resultLeavesFoundRows();
        boolean uncounted = !one || (response.cursorOpened() && !leaves);
        if (uncounted || (resultSet && !leaves)) {
            foundRows.at(c);
        } else {
            foundRows.carriedOneMore(c);
        }
        tracker.statementResult(uncounted, resultSet, response.rows(), response.affectedRows());
        if (tracker.previousResultsUnknownByLast()) {
            unread = c;
        } else if (resultSet || c != unread) {
            unread = null;
        }
        last.at(c);
    }

    /**
     * The session's statement was refused before it ran: the proxy's prepare of its copy failed
     * (see {@link BetweenStatements#refused}). As after a statement that failed, {@code ROW_COUNT()} is
     * -1; the connection's own may be the 0 of a {@code COM_INIT_DB} or {@code SET} the prepare
     * took there and back, so no connection is taken to hold the session's values.
     */
    void refused(SessionStateTracker tracker) {
        tracker.statementFailed();
        last.clear();
        unread = null;
    }

    /**
     * True when the session's statements left on {@code c} a {@code FOUND_ROWS()} or
     * {@code ROW_COUNT()} the proxy could not tell from their responses and has not read since
     * ({@code tracker} still does not know it): it is read there before the session may leave
     * {@code c}. An OK on the same connection keeps the unknown {@code FOUND_ROWS()}; a result
     * set or a statement elsewhere replaces it.
     */
    boolean unreadOn(BackendConnection c, SessionStateTracker tracker) {
        return c != null && c == unread && tracker.previousResultsUnknown();
    }

    /** A prepare ran on {@code c}: it leaves the values where they are. */
    void prepared(BackendConnection c) {
        carriedOneMore(c);
    }

    /**
     * True when the session's last statement ran on {@code c}, whatever ran there since: a
     * connection the session held all along has them as they are (the proxy's own reads put them
     * back; cursor fetches leave them).
     */
    boolean ranOn(BackendConnection c) {
        return c == last.on;
    }

    /**
     * True when the session's last statement ran on {@code c} but {@code c} may not hold the
     * session's {@code FOUND_ROWS()}: a statement without a result set (a write, a {@code SET})
     * ran on {@code c} after the last result set came from another connection, or from {@code c}
     * before something else ran there (another session, after the session gave it back; the
     * proxy's own statements). Such a statement leaves the connection's own count.
     */
    boolean foundRowsElsewhere(BackendConnection c) {
        return c == last.on && foundRows.on != null && !foundRows.heldBy(c);
    }

    /**
     * True when the session's last statement that set {@code FOUND_ROWS()} ran on {@code c},
     * whatever ran there since: for a count the proxy does not know, which the session reads
     * before it leaves a connection, {@code c} is where it is.
     */
    boolean foundRowsSetOn(BackendConnection c) {
        return c == foundRows.on;
    }

    /** True when {@code c} holds the values the session's last statement left. */
    boolean heldBy(BackendConnection c) {
        return last.heldBy(c);
    }

    /** Counts one more command of the session that left both values on {@code c}. */
    private void carriedOneMore(BackendConnection c) {
        last.carriedOneMore(c);
        foundRows.carriedOneMore(c);
    }

    /**
     * A connection that holds what a statement left, and its command count then: it still holds
     * it while only commands that leave it ran there since, each counted.
     */
    private static final class Mark {
        private BackendConnection on;
        private long uses;

        void at(BackendConnection c) {
            on = c;
            uses = c.uses();
        }

        void clear() {
            on = null;
        }

        boolean heldBy(BackendConnection c) {
            return c == on && c.uses() == uses;
        }

        /** Counts one more command that left the values on {@code c}; false when {@code c} did not hold them. */
        boolean carriedOneMore(BackendConnection c) {
            if (c == on && c.uses() == uses + 1) {
                uses++;
                return true;
            }
            return false;
        }
    }
}
