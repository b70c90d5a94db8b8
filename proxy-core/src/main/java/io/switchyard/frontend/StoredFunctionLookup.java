package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.InternalQuery;
import io.switchyard.frontend.state.QuoteRules;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.frontend.state.StoredFunctionCalls;
import io.switchyard.protocol.Command;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Before a session that called stored functions may leave its connection, reads each one's body
 * there ({@code information_schema.ROUTINES}, with the session's own privileges) and tells the
 * session's tracker whether one may have left state the server does not report
 * ({@link StoredFunctionCalls#mayLeaveUnreportedState}): then the session stays. A function whose
 * body the account may not read, that is not a stored function (a loadable one, or a native one
 * of a newer server), or whose read fails, counts as one that may.
 *
 * <p>One query of one row per function ({@code COUNT(*)}, the body in hexadecimal, which reads
 * the same whatever the connection's character sets, and the {@code sql_mode} it was parsed
 * under): it clears the warnings and sets
 * {@code FOUND_ROWS()} to 1 and {@code ROW_COUNT()} to -1, so it runs only where no warnings are
 * held, and the caller gives the connection the session's values back afterwards.
 *
 * <p>Confined to the connection's event loop.
 */
final class StoredFunctionLookup {
    private StoredFunctionLookup() {
    }

    /** Reads {@code functions} on {@code c} into {@code tracker}, then calls {@code then} with null, or with the failure when the connection broke. */
    static void run(BackendConnection c, List<StoredFunctionCalls.Call> functions, SessionStateTracker tracker,
                    Consumer<Throwable> then) {
        run(c, functions, 0, tracker, then);
    }

    private static void run(BackendConnection c, List<StoredFunctionCalls.Call> functions, int next, SessionStateTracker tracker,
                            Consumer<Throwable> then) {
        if (next == functions.size()) {
            tracker.functionsChecked(false);
            then.accept(null);
            return;
        }
        c.executeInternal(Command.QUERY, query(functions.get(next)), new InternalQuery((row, err, failure) -> {
            if (failure != null) {
                tracker.functionsChecked(true);
                then.accept(failure);
                return;
            }
            String body = err == null && row != null && row.size() == 3 && "1".equals(row.get(0)) ? text(row.get(1)) : null;
            // The body is read as the server parsed it, under the sql_mode the function was created with.
            if (body == null || StoredFunctionCalls.mayLeaveUnreportedState(QuoteRules.of(row.get(2)).standardText(body))) {
                tracker.functionsChecked(true);
                then.accept(null);
                return;
            }
            run(c, functions, next + 1, tracker, then);
        }));
    }

    /**
     * The query that reads {@code function}'s body: one row of its count (1 when it is a stored
     * function), its body in hex and the {@code sql_mode} it was created with.
     */
    static String query(StoredFunctionCalls.Call function) {
        return "SELECT COUNT(*), HEX(MAX(ROUTINE_DEFINITION)), MAX(SQL_MODE) FROM information_schema.ROUTINES"
                + " WHERE ROUTINE_TYPE = 'FUNCTION'"
                + " AND ROUTINE_SCHEMA = " + utf8(function.schema()) + " AND ROUTINE_NAME = " + utf8(function.name());
    }

    private static String utf8(String value) {
        return "CONVERT(X'" + HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8)) + "' USING utf8mb4)";
    }

    /** The body the hex column holds, or null when it is none (no privilege to read it) or not hex. */
    private static String text(String hex) {
        if (hex == null || hex.length() % 2 != 0) {
            return null;
        }
        try {
            return new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
