package io.switchyard.server.it.diff;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One step of a session's script: SQL text run with {@code java.sql.Statement}; when
 * {@code prepared}, with a {@code java.sql.PreparedStatement} bound to {@code parameters} (a
 * server-side prepared statement when the session's driver is configured for them; kept open for
 * the rest of the session and reused by later steps with the same text); or a call of the
 * connection's own API ({@link Api}), whose argument is {@code sql}.
 *
 * <p>Immutable.
 */
public record Step(String sql, boolean prepared, List<Object> parameters, Api api) {

    /** What a driver sends for a method of its connection rather than for a statement. */
    public enum Api {
        /** Not an API call: a statement. */
        NONE,
        /** {@code Connection.setCatalog(sql)}. */
        CATALOG,
        /**
         * The driver's reset of the session ({@code COM_RESET_CONNECTION}): Connector/J's
         * {@code resetServerState()}, MariaDB Connector/J's {@code reset()}. The session's prepared
         * statements are closed first, as a pool does before it resets a connection.
         */
        RESET
    }

    public Step {
        parameters = List.copyOf(parameters);
    }

    public static Step text(String sql) {
        return new Step(sql, false, List.of(), Api.NONE);
    }

    public static Step prepared(String sql, Object... parameters) {
        return new Step(sql, true, List.of(parameters), Api.NONE);
    }

    public static Step api(Api api, String argument) {
        return new Step(argument, false, List.of(), api);
    }

    /**
     * The step as a line of a replay script: the SQL, or a comment naming the prepared statement
     * and its parameters, or the API call.
     */
    public String replayLine() {
        if (api != Api.NONE) {
            return "-- JDBC " + api.name().toLowerCase(java.util.Locale.ROOT) + (sql.isEmpty() ? "" : ": " + sql);
        }
        if (!prepared) {
            return sql + ";";
        }
        return "-- JDBC prepared: " + sql + "  with " + parameters.stream()
                .map(p -> p instanceof String s ? "'" + s + "'" : String.valueOf(p))
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
