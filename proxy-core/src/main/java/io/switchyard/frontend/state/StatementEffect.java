package io.switchyard.frontend.state;

import java.util.Set;

/**
 * What one client statement (or multi-statement text) does to its session, as decided by
 * {@link SessionStateTracker#onStatement} before the statement runs.
 *
 * <p>Immutable; safe to hand to another thread.
 *
 * @param state the session state after the statement
 * @param understood whether the tracker knows the statement's whole effect on session state (a
 *     plain {@code SELECT} has none; a {@code SET} it could not read is not understood and is
 *     kept in {@link SessionState#verbatimSets()} instead; a {@code CALL} is not understood)
 * @param replayedVerbatim whether the statement was added to the verbatim {@code SET}s
 * @param pins the reasons multiplexing stays suspended after this statement; empty when the
 *     connection may go back to the pool (subject to {@code keepConnectionForNextStatement})
 * @param keepConnectionForNextStatement the next statement must run on the same backend
 *     connection: after a write ({@code INSERT}, {@code REPLACE}, {@code UPDATE}, {@code DELETE},
 *     {@code LOAD}, {@code CALL}), so that {@code LAST_INSERT_ID()} / {@code ROW_COUNT()} see it,
 *     after {@code SQL_CALC_FOUND_ROWS} for {@code FOUND_ROWS()}, and after
 *     {@code SET TRANSACTION ...} without {@code SESSION}, which applies to the next
 *     transaction on that connection only
 * @param readsPreviousResult the statement calls {@code LAST_INSERT_ID()}, {@code ROW_COUNT()}
 *     or {@code FOUND_ROWS()}, so it must run on the connection of the statement before it
 */
public record StatementEffect(
        SessionState state,
        boolean understood,
        boolean replayedVerbatim,
        Set<PinReason> pins,
        boolean keepConnectionForNextStatement,
        boolean readsPreviousResult) {

    public StatementEffect {
        pins = Set.copyOf(pins);
    }

    /** Whether the session must keep its backend connection after this statement. */
    public boolean multiplexingSuspended() {
        return !pins.isEmpty();
    }
}
