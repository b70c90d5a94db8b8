package io.switchyard.backend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The movable session state a backend connection carries (or a client session needs on the
 * connection it runs on): the default schema and the session system variables that differ from
 * what a fresh login has, each as the SQL literal that sets it. The proxy learns the values from
 * the server's session-state tracking, so they are what the server reported, not a guess from the
 * statement's text.
 *
 * <p>Immutable; thread-safe.
 *
 * @param schema the default database, or {@code null} for none
 * @param variables lower-case variable name to the SQL literal of its value ({@code 'ANSI'},
 *     {@code 1000000}, {@code NULL}), in the order they were first changed
 * @param globalsAsOf the {@link GlobalValues} change number the other variables' values date
 *     from: the globals a session started with, or a connection logged in or was reset with
 */
public record ConnectionState(String schema, Map<String, String> variables, long globalsAsOf) {
    /**
     * The variables that decide what a statement's text means when the server prepares it: how it
     * is parsed ({@code sql_mode}, {@code old_mode}) and the character set and collation of its
     * text and literals, which the prepared statement keeps for good.
     */
    public static final List<String> PREPARE_VARIABLES = List.of("sql_mode", "old_mode", "character_set_client",
            "character_set_connection", "collation_connection");

    public ConnectionState {
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    /** A fresh login's state with default database {@code schema} (may be {@code null}), with the globals as they are now. */
    public static ConnectionState initial(String schema) {
        return new ConnectionState(schema, Map.of(), GlobalValues.now());
    }

    /**
     * This state reduced to what a statement is prepared under: the schema and
     * {@link #PREPARE_VARIABLES}. A statement prepared under another one is another statement.
     */
    public ConnectionState prepareState() {
        Map<String, String> kept = new LinkedHashMap<>();
        for (String name : PREPARE_VARIABLES) {
            String v = variables.get(name);
            if (v != null) {
                kept.put(name, v);
            }
        }
        return new ConnectionState(schema, kept, globalsAsOf);
    }

    /** This state with the schema and {@link #PREPARE_VARIABLES} of {@code prepared} instead of its own. */
    public ConnectionState withPrepareState(ConnectionState prepared) {
        Map<String, String> copy = new LinkedHashMap<>(variables);
        copy.keySet().removeAll(PREPARE_VARIABLES);
        copy.putAll(prepared.variables);
        return new ConnectionState(prepared.schema, copy, globalsAsOf);
    }

    public ConnectionState withSchema(String newSchema) {
        return new ConnectionState(newSchema, variables, globalsAsOf);
    }

    /** The same state with {@code name} set to {@code literal}, or back to its login value when {@code literal} is null. */
    /**
     * The schema's character-set variables: selecting a schema ({@code USE}, {@code COM_INIT_DB})
     * gives them the schema's values; a reset leaves them at the globals.
     */
    public static final List<String> SCHEMA_CHARSET_VARIABLES = List.of("character_set_database", "collation_database");

    /** This state without {@link #SCHEMA_CHARSET_VARIABLES}: they are the schema's, whatever they were. */
    public ConnectionState withSchemaCharsets() {
        if (SCHEMA_CHARSET_VARIABLES.stream().noneMatch(variables::containsKey)) {
            return this;
        }
        Map<String, String> copy = new LinkedHashMap<>(variables);
        SCHEMA_CHARSET_VARIABLES.forEach(copy::remove);
        return new ConnectionState(schema, copy, globalsAsOf);
    }

    public ConnectionState withVariable(String name, String literal) {
        Map<String, String> copy = new LinkedHashMap<>(variables);
        if (literal == null) {
            copy.remove(name);
        } else {
            copy.put(name, literal);
        }
        return new ConnectionState(schema, copy, globalsAsOf);
    }
}
