package io.switchyard.server.it.diff;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One statement of a session's script: SQL text run with {@code java.sql.Statement}, or, when
 * {@code prepared}, with a {@code java.sql.PreparedStatement} bound to {@code parameters} (a
 * server-side prepared statement when the session's driver is configured for them; kept open for
 * the rest of the session and reused by later steps with the same text).
 *
 * <p>Immutable.
 */
public record Step(String sql, boolean prepared, List<Object> parameters) {

    public Step {
        parameters = List.copyOf(parameters);
    }

    public static Step text(String sql) {
        return new Step(sql, false, List.of());
    }

    public static Step prepared(String sql, Object... parameters) {
        return new Step(sql, true, List.of(parameters));
    }

    /** The step as a line of a replay script: the SQL, or a comment naming the prepared statement and its parameters. */
    public String replayLine() {
        if (!prepared) {
            return sql + ";";
        }
        return "-- JDBC prepared: " + sql + "  with " + parameters.stream()
                .map(p -> p instanceof String s ? "'" + s + "'" : String.valueOf(p))
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
