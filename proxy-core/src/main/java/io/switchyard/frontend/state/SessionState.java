package io.switchyard.frontend.state;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The movable session state of one client (or of one backend connection): what must be the same
 * on a backend connection before a client's statement may run on it. A {@code null} field means
 * "never set in this session": the server's default for a new connection.
 *
 * <p>Immutable value: every {@code with…} method returns a new instance, maps and lists are
 * unmodifiable copies, so a state may be shared between threads and kept as a snapshot of a
 * pooled backend connection.
 *
 * @param schema the default database, or {@code null} for none
 * @param charset the last {@code SET NAMES} / {@code SET CHARACTER SET}, or {@code null}
 * @param autocommit the session's {@code autocommit}, or {@code null} if never set
 * @param sqlMode the {@code sql_mode} literal exactly as the client wrote it (quotes included)
 * @param timeZone the {@code time_zone} literal exactly as written (quotes included)
 * @param isolationLevel session isolation level as keywords, e.g. {@code READ COMMITTED}
 * @param readOnly session transaction access mode ({@code true} for {@code READ ONLY})
 * @param variables other session variables, lower-case name to literal text as written, in the
 *     order they were first set
 * @param userVariables user variables assigned from literals, name (as written) to literal text
 * @param verbatimSets {@code SET} statements the tracker could not reduce to literals, replayed
 *     in order after everything else
 */
public record SessionState(
        String schema,
        Charset charset,
        Boolean autocommit,
        String sqlMode,
        String timeZone,
        String isolationLevel,
        Boolean readOnly,
        Map<String, String> variables,
        Map<String, String> userVariables,
        List<VerbatimSet> verbatimSets) {

    /** A {@code SET NAMES charset [COLLATE collation]} or a {@code SET CHARACTER SET charset}. */
    public record Charset(boolean names, String charset, String collation) {

        /** The statement that sets this on a connection. */
        public String toSql() {
            if (!names) {
                return "SET CHARACTER SET " + charset;
            }
            return "SET NAMES " + charset + (collation == null ? "" : " COLLATE " + collation);
        }
    }

    /**
     * A {@code SET} replayed as written. {@code variable} is the lower-case name it assigns, or
     * {@code null} when the statement could not be read far enough to tell.
     */
    public record VerbatimSet(String variable, String sql) {
    }

    public SessionState {
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        userVariables = Collections.unmodifiableMap(new LinkedHashMap<>(userVariables));
        verbatimSets = List.copyOf(verbatimSets);
    }

    /** A fresh connection's state with the given default database (may be {@code null}). */
    public static SessionState initial(String schema) {
        return new SessionState(schema, null, null, null, null, null, null, Map.of(), Map.of(), List.of());
    }

    public SessionState withSchema(String newSchema) {
        return new SessionState(newSchema, charset, autocommit, sqlMode, timeZone, isolationLevel, readOnly,
                variables, userVariables, verbatimSets);
    }

    public SessionState withCharset(Charset newCharset) {
        return new SessionState(schema, newCharset, autocommit, sqlMode, timeZone, isolationLevel, readOnly,
                variables, userVariables, verbatimSets);
    }

    public SessionState withAutocommit(Boolean value) {
        return new SessionState(schema, charset, value, sqlMode, timeZone, isolationLevel, readOnly,
                variables, userVariables, verbatimSets);
    }

    public SessionState withSqlMode(String literal) {
        return new SessionState(schema, charset, autocommit, literal, timeZone, isolationLevel, readOnly,
                variables, userVariables, verbatimSets);
    }

    public SessionState withTimeZone(String literal) {
        return new SessionState(schema, charset, autocommit, sqlMode, literal, isolationLevel, readOnly,
                variables, userVariables, verbatimSets);
    }

    public SessionState withIsolationLevel(String level) {
        return new SessionState(schema, charset, autocommit, sqlMode, timeZone, level, readOnly,
                variables, userVariables, verbatimSets);
    }

    public SessionState withReadOnly(Boolean value) {
        return new SessionState(schema, charset, autocommit, sqlMode, timeZone, isolationLevel, value,
                variables, userVariables, verbatimSets);
    }

    /** Sets (or, with a {@code null} literal, forgets) a generic session variable. */
    public SessionState withVariable(String name, String literal) {
        Map<String, String> copy = new LinkedHashMap<>(variables);
        if (literal == null) {
            copy.remove(name);
        } else {
            copy.put(name, literal);
        }
        return new SessionState(schema, charset, autocommit, sqlMode, timeZone, isolationLevel, readOnly,
                copy, userVariables, verbatimSets);
    }

    /** Sets (or, with a {@code null} literal, forgets) a user variable. */
    public SessionState withUserVariable(String name, String literal) {
        Map<String, String> copy = new LinkedHashMap<>(userVariables);
        if (literal == null) {
            copy.remove(name);
        } else {
            copy.put(name, literal);
        }
        return new SessionState(schema, charset, autocommit, sqlMode, timeZone, isolationLevel, readOnly,
                variables, copy, verbatimSets);
    }

    /** Appends a verbatim {@code SET}. */
    public SessionState withVerbatimSet(VerbatimSet set) {
        List<VerbatimSet> copy = new java.util.ArrayList<>(verbatimSets);
        copy.add(set);
        return new SessionState(schema, charset, autocommit, sqlMode, timeZone, isolationLevel, readOnly,
                variables, userVariables, copy);
    }

    /**
     * Drops the verbatim {@code SET}s of {@code variable}: a later literal assignment of the same
     * variable makes them irrelevant.
     */
    public SessionState withoutVerbatimSetsOf(String variable) {
        List<VerbatimSet> kept = verbatimSets.stream().filter(v -> !Objects.equals(v.variable(), variable)).toList();
        if (kept.size() == verbatimSets.size()) {
            return this;
        }
        return new SessionState(schema, charset, autocommit, sqlMode, timeZone, isolationLevel, readOnly,
                variables, userVariables, kept);
    }
}
