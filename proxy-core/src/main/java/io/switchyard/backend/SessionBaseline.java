package io.switchyard.backend;

import java.util.List;
import java.util.Map;

/**
 * What a backend connection's session looked like right after its login, before the proxy turned
 * on full session-state tracking: the character-set variables the login's collation gave it
 * (what a variable goes back to when a session that changed it moves away, since
 * {@code SET ... = DEFAULT} would give the server's global value instead) and the server's
 * default session-tracking settings (what a client sees unless it changes them).
 *
 * <p>Immutable; thread-safe.
 *
 * @param loginValues lower-case variable name to the SQL literal of its login value
 * @param tracking the server's default session-tracking settings
 */
public record SessionBaseline(Map<String, String> loginValues, TrackingSettings tracking, Map<String, String> resetValues) {

    /** The variables whose login value depends on the handshake's collation, in the order they must be set. */
    public static final List<String> CHARSET_VARIABLES = List.of("character_set_client", "character_set_connection",
            "character_set_results", "collation_connection");

    /**
     * The query that reads a baseline: the character-set variables, the four tracking settings,
     * then {@code sql_mode} as the login left it and as a reset leaves it (the login adds
     * {@code IGNORE_SPACE} for a client with CLIENT_IGNORE_SPACE; COM_RESET_CONNECTION goes back
     * to the global value).
     */
    static final String QUERY = "SELECT @@session.character_set_client, @@session.character_set_connection, "
            + "@@session.character_set_results, @@session.collation_connection, @@session.session_track_system_variables, "
            + "@@session.session_track_schema, @@session.session_track_state_change, @@session.session_track_transaction_info, "
            + "@@session.sql_mode, @@global.sql_mode";
    private static final String SQL_MODE = "sql_mode";

    /** Turns on every tracker the proxy learns session state from. */
    static final String TRACK_EVERYTHING = "SET SESSION session_track_system_variables = '*', session_track_schema = ON, "
            + "session_track_state_change = ON, session_track_transaction_info = 'CHARACTERISTICS'";

    public SessionBaseline {
        loginValues = Map.copyOf(loginValues);
        resetValues = Map.copyOf(resetValues);
    }

    /** A baseline whose reset gives back the login's values. */
    public SessionBaseline(Map<String, String> loginValues, TrackingSettings tracking) {
        this(loginValues, tracking, Map.of());
    }

    /** Builds a baseline from the row {@link #QUERY} returned (SQL NULL as {@code null}). */
    static SessionBaseline fromRow(List<String> row) {
        java.util.LinkedHashMap<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < CHARSET_VARIABLES.size(); i++) {
            values.put(CHARSET_VARIABLES.get(i), SqlLiteral.of(row.get(i)));
        }
        values.put(SQL_MODE, SqlLiteral.of(row.get(8)));
        String reset = SqlLiteral.of(row.get(9));
        return new SessionBaseline(values, TrackingSettings.of(row.get(4), row.get(5), row.get(6), row.get(7)),
                reset.equals(values.get(SQL_MODE)) ? Map.of() : Map.of(SQL_MODE, reset));
    }

    /**
     * The state a connection carries after COM_RESET_CONNECTION, in {@code schema} (kept by the
     * reset): the login's, except for the variables the reset sets otherwise.
     */
    public ConnectionState afterReset(String schema) {
        ConnectionState s = ConnectionState.initial(schema);
        for (Map.Entry<String, String> e : resetValues.entrySet()) {
            s = s.withVariable(e.getKey(), e.getValue());
        }
        return s;
    }

    /** The name of the login's collation ({@code collation_connection} after the login), or null when not recorded. */
    public String loginCollation() {
        return SqlLiteral.name(loginValues.get("collation_connection"));
    }

    /** The SQL literal that gives {@code variable} back its login value: its recorded value, else {@code DEFAULT}. */
    public String loginLiteral(String variable) {
        String v = loginValues.get(variable);
        return v != null ? v : "DEFAULT";
    }
}
