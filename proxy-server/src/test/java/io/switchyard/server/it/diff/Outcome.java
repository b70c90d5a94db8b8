package io.switchyard.server.it.diff;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a client saw of one statement, as text lines that compare equal when the outcomes are the
 * same: each result set's column metadata (label, name, type, precision, scale, and with
 * Connector/J the column character set) and rows as strings, update counts, generated keys,
 * warnings, or the error's code, SQLSTATE and message.
 *
 * <p>Immutable.
 */
public record Outcome(List<String> lines) {
    private static final int MAX_RESULTS = 20;
    private static final int MAX_ROWS = 200;
    private static final Pattern CONNECTION_ID = Pattern.compile("\\(conn=\\d+\\) ");
    /**
     * A prepared statement's id in a message: the server numbers a connection's statements (its
     * SQL {@code PREPARE}s and {@code EXECUTE IMMEDIATE}s too), the proxy a session's, so the ids
     * differ while naming the same statement (that the proxy names the client's is
     * {@code StatementIdErrorTest}'s).
     */
    private static final Pattern STATEMENT_ID = Pattern.compile("(The statement )\\(\\d+\\)");

    public Outcome {
        lines = List.copyOf(lines);
    }

    /** The outcome of a call that returns nothing, such as the connection's API. */
    public static Outcome done() {
        return new Outcome(List.of("DONE"));
    }

    /** An outcome that is just an error. */
    public static Outcome of(SQLException e) {
        return new Outcome(List.of(error(e)));
    }

    /**
     * Reads every result of {@code statement}, just executed ({@code isResultSet} is what
     * {@code execute} returned), then its generated keys (when {@code keys}) and its warnings.
     */
    public static Outcome read(Statement statement, boolean isResultSet, boolean keys) throws SQLException {
        List<String> lines = new ArrayList<>();
        boolean resultSet = isResultSet;
        for (int i = 0; i < MAX_RESULTS; i++) {
            if (resultSet) {
                try (ResultSet rows = statement.getResultSet()) {
                    readResultSet(rows, "RESULT", lines);
                }
            } else {
                long count = statement.getLargeUpdateCount();
                if (count == -1) {
                    break;
                }
                lines.add("UPDATE COUNT " + count);
            }
            resultSet = statement.getMoreResults();
        }
        if (keys) {
            try (ResultSet generated = statement.getGeneratedKeys()) {
                readResultSet(generated, "GENERATED KEYS", lines);
            }
        }
        warnings(statement.getWarnings(), lines);
        return new Outcome(lines);
    }

    /** Reads what executing {@code statement} (a prepared statement) returned, as {@link #read} does. */
    public static Outcome read(PreparedStatement statement, boolean isResultSet) throws SQLException {
        return read((Statement) statement, isResultSet, false);
    }

    private static void readResultSet(ResultSet rows, String kind, List<String> lines) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        StringBuilder columns = new StringBuilder(kind).append(" COLUMNS");
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            columns.append(i == 1 ? " " : " | ").append(meta.getColumnLabel(i)).append(" (name=")
                    .append(meta.getColumnName(i)).append(", ").append(meta.getColumnTypeName(i)).append('/')
                    .append(meta.getColumnType(i)).append(", precision=").append(meta.getPrecision(i))
                    .append(", scale=").append(meta.getScale(i)).append(characterSet(meta, i)).append(')');
        }
        lines.add(columns.toString());
        int count = 0;
        while (rows.next() && count++ < MAX_ROWS) {
            StringBuilder row = new StringBuilder("  ROW");
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String value = rows.getString(i);
                row.append(i == 1 ? " " : " | ").append(value == null ? "NULL" : "'" + value + "'");
            }
            lines.add(row.toString());
        }
    }

    private static String characterSet(ResultSetMetaData meta, int column) throws SQLException {
        if (meta instanceof com.mysql.cj.jdbc.result.ResultSetMetaData connectorJ) {
            return ", charset=" + connectorJ.getColumnCharacterSet(column);
        }
        return "";
    }

    private static void warnings(SQLWarning first, List<String> lines) {
        int count = 0;
        for (SQLWarning w = first; w != null && count++ < 50; w = w.getNextWarning()) {
            lines.add("WARNING " + w.getErrorCode() + " " + w.getSQLState() + " " + withoutConnectionId(w.getMessage()));
        }
    }

    private static String error(SQLException e) {
        return "ERROR " + e.getErrorCode() + " " + e.getSQLState() + " " + withoutConnectionId(e.getMessage());
    }

    /**
     * MariaDB Connector/J puts the server's connection id in messages; it differs between any two
     * runs. A statement's id in a message is left out too ({@link #STATEMENT_ID}).
     */
    private static String withoutConnectionId(String message) {
        return message == null ? null
                : STATEMENT_ID.matcher(CONNECTION_ID.matcher(message).replaceAll("")).replaceAll("$1(id)");
    }

    /** True when it is the driver's error for an answer that did not come within its socket timeout. */
    public boolean timedOut() {
        return lines.size() == 1 && lines.get(0).startsWith("ERROR ") && lines.get(0).toLowerCase(java.util.Locale.ROOT)
                .matches(".*(socket timou?t|read timed out).*");
    }

    /** The same outcome without its warnings. */
    public Outcome withoutWarnings() {
        return new Outcome(lines.stream().filter(line -> !line.startsWith("WARNING ")).toList());
    }

    @Override
    public String toString() {
        return lines.isEmpty() ? "(nothing)" : String.join("\n", lines);
    }
}
