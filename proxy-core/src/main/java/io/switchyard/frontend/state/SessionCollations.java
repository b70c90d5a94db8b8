package io.switchyard.frontend.state;

import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.SessionBaseline;
import io.switchyard.backend.SqlLiteral;

/**
 * The collations a session's character sets hold that the server's reports do not show: those of
 * {@code character_set_client} and {@code character_set_results} (the server reports character
 * set names; a {@code SET NAMES ... COLLATE} or the login gives them a collation), and that of the
 * connection after a {@code SET NAMES}, whose {@code collation_connection} the server does not
 * report. Each is null for the login's, empty for the default of the character set in force,
 * else the one a {@code SET NAMES ... COLLATE} gave.
 *
 * <p>Not thread-safe: part of one session's {@link SessionStateTracker}.
 */
final class SessionCollations {
    static final String CHARACTER_SET_CLIENT = "character_set_client";
    static final String CHARACTER_SET_RESULTS = "character_set_results";
    static final String CHARACTER_SET_CONNECTION = "character_set_connection";
    static final String COLLATION_CONNECTION = "collation_connection";

    private String client;
    private String results;
    /** The running statement's reports assigned {@code character_set_client}, {@code _results}, {@code _connection}. */
    private boolean clientAssigned;
    private boolean resultsAssigned;
    private boolean connectionAssigned;

    /** A statement starts: nothing reported for it yet. */
    void statementStarts() {
        clientAssigned = false;
        resultsAssigned = false;
        connectionAssigned = false;
    }

    /** The server reported a new value of the variable {@code name} (lower case) for the running statement. */
    void reported(String name) {
        clientAssigned |= name.equals(CHARACTER_SET_CLIENT);
        resultsAssigned |= name.equals(CHARACTER_SET_RESULTS);
        connectionAssigned |= name.equals(CHARACTER_SET_CONNECTION);
    }

    /**
     * The running command ended ({@code failed} or not) under a statement whose last
     * {@code SET NAMES} gave {@code namesCollation} (see {@link StatementTraits#namesCollation}):
     * returns {@code state} with the connection's collation as the server gave it. A command that
     * failed after its {@code SET NAMES ... COLLATE} ran (a later statement of the same text) has
     * the character sets the server reported for it.
     */
    ConnectionState completed(ConnectionState state, String namesCollation, boolean failed) {
        boolean namesRan = namesCollation != null && (!failed || clientAssigned || connectionAssigned);
        if (namesRan) {
            client = namesCollation;
            results = namesCollation;
        } else {
            client = clientAssigned ? "" : client;
            results = resultsAssigned ? "" : results;
        }
        ConnectionState completed = state;
        if (connectionAssigned) {
            // The server reports the character set, not the collation it gives the connection:
            // SET NAMES ... COLLATE's, else the character set's default (a read-back, where one
            // follows, reads the exact value).
            String names = namesRan ? namesCollation : null;
            String charset = SqlLiteral.name(state.variables().get(CHARACTER_SET_CONNECTION));
            String collation = names != null && !names.isEmpty() ? names : charset == null ? null : Collations.defaultOf(charset);
            if (collation != null) {
                completed = state.withVariable(COLLATION_CONNECTION, SqlLiteral.of(collation));
            }
        }
        statementStarts();
        return completed;
    }

    /**
     * The character-set variables were read back into {@code state}: returns it with the
     * pseudo-variables {@link SessionStateTracker#CLIENT_COLLATION} and
     * {@link SessionStateTracker#RESULTS_COLLATION}, where they differ from the login's.
     */
    ConnectionState readBack(ConnectionState state, SessionBaseline baseline) {
        String login = baseline.loginCollation();
        String c = client(state, baseline);
        String r = results(state, baseline);
        return state.withVariable(SessionStateTracker.CLIENT_COLLATION, c.equals(login) ? null : SqlLiteral.of(c))
                .withVariable(SessionStateTracker.RESULTS_COLLATION, r.equals(login) || r.equals("null") ? null : SqlLiteral.of(r));
    }

    /** See {@link SessionStateTracker#clientCollation}. */
    String client(ConnectionState state, SessionBaseline baseline) {
        return collation(client, CHARACTER_SET_CLIENT, state, baseline);
    }

    /** See {@link SessionStateTracker#resultsCollation}. */
    String results(ConnectionState state, SessionBaseline baseline) {
        return collation(results, CHARACTER_SET_RESULTS, state, baseline);
    }

    private static String collation(String held, String variable, ConnectionState state, SessionBaseline baseline) {
        if (held != null && !held.isEmpty()) {
            return held;
        }
        if (baseline == null) {
            return "?";
        }
        if (held == null) {
            String login = baseline.loginCollation();
            return login != null ? login : "?";
        }
        String charset = SqlLiteral.name(state.variables().getOrDefault(variable, baseline.loginValues().get(variable)));
        return charset == null ? "null" : Collations.defaultOf(charset);
    }

    /** The session was reset: the login's collations again. */
    void reset() {
        client = null;
        results = null;
    }
}
