package io.switchyard.frontend.state;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code LIMIT}, {@code OFFSET} or {@code FETCH ... ONLY} clause a single {@code SELECT}
 * ends with, read from its text: after a result set of at least one row MariaDB's
 * {@code FOUND_ROWS()} is the rows the clause skipped plus the rows returned, so the offset is
 * what the proxy needs to give another connection that count ({@link StatementTraits#limitOffset},
 * {@link StatementTraits#offsetParameter}).
 *
 * <p>Stateless and thread-safe.
 */
final class LimitClause {
    /** A locking clause, which may follow the limit without changing what it counts. */
    private static final String LOCKING = "(?:\\s+(?:FOR\\s+UPDATE|LOCK\\s+IN\\s+SHARE\\s+MODE)"
            + "(?:\\s+(?:NOWAIT|SKIP\\s+LOCKED|WAIT\\s+\\d+))?)?";
    /**
     * A statement's last words when they are a {@code LIMIT}, {@code OFFSET} or
     * {@code FETCH ... ONLY} clause of numbers, perhaps followed by a locking clause; the offset
     * is group 1, 2 or 3 (none: the clause skips no row). Read only in the text's last
     * {@link #LIMIT_TAIL} characters.
     */
    private static final Pattern FINAL_LIMIT = Pattern.compile("(?i)\\b(?:LIMIT\\s+(\\d{1,15})\\s*,\\s*(?:\\d+|\\?)"
            + "|LIMIT\\s+(?:\\d+|\\?)(?:\\s+OFFSET\\s+(\\d{1,15}))?"
            + "|OFFSET\\s+(\\d{1,15})\\s+ROWS?(?:\\s+FETCH\\s+(?:FIRST|NEXT)\\s+(?:(?:\\d+|\\?)\\s+)?ROWS?\\s+ONLY)?"
            + "|FETCH\\s+(?:FIRST|NEXT)\\s+(?:(?:\\d+|\\?)\\s+)?ROWS?\\s+ONLY)" + LOCKING + "\\s*$");
    /** The same clauses with the offset a parameter: group 1, 2 or 3 is its {@code ?}. */
    private static final Pattern FINAL_LIMIT_PARAMETER = Pattern.compile("(?i)\\b(?:LIMIT\\s+(\\?)\\s*,\\s*(?:\\d+|\\?)"
            + "|LIMIT\\s+(?:\\d+|\\?)\\s+OFFSET\\s+(\\?)"
            + "|OFFSET\\s+(\\?)\\s+ROWS?(?:\\s+FETCH\\s+(?:FIRST|NEXT)\\s+(?:(?:\\d+|\\?)\\s+)?ROWS?\\s+ONLY)?)" + LOCKING
            + "\\s*$");
    private static final int LIMIT_TAIL = 200;
    /** Text that ends with the {@code ROW}/{@code ROWS} of an {@code OFFSET} clause. */
    private static final Pattern AFTER_ROWS = Pattern.compile("(?i)\\bROWS?\\s*$");
    /** Words that join several queries into one result, whose {@code FOUND_ROWS()} counts every row of every part. */
    private static final Pattern JOINED_RESULTS = Pattern.compile("(?i)\\b(?:UNION|INTERSECT|EXCEPT)\\b");

    private LimitClause() {
    }

    /** True when {@code sql} joins the results of several queries, whose {@code FOUND_ROWS()} counts every row of every part. */
    static boolean joinsResults(String sql) {
        return JOINED_RESULTS.matcher(sql).find();
    }

    /**
     * The rows skipped by the clause {@code sql} ends with ({@link #FINAL_LIMIT}): a number, 0 for
     * a {@code LIMIT n} or {@code LIMIT ?}, or -1 when the text does not end with such a clause or
     * its offset is a parameter.
     */
    static long offset(String sql) {
        Matcher m = FINAL_LIMIT.matcher(sql).region(Math.max(0, sql.length() - LIMIT_TAIL), sql.length())
                .useTransparentBounds(true);
        if (m.find()) {
            String offset = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            if (offset == null && sql.regionMatches(true, m.start(), "FETCH", 0, 5)
                    && AFTER_ROWS.matcher(sql).region(0, m.start()).find()) {
                // FETCH after an OFFSET clause the pattern did not take (an offset that is not a number).
                return -1;
            }
            return offset == null ? 0 : Long.parseLong(offset);
        }
        return -1;
    }

    /**
     * The index of the parameter that gives the offset of the clause {@code sql} (lexed as
     * {@code tokens}) ends with ({@link #FINAL_LIMIT_PARAMETER}), or -1 when it does not end with
     * such a clause.
     */
    static int offsetParameter(String sql, List<SqlToken> tokens) {
        Matcher m = FINAL_LIMIT_PARAMETER.matcher(sql).region(Math.max(0, sql.length() - LIMIT_TAIL), sql.length())
                .useTransparentBounds(true);
        if (!m.find()) {
            return -1;
        }
        int at = m.start(1) >= 0 ? m.start(1) : m.start(2) >= 0 ? m.start(2) : m.start(3);
        int index = 0;
        for (SqlToken t : tokens) {
            if (t.start() == at) {
                return t.isSymbol("?") ? index : -1;
            }
            if (t.isSymbol("?")) {
                index++;
            }
        }
        return -1;
    }
}
