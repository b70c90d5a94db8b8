package io.switchyard.frontend.state;

import java.util.List;

/**
 * What {@code FOUND_ROWS()} and {@code ROW_COUNT()} return after a session's last statement, when
 * known exactly, and the statements that give another connection those values (MariaDB syntax).
 *
 * <p>Worked out from what each statement returned ({@link #ended}, {@link #failed}), and replaced
 * by what the server says whenever the proxy reads them ({@link #read}): a statement's response
 * cannot show, for instance, that a {@code SHOW WARNINGS} leaves {@code FOUND_ROWS()} as it was.
 *
 * <p>Not thread-safe: part of one session's {@link SessionStateTracker}.
 */
final class LastResults {
    /** Sets {@code ROW_COUNT()} to -1 and {@code FOUND_ROWS()} to 0. */
    private static final String NO_ROWS = "SELECT 1 FROM DUAL WHERE 0";
    /** Sets {@code ROW_COUNT()} to 0 and leaves {@code FOUND_ROWS()}. */
    private static final String ROW_COUNT_ZERO = "DO 0";
    /**
     * Up to this many rows, a set-up gives {@code FOUND_ROWS()} with a {@code SELECT} of that many
     * rows and no table ({@code SELECT 1 UNION ALL SELECT 1 ...}), which leaves the warnings and
     * errors held (checked on 10.11); above it, with a recursive query, which clears them.
     */
    static final int MAX_ROWS_WITHOUT_TABLE = 100;
    /**
     * Up to this many rows, a set-up beyond {@link #MAX_ROWS_WITHOUT_TABLE} gives
     * {@code FOUND_ROWS()} with a recursive query (about 0.5 s for a million rows on 10.11), which
     * needs no database; above it, with a query of MariaDB's sequence engine in the session's
     * database (a {@code seq_1_to_N} table, about 30 ms for a million rows, 2 s for a hundred
     * million), which needs one selected and readable, else none is given.
     */
    static final long MAX_RECURSIVE_FOUND_ROWS = 1_000_000;
    private static final long UNKNOWN = Long.MIN_VALUE;

    private long foundRows = UNKNOWN;
    private long rowCount = UNKNOWN;
    private boolean unknownByLast;

    /**
     * The values the session's last statement left, as the proxy's read-back read them on its
     * connection before replacing them (its {@code SELECT} evaluates them first).
     */
    void read(long found, long count) {
        unknownByLast = false;
        foundRows = found;
        rowCount = count;
    }

    /**
     * The statement failed before any result: the server leaves {@code FOUND_ROWS()} as it was
     * and sets {@code ROW_COUNT()} to -1 (MariaDB 10.11).
     */
    void failed() {
        unknownByLast = false;
        rowCount = -1;
    }

    /**
     * What a statement (a {@code COM_QUERY} or {@code COM_STMT_EXECUTE}) of the given
     * {@code traits} returned: an error, several results or a cursor ({@code uncounted}), one
     * result set of {@code rows} rows, or an OK. After one result set, the rows it returned and
     * -1; after an OK, the affected rows ({@code FOUND_ROWS()} stays). Unknown after an error,
     * several results, a cursor (its rows come later), {@code SQL_CALC_FOUND_ROWS} (the server
     * does not say its count) or a write returning rows. After a result set limited by a
     * {@code LIMIT}, {@code OFFSET} or {@code FETCH} clause MariaDB counts the rows the clause
     * passed over too: when the statement ends with the clause and gives its offset as a number
     * ({@link StatementTraits#limitOffset}) and a row came back, that is the offset plus the rows
     * returned (3 after {@code LIMIT 2, 1}); with no row back and no offset, 0 (no row matched,
     * or {@code LIMIT 0}); otherwise {@code FOUND_ROWS()} is unknown (with no row returned an
     * offset may lie beyond the last row, and the count is then every row there was). It is
     * unknown too where it is not what the response shows ({@code shown} false:
     * {@link FoundRowsCount}).
     */
    void ended(StatementTraits traits, boolean uncounted, boolean resultSet, long rows, long affectedRows, boolean shown) {
        if (uncounted || (resultSet && traits.keepsResult())) {
            foundRows = UNKNOWN;
            rowCount = UNKNOWN;
        } else if (!shown) {
            foundRows = UNKNOWN;
            rowCount = resultSet ? -1 : affectedRows;
        } else if (resultSet && traits.limited()) {
            long offset = traits.limitOffset();
            foundRows = offset >= 0 && rows > 0 ? offset + rows : offset == 0 ? 0 : UNKNOWN;
            rowCount = -1;
        } else if (resultSet) {
            foundRows = rows;
            rowCount = -1;
        } else {
            rowCount = affectedRows;
            unknownByLast = false;
            return;
        }
        unknownByLast = foundRows == UNKNOWN;
    }

    /**
     * A statement whose result set leaves the count returned its rows ({@link FoundRowsCount#leftByResult}):
     * {@code FOUND_ROWS()} stays what it was, {@code ROW_COUNT()} is -1.
     */
    void countLeftByResult() {
        rowCount = -1;
        unknownByLast = false;
    }

    /** True when {@code FOUND_ROWS()} is known. */
    boolean foundRowsKnown() {
        return foundRows != UNKNOWN;
    }

    /**
     * True when the session's last statement left {@code FOUND_ROWS()} or {@code ROW_COUNT()} at
     * values its response does not show; they are known again once read ({@link #read}).
     */
    boolean unknownByLast() {
        return unknownByLast;
    }

    /** True when the last statement left a {@code ROW_COUNT()} above 0, which only a write gives a connection. */
    boolean rowsChanged() {
        return rowCount != UNKNOWN && rowCount > 0;
    }

    /** True when {@code FOUND_ROWS()} or {@code ROW_COUNT()} is not known. */
    boolean unknown() {
        return foundRows == UNKNOWN || rowCount == UNKNOWN;
    }

    /** The session was reset: nothing is known. */
    void forget() {
        unknownByLast = false;
        foundRows = UNKNOWN;
        rowCount = UNKNOWN;
    }

    /**
     * Statements that give a connection the values the session's last statement left on another,
     * run just before a statement that reads them on a connection the session did not hold since;
     * empty when they are not known exactly. A query returning that many rows sets
     * {@code FOUND_ROWS()} (and {@code ROW_COUNT()} to -1; {@link #MAX_ROWS_WITHOUT_TABLE});
     * {@code DO 0} then sets {@code ROW_COUNT()} to 0 and leaves {@code FOUND_ROWS()}.
     * {@code DO 0}, {@code SELECT 1 FROM DUAL WHERE 0} and the query without a table leave the
     * warnings and errors held; with {@code diagnosticsHeld}, none is given when the query would
     * need a table. When only {@code ROW_COUNT()} is known (after a {@code LIMIT}), it alone is
     * given: 0 with {@code DO 0}; -1 with {@code SELECT 1 FROM DUAL WHERE 0}, which also sets
     * {@code FOUND_ROWS()} to 0, so only for a statement that does not read that
     * ({@code readsFoundRows}: the connection may hold the right one). For a statement that does
     * not read {@code ROW_COUNT()}, {@link #foundRowsSetUp} alone.
     */
    List<String> setUp(boolean diagnosticsHeld, boolean inDatabase, boolean readsRowCount, boolean readsFoundRows) {
        if (!readsRowCount) {
            return foundRowsSetUp(diagnosticsHeld, inDatabase);
        }
        if (rowCount == UNKNOWN || rowCount > 0) {
            return List.of();
        }
        if (!foundRowsGivable(inDatabase)) {
            // ROW_COUNT() alone: -1 comes with a SELECT, which sets FOUND_ROWS() (to 0), so not
            // for a statement that reads that too; 0 with a DO, which leaves it.
            return rowCount == 0 ? List.of(ROW_COUNT_ZERO) : readsFoundRows ? List.of() : List.of(NO_ROWS);
        }
        List<String> rows = foundRowsSetUp(diagnosticsHeld, inDatabase);
        if (rows.isEmpty()) {
            return List.of();
        }
        return rowCount == -1 ? rows : List.of(rows.get(0), ROW_COUNT_ZERO);
    }

    /** True when {@code FOUND_ROWS()} is known and a query can give it: see {@link #MAX_RECURSIVE_FOUND_ROWS}. */
    private boolean foundRowsGivable(boolean inDatabase) {
        return foundRows != UNKNOWN && (foundRows <= MAX_RECURSIVE_FOUND_ROWS || inDatabase);
    }

    /**
     * The query that gives a connection the session's {@code FOUND_ROWS()} (and sets
     * {@code ROW_COUNT()} to -1), for a statement that does not read {@code ROW_COUNT()}; none
     * when the count is not known, above {@link #MAX_RECURSIVE_FOUND_ROWS} with no database
     * selected ({@code inDatabase} false), or would need a table while {@code diagnosticsHeld}.
     * The queries with a table run without the session's {@code max_statement_time}.
     */
    List<String> foundRowsSetUp(boolean diagnosticsHeld, boolean inDatabase) {
        if (!foundRowsGivable(inDatabase) || (foundRows > MAX_ROWS_WITHOUT_TABLE && diagnosticsHeld)) {
            return List.of();
        }
        return List.of(foundRows == 0 ? NO_ROWS
                // The LIMIT keeps the session's sql_select_limit from cutting the rows short.
                : foundRows <= MAX_ROWS_WITHOUT_TABLE ? "SELECT 1" + " UNION ALL SELECT 1".repeat((int) foundRows - 1) + " LIMIT " + foundRows
                : foundRows <= MAX_RECURSIVE_FOUND_ROWS ? "SET STATEMENT max_recursive_iterations = 4294967295, max_statement_time = 0 FOR "
                        + "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < " + foundRows
                        + ") SELECT SQL_CALC_FOUND_ROWS k FROM r LIMIT 0"
                : "SET STATEMENT max_statement_time = 0 FOR SELECT SQL_CALC_FOUND_ROWS seq FROM seq_1_to_" + foundRows + " LIMIT 0");
    }

    /** {@link #foundRowsSetUp}, on the connection where the proxy just read one row (which left {@code FOUND_ROWS()} at 1). */
    List<String> foundRowsAfterOneRowRead(boolean diagnosticsHeld, boolean inDatabase) {
        return foundRows == 1 ? List.of() : foundRowsSetUp(diagnosticsHeld, inDatabase);
    }

    /**
     * The same, on the connection where the proxy just read one row (which left
     * {@code FOUND_ROWS()} at 1 and {@code ROW_COUNT()} at -1): only what differs from that.
     */
    List<String> afterOneRowRead(boolean diagnosticsHeld, boolean inDatabase) {
        List<String> setUp = setUp(diagnosticsHeld, inDatabase, true, true);
        if (foundRows == 1 && !setUp.isEmpty()) {
            return rowCount == -1 ? List.of() : List.of(ROW_COUNT_ZERO);
        }
        return setUp;
    }
}
