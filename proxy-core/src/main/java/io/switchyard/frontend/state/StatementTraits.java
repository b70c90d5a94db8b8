package io.switchyard.frontend.state;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the proxy must decide about a statement from its text, before it runs: the session state
 * the server will not report (so it pins the session), whether what the server reports about it
 * can be trusted, what to read back afterwards, and whether it reads the result of the statement
 * before it. Everything the server does report (system variables, schema, transaction state) is
 * learned from its reply instead ({@link SessionStateTracker}).
 *
 * <p>Immutable; thread-safe.
 *
 * @param pins reasons the statement pins the session, whatever its outcome
 * @param trustedReports the server's reports about this statement are complete and final (plain
 *     statements and {@code SET}s of system variables; not stored programs, not
 *     {@code SET STATEMENT ... FOR}, not a {@code SET} whose value calls a function that might be
 *     stored code)
 * @param temporaryVariables {@code SET STATEMENT ... FOR}: the variables it reports are restored
 *     when the statement ends, so they are not session state
 * @param charset it may change the character-set variables; the server does not report
 *     {@code collation_connection} after {@code SET NAMES ... COLLATE}, so the group is read back
 * @param tracking it mentions the session-tracking variables; the server's report for it follows
 *     the client's new settings, so the variables it assigns are read back
 * @param assigned lower-case names of the system variables its {@code SET}s assign
 * @param readsPrevious it reads the result of the statement before it ({@code ROW_COUNT()},
 *     {@code FOUND_ROWS()}, {@code SHOW WARNINGS}, {@code @@warning_count}, ...)
 * @param keepsResult its result may be read by the next statement (writes for
 *     {@code ROW_COUNT()}, {@code SQL_CALC_FOUND_ROWS} for {@code FOUND_ROWS()})
 * @param setsLastInsertId it may change {@code LAST_INSERT_ID()} ({@code LAST_INSERT_ID(expr)})
 * @param namesCollation the collation its last {@code SET NAMES} or {@code SET CHARACTER SET}
 *     gives {@code character_set_client} and {@code character_set_results} (lower case), empty
 *     for their character set's default collation, null when it has none
 * @param readsTracking it reads the session-tracking settings
 * @param limited it has a {@code LIMIT}, {@code OFFSET} or {@code FETCH} clause: after its result
 *     set MariaDB's {@code FOUND_ROWS()} counts the rows the clause passed over as well as those
 *     returned
 * @param limitOffset for a single {@code SELECT} (no {@code UNION}, {@code INTERSECT} or
 *     {@code EXCEPT}) that ends with a {@code LIMIT}, {@code OFFSET} or {@code FETCH ... ONLY}
 *     clause giving its offset as a literal (its row count may be a prepared statement's
 *     parameter): the rows that clause skips (0 when it skips none). After such a result set of at
 *     least one row, {@code FOUND_ROWS()} is this offset plus the rows returned. -1 otherwise (an
 *     offset {@code ?}, {@code WITH TIES}, {@code ROWS EXAMINED}, a clause that is not the
 *     statement's last words but for a locking clause)
 * @param offsetParameter for such a {@code SELECT} whose offset is a prepared statement's
 *     parameter ({@code LIMIT ?, n}, {@code LIMIT n OFFSET ?}, {@code OFFSET ? ROWS}): that
 *     parameter's index (0 for the first {@code ?}); -1 otherwise. An execution that gives it
 *     a number knows its {@code limitOffset} ({@link #withLimitOffset})
 * @param globals lower-case names of the variables its {@code SET GLOBAL}s assign: what new
 *     sessions start with ({@code GlobalValues})
 * @param uninstallsPlugin it is an {@code UNINSTALL PLUGIN} or {@code UNINSTALL SONAME}, which
 *     the server defers while a prepared statement uses the plugin, so the statements the proxy
 *     keeps cached for no client are closed first
 * @param functions the stored functions it may call ({@link StoredFunctionCalls}), whose bodies
 *     may leave state the server does not report
 */
public record StatementTraits(
        Set<PinReason> pins,
        boolean trustedReports,
        boolean temporaryVariables,
        boolean charset,
        boolean tracking,
        java.util.List<String> assigned,
        boolean readsPrevious,
        boolean keepsResult,
        boolean setsLastInsertId,
        String namesCollation,
        boolean readsTracking,
        boolean limited,
        long limitOffset,
        int offsetParameter,
        java.util.List<String> globals,
        boolean uninstallsPlugin,
        java.util.List<StoredFunctionCalls.Call> functions) {

    /** A statement with no effect on the session beyond what the server reports (e.g. a plain SELECT). */
    public static final StatementTraits PLAIN = new StatementTraits(Set.of(), true, false, false, false, java.util.List.of(),
            false, false, false, null, false, false, -1, -1, java.util.List.of(), false, java.util.List.of());

    /** A plain SELECT with a {@code LIMIT}, {@code OFFSET} or {@code FETCH} clause whose offset is not known. */
    public static final StatementTraits PLAIN_LIMITED = plainLimited(-1);

    /** A plain SELECT with a {@code LIMIT}, {@code OFFSET} or {@code FETCH} clause that skips {@code offset} rows (-1: not known). */
    public static StatementTraits plainLimited(long offset) {
        return new StatementTraits(Set.of(), true, false, false, false, java.util.List.of(), false, false, false, null, false,
                true, offset, -1, java.util.List.of(), false, java.util.List.of());
    }

    public StatementTraits {
        pins = pins.isEmpty() ? Set.of() : Set.copyOf(pins);
        assigned = java.util.List.copyOf(assigned);
        globals = java.util.List.copyOf(globals);
        functions = java.util.List.copyOf(functions);
    }

    /** These traits for one execution that gave the offset parameter the number {@code offset}. */
    public StatementTraits withLimitOffset(long offset) {
        return new StatementTraits(pins, trustedReports, temporaryVariables, charset, tracking, assigned, readsPrevious, keepsResult,
                setsLastInsertId, namesCollation, readsTracking, limited, offset, -1, globals, uninstallsPlugin, functions);
    }

    /** Accumulates the traits of the statements of a multi-statement text. */
    static final class Builder {
        final EnumSet<PinReason> pins = EnumSet.noneOf(PinReason.class);
        boolean trustedReports = true;
        boolean temporaryVariables;
        boolean charset;
        boolean tracking;
        final Set<String> assigned = new LinkedHashSet<>();
        boolean readsPrevious;
        boolean keepsResult;
        boolean setsLastInsertId;
        String namesCollation;
        boolean readsTracking;
        boolean limited;
        long limitOffset = -1;
        int offsetParameter = -1;
        final Set<String> globals = new LinkedHashSet<>();
        boolean uninstallsPlugin;
        final java.util.List<StoredFunctionCalls.Call> functions = new java.util.ArrayList<>();

        StatementTraits build() {
            return new StatementTraits(pins, trustedReports, temporaryVariables, charset, tracking, java.util.List.copyOf(assigned),
                    readsPrevious, keepsResult, setsLastInsertId, namesCollation, readsTracking, limited,
                    limitOffset, offsetParameter, java.util.List.copyOf(globals), uninstallsPlugin, functions);
        }
    }
}
