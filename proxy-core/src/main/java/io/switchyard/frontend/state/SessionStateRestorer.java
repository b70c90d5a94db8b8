package io.switchyard.frontend.state;

import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.GlobalValues;
import io.switchyard.backend.SessionBaseline;
import io.switchyard.backend.SqlLiteral;
import io.switchyard.protocol.Command;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Computes what moves a backend connection from the session state it carries to the one a session
 * needs: one {@code SET SESSION} with every variable that differs, and a {@code COM_INIT_DB} when
 * the schema differs (before or after the {@code SET}: see {@link Plan}). A variable the
 * connection has but the session never changed goes back to its login value: the character-set
 * variables to the values the login's collation gave ({@link SessionBaseline}),
 * {@code last_insert_id} to 0, the others to {@code DEFAULT}. Where the proxy saw a
 * {@code SET GLOBAL} change a variable ({@link GlobalValues}), a variable a state does not set
 * has the global value as of that state's change number instead: a session keeps the globals it
 * started with on a connection that logged in after a change, and a session that started after
 * it gets the new value on an older connection.
 * Character sets are assigned before their collations (assigning a character set resets the
 * collation), and a collation is assigned again whenever its character set is. The server also
 * holds a collation for the client's and the results' character sets, which their values do not
 * show ({@link SessionStateTracker#CLIENT_COLLATION}); where assigning the value would not give
 * the one the session has, a {@code SET NAMES ... COLLATE} comes first.
 *
 * <p>Stateless and thread-safe.
 */
public final class SessionStateRestorer {

    /**
     * What to send, in the order of {@link #steps()}. The server reads the schema name of a
     * {@code COM_INIT_DB} in the connection's {@code character_set_client}, and the proxy sends it
     * in UTF-8 (the name as the server reported it): so the {@code COM_INIT_DB} runs while the
     * connection's client character set is utf8mb4 or utf8mb3. When the connection's is, it runs
     * first and the {@code SET} after it (which also sets the schema's character-set variables,
     * {@code character_set_database} and {@code collation_database}, that {@code COM_INIT_DB}
     * sets); when only the session's is, the {@code SET} runs first ({@code setFirst}) but for
     * those, which follow ({@code afterInitDb}); when neither is, {@code utf8ForInitDb} switches
     * the client character set for the {@code COM_INIT_DB} and the {@code SET} after it puts the
     * session's back. Each part only when it is not null. {@code followed} names the variables
     * whose global changes the plan may assign ({@link GlobalValues}).
     */
    public record Plan(String set, String initDb, boolean setFirst, String afterInitDb, String utf8ForInitDb,
                       java.util.Collection<String> followed) {
        public boolean isEmpty() {
            return initDb == null && set == null && afterInitDb == null;
        }

        /** The commands in the order they run. */
        public List<Step> steps() {
            List<Step> steps = new ArrayList<>(4);
            if (utf8ForInitDb != null) {
                steps.add(new Step(Command.QUERY, utf8ForInitDb));
            }
            if (setFirst && set != null) {
                steps.add(new Step(Command.QUERY, set));
            }
            if (initDb != null) {
                steps.add(new Step(Command.INIT_DB, initDb));
            }
            if (!setFirst && set != null) {
                steps.add(new Step(Command.QUERY, set));
            }
            if (afterInitDb != null) {
                steps.add(new Step(Command.QUERY, afterInitDb));
            }
            return steps;
        }
    }

    /** One command of a {@link Plan}: a {@code COM_QUERY} with a {@code SET}, or a {@code COM_INIT_DB}. */
    public record Step(Command command, String argument) {}

    /** What a connection's client character set becomes for a {@code COM_INIT_DB} when neither state's reads UTF-8. */
    private static final String UTF8_CLIENT = "SET SESSION character_set_client = utf8mb4";

    /** Set by {@code COM_INIT_DB}: assigned after it. */
    private static final List<String> SCHEMA_VARIABLES = ConnectionState.SCHEMA_CHARSET_VARIABLES;

    private static final List<List<String>> COUPLED = List.of(
            List.of("character_set_connection", "collation_connection"),
            List.of("character_set_server", "collation_server"),
            List.of("character_set_database", "collation_database"));
    private static final String CLIENT = "character_set_client";
    private static final String RESULTS = "character_set_results";
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");

    private SessionStateRestorer() {
    }

    /** The plan that turns a connection in state {@code from} into one in state {@code to}, on a server whose globals the proxy saw no change of. */
    public static Plan restore(ConnectionState from, ConnectionState to, SessionBaseline login) {
        return restore(from, to, login, null);
    }

    /**
     * The plan that turns a connection in state {@code from} into one in state {@code to}; a
     * variable neither sets has the global value as of each state's
     * {@link ConnectionState#globalsAsOf()} where {@code globals} (may be null) knows it.
     */
    public static Plan restore(ConnectionState from, ConnectionState to, SessionBaseline login, GlobalValues globals) {
        Defaults baseline = Defaults.of(login, globals, from, to);
        java.util.Collection<String> followed = baseline.changed();
        String initDb = Objects.equals(from.schema(), to.schema()) || to.schema() == null ? null : to.schema();
        if (initDb != null) {
            // COM_INIT_DB gives the schema's character-set variables the schema's values, whatever
            // the connection had (a reset leaves them at the globals).
            from = from.withSchemaCharsets();
        }
        if (initDb == null || readsUtf8(from, baseline)) {
            return new Plan(assignments(from, to, baseline), initDb, false, null, null, followed);
        }
        if (readsUtf8(to, baseline)) {
            List<String> assignments = assignmentList(from, to, baseline);
            List<String> afterInitDb = new ArrayList<>();
            assignments.removeIf(a -> SCHEMA_VARIABLES.contains(a.substring(0, a.indexOf(' '))) && afterInitDb.add(a));
            return new Plan(set(assignments), initDb, true, set(afterInitDb), null, followed);
        }
        ConnectionState utf8 = from.withVariable(CLIENT, SqlLiteral.of("utf8mb4"))
                .withVariable(SessionStateTracker.CLIENT_COLLATION, SqlLiteral.of(Collations.defaultOf("utf8mb4")));
        return new Plan(assignments(utf8, to, baseline), initDb, false, null, UTF8_CLIENT, followed);
    }

    /** True when a connection in {@code state} reads a UTF-8 {@code COM_INIT_DB} argument as it is. */
    private static boolean readsUtf8(ConnectionState state, Defaults baseline) {
        String client = SqlLiteral.name(value(state, CLIENT, baseline));
        return client != null && (client.equals("utf8mb4") || client.equals("utf8mb3") || client.equals("utf8"));
    }

    /** The {@code SET} that moves the variables from {@code from} to {@code to}, or null when none differ. */
    private static String assignments(ConnectionState from, ConnectionState to, Defaults baseline) {
        return set(assignmentList(from, to, baseline));
    }

    private static List<String> assignmentList(ConnectionState from, ConnectionState to, Defaults baseline) {
        List<String> assignments = new ArrayList<>();
        Set<String> forced = new LinkedHashSet<>();
        Set<String> settled = new LinkedHashSet<>();
        if (charsetsChange(from, to, baseline)) {
            charsetsFirst(to, baseline, assignments, forced, settled);
        }
        Set<String> assigned = new LinkedHashSet<>(forced);
        for (String name : order(from, to, forced, baseline)) {
            if (settled.contains(name)) {
                continue;
            }
            String want = value(to, name, baseline);
            boolean coupled = COUPLED.stream().anyMatch(p -> p.get(1).equals(name) && assigned.contains(p.get(0)));
            if (forced.contains(name) || coupled || !want.equals(value(from, name, baseline))) {
                assignments.add(name + " = " + want);
                assigned.add(name);
            }
        }
        return assignments;
    }

    /** One {@code SET} of {@code assignments}, or null when there are none. */
    private static String set(List<String> assignments) {
        if (assignments.isEmpty()) {
            return null;
        }
        // SET NAMES takes no scope; the assignments after it name theirs.
        boolean names = assignments.get(0).startsWith("NAMES ");
        return names ? "SET " + assignments.get(0) + (assignments.size() > 1 ? ", SESSION " : "")
                + String.join(", ", assignments.subList(1, assignments.size()))
                : "SET SESSION " + String.join(", ", assignments);
    }

    /**
     * The variables to assign in order: the character-set ones first, then the others either
     * state has, and those {@code forced}; a collation right after its character set.
     */
    private static List<String> order(ConnectionState from, ConnectionState to, Set<String> forced, Defaults baseline) {
        Set<String> names = new LinkedHashSet<>(SessionBaseline.CHARSET_VARIABLES);
        names.addAll(from.variables().keySet());
        names.addAll(to.variables().keySet());
        java.util.Collection<String> globals = baseline.changed();
        names.addAll(globals);
        names.removeIf(SessionStateRestorer::isCollationOfCharset);
        List<String> order = new ArrayList<>();
        for (String name : names) {
            if (from.variables().containsKey(name) || to.variables().containsKey(name) || forced.contains(name)
                    || globals.contains(name)) {
                order.add(name);
            }
        }
        for (List<String> pair : COUPLED) {
            if (order.contains(pair.get(0)) && !order.contains(pair.get(1))) {
                order.add(order.indexOf(pair.get(0)) + 1, pair.get(1));
            }
        }
        return order;
    }

    /**
     * The client's and results' character sets are to change: where assigning a value would not
     * give the collation {@code to} has for it, a {@code SET NAMES ... COLLATE} comes first and
     * the variables it leaves otherwise are assigned again ({@code forced}); the ones it gives
     * their value are {@code settled}. Otherwise both are assigned.
     */
    private static void charsetsFirst(ConnectionState to, Defaults baseline, List<String> assignments,
                                      Set<String> forced, Set<String> settled) {
        String[] viaNames = namesCollation(to, baseline);
        if (viaNames == null) {
            forced.add(CLIENT);
            forced.add(RESULTS);
            return;
        }
        assignments.add("NAMES " + viaNames[1] + " COLLATE " + viaNames[0]);
        for (String name : SessionBaseline.CHARSET_VARIABLES) {
            String pseudo = name.equals(CLIENT) ? SessionStateTracker.CLIENT_COLLATION
                    : name.equals(RESULTS) ? SessionStateTracker.RESULTS_COLLATION : null;
            if (pseudo != null && viaNames[0].equals(collation(to, pseudo, baseline))
                    && viaNames[1].equals(SqlLiteral.name(value(to, name, baseline)))) {
                settled.add(name);
            } else {
                forced.add(name);
            }
        }
    }

    /** The pseudo-variables that hold the collations of the client's and results' character sets. */
    private static boolean isCollationOfCharset(String name) {
        return name.equals(SessionStateTracker.CLIENT_COLLATION) || name.equals(SessionStateTracker.RESULTS_COLLATION);
    }

    /**
     * True when {@code character_set_client} or {@code character_set_results} must be assigned:
     * their values differ, or the collations the server holds for them
     * ({@link SessionStateTracker#CLIENT_COLLATION}) do.
     */
    private static boolean charsetsChange(ConnectionState from, ConnectionState to, Defaults baseline) {
        for (String name : List.of(CLIENT, RESULTS, SessionStateTracker.CLIENT_COLLATION, SessionStateTracker.RESULTS_COLLATION)) {
            if (!Objects.equals(value(from, name, baseline), value(to, name, baseline))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The collation and character set a {@code SET NAMES ... COLLATE} must give the client's or
     * results' character set of {@code to}, because assigning the variable would give it its
     * default collation instead; null when assignments do (or the collation is not known).
     */
    private static String[] namesCollation(ConnectionState to, Defaults baseline) {
        for (String[] pair : new String[][] {{SessionStateTracker.CLIENT_COLLATION, CLIENT},
                {SessionStateTracker.RESULTS_COLLATION, RESULTS}}) {
            String collation = collation(to, pair[0], baseline);
            String charset = SqlLiteral.name(value(to, pair[1], baseline));
            if (collation != null && charset != null && NAME.matcher(collation).matches()
                    && (collation.startsWith(charset + "_") || collation.equals(charset))
                    && !collation.equals(Collations.defaultOf(charset))) {
                return new String[] {collation, charset};
            }
        }
        return null;
    }

    /** The collation {@code to} holds for a character set: its pseudo-variable's, else the login's; null when unknown. */
    private static String collation(ConnectionState to, String pseudo, Defaults baseline) {
        String v = to.variables().get(pseudo);
        if (v != null) {
            return SqlLiteral.name(v);
        }
        return baseline.login() == null ? null : baseline.login().loginCollation();
    }

    private static String value(ConnectionState s, String name, Defaults baseline) {
        String v = s.variables().get(name);
        if (v != null) {
            return v;
        }
        if (name.equals(SessionStateTracker.LAST_INSERT_ID)) {
            return "0";
        }
        if (isCollationOfCharset(name)) {
            return "login";
        }
        return baseline.unset(name, s.globalsAsOf());
    }

    /**
     * The SQL literal of {@code name}'s value in a session whose state sets none, started at
     * global change {@code asOf}, on a server whose connections log in with {@code login}
     * ({@link Defaults#unset}).
     */
    public static String unsetValue(String name, long asOf, SessionBaseline login, GlobalValues globals) {
        return new Defaults(login, globals, List.of()).unset(name, asOf);
    }

    /**
     * What a variable a state does not set has: its global value as of the state's change number
     * where the proxy saw it change (except where a reset gives another value than the login,
     * such as a login's {@code IGNORE_SPACE}, and for the session-tracking settings, which the
     * proxy keeps its own on every connection), else its login value.
     */
    private record Defaults(SessionBaseline login, GlobalValues globals, java.util.Collection<String> changed) {
        /** With {@code changed}: the variables whose value may differ between {@code from} and {@code to}, states from different change numbers. */
        static Defaults of(SessionBaseline login, GlobalValues globals, ConnectionState from, ConnectionState to) {
            return new Defaults(login, globals, globals == null || from.globalsAsOf() == to.globalsAsOf() ? List.of()
                    : globals.names().stream().filter(n -> !GlobalValues.isTracking(n)).toList());
        }

        String unset(String name, long asOf) {
            GlobalValues.Value global = globals == null || GlobalValues.isTracking(name)
                    || (login != null && login.resetValues().containsKey(name)) ? null : globals.at(name, asOf);
            if (global != null) {
                return global.literal();
            }
            return login == null ? "DEFAULT" : login.loginLiteral(name);
        }

    }
}
