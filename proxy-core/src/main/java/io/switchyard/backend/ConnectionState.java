package io.switchyard.backend;

import java.util.Collections;
import java.util.LinkedHashMap;
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
 */
public record ConnectionState(String schema, Map<String, String> variables) {

    public ConnectionState {
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    /** A fresh login's state with default database {@code schema} (may be {@code null}). */
    public static ConnectionState initial(String schema) {
        return new ConnectionState(schema, Map.of());
    }

    public ConnectionState withSchema(String newSchema) {
        return new ConnectionState(newSchema, variables);
    }

    /** The same state with {@code name} set to {@code literal}, or back to its login value when {@code literal} is null. */
    public ConnectionState withVariable(String name, String literal) {
        Map<String, String> copy = new LinkedHashMap<>(variables);
        if (literal == null) {
            copy.remove(name);
        } else {
            copy.put(name, literal);
        }
        return new ConnectionState(schema, copy);
    }
}
