package io.switchyard.frontend.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Computes the fewest statements that move a backend connection from one {@link SessionState}
 * to another. Variables (typed ones, generic ones and user variables) that differ go into one
 * combined {@code SET a = ..., b = ...}; a variable the target never set but the connection did
 * is set back to {@code DEFAULT} (a user variable to {@code NULL}). {@code SET NAMES} and
 * {@code SET SESSION TRANSACTION} are separate statements, and verbatim {@code SET}s come last,
 * in their original order, because they may read what the others set.
 *
 * <p>When the connection has verbatim {@code SET}s that are not a prefix of the target's, or a
 * typed variable differs while verbatim {@code SET}s are involved (they may have read it), or an
 * isolation level or access mode must be unset, the plan resets the connection and builds the
 * whole state from a fresh one.
 *
 * <p>Stateless and thread-safe.
 */
public final class SessionStateRestorer {

    private SessionStateRestorer() {
    }

    /** The plan that turns a connection in state {@code from} into one in state {@code to}. */
    public static RestorePlan restore(SessionState from, SessionState to) {
        if (needsReset(from, to)) {
            SessionState fresh = SessionState.initial(from.schema());
            return new RestorePlan(true, initDb(fresh, to), statements(fresh, to));
        }
        return new RestorePlan(false, initDb(from, to), statements(from, to));
    }

    /** Just the statements, for a connection already known to be in state {@code from}. */
    public static List<String> restoreStatements(SessionState from, SessionState to) {
        return restore(from, to).statements();
    }

    private static boolean needsReset(SessionState from, SessionState to) {
        List<SessionState.VerbatimSet> had = from.verbatimSets();
        List<SessionState.VerbatimSet> want = to.verbatimSets();
        boolean prefix = had.size() <= want.size() && want.subList(0, had.size()).equals(had);
        if (!prefix) {
            return true;
        }
        if (!want.isEmpty() && !typedVariables(from).equals(typedVariables(to))) {
            return true;
        }
        return (to.isolationLevel() == null && from.isolationLevel() != null)
                || (to.readOnly() == null && from.readOnly() != null);
    }

    private static String initDb(SessionState from, SessionState to) {
        return Objects.equals(from.schema(), to.schema()) || to.schema() == null ? null : to.schema();
    }

    private static List<String> statements(SessionState from, SessionState to) {
        List<String> out = new ArrayList<>();
        if (!Objects.equals(from.charset(), to.charset())) {
            out.add(to.charset() == null ? "SET NAMES DEFAULT" : to.charset().toSql());
        }
        if (!Objects.equals(from.isolationLevel(), to.isolationLevel())
                || !Objects.equals(from.readOnly(), to.readOnly())) {
            List<String> characteristics = new ArrayList<>();
            if (to.isolationLevel() != null) {
                characteristics.add("ISOLATION LEVEL " + to.isolationLevel());
            }
            if (to.readOnly() != null) {
                characteristics.add(to.readOnly() ? "READ ONLY" : "READ WRITE");
            }
            out.add("SET SESSION TRANSACTION " + String.join(", ", characteristics));
        }
        List<String> assignments = new ArrayList<>();
        Map<String, String> had = typedVariables(from);
        Map<String, String> want = typedVariables(to);
        want.forEach((name, value) -> {
            if (!value.equals(had.get(name))) {
                assignments.add(name + " = " + value);
            }
        });
        had.keySet().stream().filter(name -> !want.containsKey(name)).forEach(name -> assignments.add(name + " = DEFAULT"));
        to.userVariables().forEach((name, value) -> {
            if (!value.equals(from.userVariables().get(name))) {
                assignments.add(userVariable(name) + " = " + value);
            }
        });
        from.userVariables().keySet().stream().filter(name -> !to.userVariables().containsKey(name))
                .forEach(name -> assignments.add(userVariable(name) + " = NULL"));
        if (!assignments.isEmpty()) {
            out.add("SET " + String.join(", ", assignments));
        }
        to.verbatimSets().subList(from.verbatimSets().size(), to.verbatimSets().size())
                .forEach(v -> out.add(v.sql()));
        return out;
    }

    /** The typed and generic session variables as {@code SESSION name -> literal}. */
    private static Map<String, String> typedVariables(SessionState s) {
        Map<String, String> vars = new LinkedHashMap<>();
        if (s.autocommit() != null) {
            vars.put("SESSION autocommit", s.autocommit() ? "1" : "0");
        }
        if (s.sqlMode() != null) {
            vars.put("SESSION sql_mode", s.sqlMode());
        }
        if (s.timeZone() != null) {
            vars.put("SESSION time_zone", s.timeZone());
        }
        s.variables().forEach((name, value) -> vars.put("SESSION " + name, value));
        return vars;
    }

    private static String userVariable(String name) {
        return name.matches("[A-Za-z0-9_$.]+") ? "@" + name : "@`" + name.replace("`", "``") + "`";
    }
}
