package io.switchyard.frontend.state;

import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.SessionBaseline;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Computes what moves a backend connection from the session state it carries to the one a session
 * needs: a {@code COM_INIT_DB} when the schema differs, and one {@code SET SESSION} with every
 * variable that differs. A variable the connection has but the session never changed goes back to
 * its login value: the character-set variables to the values the login's collation gave
 * ({@link SessionBaseline}), {@code last_insert_id} to 0, the others to {@code DEFAULT}.
 * Character sets are assigned before their collations (assigning a character set resets the
 * collation), and a collation is assigned again whenever its character set is.
 *
 * <p>Stateless and thread-safe.
 */
public final class SessionStateRestorer {

    /**
     * What to send: {@code COM_INIT_DB} of {@code initDb} when it is not null, then {@code set}
     * as a {@code COM_QUERY} when it is not null.
     */
    public record Plan(String initDb, String set) {
        public boolean isEmpty() {
            return initDb == null && set == null;
        }
    }

    private static final List<List<String>> COUPLED = List.of(
            List.of("character_set_connection", "collation_connection"),
            List.of("character_set_server", "collation_server"),
            List.of("character_set_database", "collation_database"));

    private SessionStateRestorer() {
    }

    /** The plan that turns a connection in state {@code from} into one in state {@code to}. */
    public static Plan restore(ConnectionState from, ConnectionState to, SessionBaseline baseline) {
        String initDb = Objects.equals(from.schema(), to.schema()) || to.schema() == null ? null : to.schema();
        Set<String> names = new LinkedHashSet<>(SessionBaseline.CHARSET_VARIABLES);
        names.addAll(from.variables().keySet());
        names.addAll(to.variables().keySet());
        List<String> order = new ArrayList<>();
        for (String name : names) {
            if (from.variables().containsKey(name) || to.variables().containsKey(name)) {
                order.add(name);
            }
        }
        for (List<String> pair : COUPLED) {
            if (order.contains(pair.get(0)) && !order.contains(pair.get(1))) {
                order.add(order.indexOf(pair.get(0)) + 1, pair.get(1));
            }
        }
        List<String> assignments = new ArrayList<>();
        Set<String> assigned = new LinkedHashSet<>();
        for (String name : order) {
            String want = value(to, name, baseline);
            boolean coupled = COUPLED.stream().anyMatch(p -> p.get(1).equals(name) && assigned.contains(p.get(0)));
            if (coupled || !want.equals(value(from, name, baseline))) {
                assignments.add(name + " = " + want);
                assigned.add(name);
            }
        }
        String set = assignments.isEmpty() ? null : "SET SESSION " + String.join(", ", assignments);
        return new Plan(initDb, set);
    }

    private static String value(ConnectionState s, String name, SessionBaseline baseline) {
        String v = s.variables().get(name);
        if (v != null) {
            return v;
        }
        if (name.equals(SessionStateTracker.LAST_INSERT_ID)) {
            return "0";
        }
        return baseline == null ? "DEFAULT" : baseline.loginLiteral(name);
    }
}
