package io.switchyard.frontend;

import io.switchyard.backend.ConnectionState;
import java.util.Map;

/**
 * The character-set variables the connection a session holds carries instead of the session's
 * own: an execution ran under those its client statement was bound under
 * ({@link PreparedCommands}, {@link PreparedStatements}), and the connection keeps them
 * until the session's next statement that does not read that execution's results, before which
 * it gets the session's back (a {@code SET} then would set {@code ROW_COUNT()} to 0).
 *
 * <p>Confined to the session's event loop.
 */
final class LeftCharsets {
    /** Left by the running command, or null. */
    private Map<String, String> running;
    /** On the connection the session holds, or null. */
    private Map<String, String> owed;

    /** The running command leaves its connection with {@code charsets} ({@link PreparedStatements#CONVERSION_VARIABLES}), or null: none. */
    void leave(Map<String, String> charsets) {
        running = charsets;
    }

    /**
     * The running command ended; {@code idle}: on the connection the session holds, which now
     * carries {@link #carried} for {@code session} (returned), else null.
     */
    ConnectionState ended(ConnectionState session, boolean idle) {
        if (idle && running != null) {
            owed = running;
        }
        running = null;
        return idle ? carried(session) : null;
    }

    /** What the connection the session holds carries when the session is in {@code session}. */
    ConnectionState carried(ConnectionState session) {
        return owed == null ? session : PreparedStatements.withConversionCharsets(session, owed);
    }

    /**
     * True when the connection must get the session's character sets back before the next
     * command, which {@code readsPrevious} results (then it keeps them); they count as given back.
     */
    boolean giveBack(boolean readsPrevious) {
        if (owed == null || readsPrevious) {
            return false;
        }
        owed = null;
        return true;
    }

    /** The session takes another connection, brought to its state when it borrows it. */
    void forget() {
        owed = null;
    }
}
