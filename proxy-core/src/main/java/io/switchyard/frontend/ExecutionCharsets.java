package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.ConnectionState;
import io.switchyard.frontend.state.SessionStateRestorer;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The character sets an execution of a prepared statement is bound under. The server converts a
 * string parameter from the {@code character_set_client} of the moment it received the
 * parameters' types to that moment's {@code collation_connection}, whatever {@code SET NAMES}
 * came since; a client that sends the types once keeps them bound so. An execution the proxy
 * sends with types inserted (to a copy of the statement on another connection, or run again
 * after a lost connection) must therefore be sent under the character sets the client's
 * statement was bound under, which need not be the session's now.
 */
final class ExecutionCharsets {
    private ExecutionCharsets() {}

    /**
     * The character sets the server converts the string parameters of an execution of
     * {@code st} from: those the client's statement was bound under (when the client sent the
     * types; the session's {@code session} otherwise); null when it has none.
     */
    static Map<String, String> boundUnder(PreparedStatements.Statement st, Map<String, String> session) {
        if (st.types == null || !io.switchyard.protocol.StmtExecute.hasStringParameter(st.types)) {
            return null;
        }
        return st.typesCharsets != null ? st.typesCharsets : session;
    }

    /**
     * Whether executions of {@code st} run under the connection's character sets whatever they
     * were bound under: one that assigns a character-set variable or reads the previous
     * statement's results (which a {@code SET} would change).
     */
    static boolean runsUnderConnections(PreparedStatements.Statement st) {
        return st.traits.charset() || st.traits.readsPrevious()
                || st.traits.assigned().stream().anyMatch(PreparedStatements.CONVERSION_VARIABLES::contains);
    }

    /**
     * The character sets an execution of {@code st} whose types the proxy inserted must be sent
     * under ({@link PreparedStatements.Statement#bindUnder}: those the client's statement was
     * bound under, when they are not the connection's now), or null when it runs under the
     * connection's ({@link #runsUnderConnections}). Asked once per execution.
     */
    static Map<String, String> toSet(PreparedStatements.Statement st) {
        Map<String, String> charsets = st.bindUnder;
        st.bindUnder = null;
        return charsets == null || runsUnderConnections(st) ? null : charsets;
    }

    /**
     * Runs {@code send} under {@code charsets} when not null: {@code c} takes them for the
     * execution and keeps them after it; the connection is brought back to the session's before
     * its next statement ({@link BackendSide#leavesCharsets}). A connection that refuses the
     * {@code SET} is {@code broken}; one lost under it is {@code lost}, before the execution was
     * sent.
     */
    static void sendUnder(BackendSide backend, BackendConnection c, Map<String, String> charsets, Runnable send,
                          Consumer<Throwable> broken, BiConsumer<BackendConnection, Throwable> lost) {
        if (charsets == null) {
            send.run();
            return;
        }
        ConnectionState here = backend.carriedState().withSchema(c.schema());
        ConnectionState there = PreparedStatements.withConversionCharsets(here, charsets);
        var plan = SessionStateRestorer.restore(here, there, c.baseline(), c.globals());
        PreparedStatements.run(c, plan, true, () -> {
            backend.leavesCharsets(charsets);
            send.run();
        }, err -> broken.accept(new IllegalStateException("could not set the character sets a statement was bound under: "
                + err.message())), lost);
    }
}
