package io.switchyard.frontend.state;

import java.util.List;

/**
 * What to send to a backend connection, in order, to give it a client's session state: first
 * {@code COM_RESET_CONNECTION} if {@link #resetFirst}, then {@code COM_INIT_DB} of
 * {@link #initDb} if it is not {@code null}, then each of {@link #statements} as a
 * {@code COM_QUERY}.
 *
 * <p>Immutable; thread-safe.
 *
 * @param resetFirst the connection holds state that cannot be undone by {@code SET} (a verbatim
 *     {@code SET} the target lacks, or a transaction characteristic the target never set)
 * @param initDb the schema to switch to, or {@code null} when the schema already matches
 * @param statements the statements to run, empty when nothing needs to change
 */
public record RestorePlan(boolean resetFirst, String initDb, List<String> statements) {

    public RestorePlan {
        statements = List.copyOf(statements);
    }

    /** Whether the connection already has the target state. */
    public boolean isEmpty() {
        return !resetFirst && initDb == null && statements.isEmpty();
    }
}
