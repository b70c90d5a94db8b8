package io.switchyard.admin;

import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProxyError;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Maps an error of the embedded SQLite database to the MySQL error a client expects for the
 * same mistake: unknown table 1146, unknown column 1054, syntax 1064, duplicate key 1062,
 * NULL in a NOT NULL column 1048, failed CHECK 3819, anything else 1105. Stateless.
 */
final class SqlErrors {
    private static final Pattern DETAIL = Pattern.compile("\\((.*)\\)\\s*$", Pattern.DOTALL);

    private SqlErrors() {}

    static ErrPacket toErr(SQLException e) {
        String detail = detail(e);
        if (e instanceof SQLiteException s) {
            SQLiteErrorCode code = s.getResultCode();
            switch (code) {
                case SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE -> {
                    return ProxyError.DUPLICATE_KEY.format(detail);
                }
                case SQLITE_CONSTRAINT_NOTNULL -> {
                    return ProxyError.NOT_NULL.format(detail);
                }
                case SQLITE_CONSTRAINT_CHECK -> {
                    return ProxyError.CHECK_FAILED.format(detail);
                }
                default -> {
                    // classified by message below
                }
            }
        }
        if (detail.startsWith("UNIQUE constraint failed") || detail.startsWith("PRIMARY KEY constraint failed")) {
            return ProxyError.DUPLICATE_KEY.format(detail);
        }
        if (detail.startsWith("NOT NULL constraint failed")) {
            return ProxyError.NOT_NULL.format(detail);
        }
        if (detail.startsWith("CHECK constraint failed")) {
            return ProxyError.CHECK_FAILED.format(detail);
        }
        if (detail.startsWith("no such table: ")) {
            return ProxyError.NO_SUCH_TABLE.format(detail.substring("no such table: ".length()));
        }
        if (detail.startsWith("no such column: ") || detail.contains(" has no column named ")) {
            return ProxyError.NO_SUCH_COLUMN.format(detail);
        }
        if (detail.contains("syntax error") || detail.startsWith("incomplete input") || detail.startsWith("unrecognized token")) {
            return ProxyError.SYNTAX.format(detail);
        }
        return ProxyError.SQL_ERROR.format(detail);
    }

    /** SQLite's own message, without the JDBC driver's decoration. */
    private static String detail(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        Matcher d = DETAIL.matcher(m);
        return m.startsWith("[SQLITE_") && d.find() ? d.group(1) : m;
    }
}
