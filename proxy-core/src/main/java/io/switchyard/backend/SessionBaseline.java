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
public record SessionBaseline(Map<String, String> loginValues, TrackingSettings tracking) {

    /** The variables whose login value depends on the handshake's collation, in the order they must be set. */
    public static final List<String> CHARSET_VARIABLES = List.of("character_set_client", "character_set_connection",
            "character_set_results", "collation_connection");

    /** The query that reads a baseline: the character-set variables, then the four tracking settings. */
    static final String QUERY = "SELECT @@session.character_set_client, @@session.character_set_connection, "
            + "@@session.character_set_results, @@session.collation_connection, @@session.session_track_system_variables, "
            + "@@session.session_track_schema, @@session.session_track_state_change, @@session.session_track_transaction_info";

    /** Turns on every tracker the proxy learns session state from. */
    static final String TRACK_EVERYTHING = "SET SESSION session_track_system_variables = '*', session_track_schema = ON, "
            + "session_track_state_change = ON, session_track_transaction_info = 'CHARACTERISTICS'";

    public SessionBaseline {
        loginValues = Map.copyOf(loginValues);
    }

    /** Builds a baseline from the row {@link #QUERY} returned (SQL NULL as {@code null}). */
    static SessionBaseline fromRow(List<String> row) {
        java.util.LinkedHashMap<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < CHARSET_VARIABLES.size(); i++) {
            values.put(CHARSET_VARIABLES.get(i), SqlLiteral.of(row.get(i)));
        }
        return new SessionBaseline(values, TrackingSettings.of(row.get(4), row.get(5), row.get(6), row.get(7)));
    }

    /** The SQL literal that gives {@code variable} back its login value: its recorded value, else {@code DEFAULT}. */
    public String loginLiteral(String variable) {
        String v = loginValues.get(variable);
        return v != null ? v : "DEFAULT";
    }
}
