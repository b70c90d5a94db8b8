package io.switchyard.frontend.state;

import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.SessionBaseline;
import java.util.ArrayList;
import java.util.List;

/**
 * What the session's connection knows and the session does not, read there before the session's
 * next statement that does not read the last one's results: {@code LAST_INSERT_ID()} after a
 * statement that may have changed it, the character-set group after a change whose read-back
 * waited ({@link SessionStateTracker#deferCharsetReadBack}), and the schema's character-set
 * variables after a reset (which gives them the globals until a schema is selected). A read now
 * would replace the {@code ROW_COUNT()}, {@code FOUND_ROWS()} and warnings the next statement
 * may read.
 *
 * <p>Whether the session is pinned decides what is read: {@code LAST_INSERT_ID()} only for a
 * session that may move (a pinned one stays where the value is); the character sets also in a
 * pinned session, unless reading them would count in the status it reads.
 *
 * <p>Not thread-safe: part of one session's {@link SessionStateTracker}.
 */
final class PendingReadBack {
    private boolean lastInsertId;
    private boolean charsets;
    private boolean schemaCharsets;

    /** A statement may have changed {@code LAST_INSERT_ID()} on the session's connection. */
    void lastInsertIdChanged() {
        lastInsertId = true;
    }

    /** The character-set group's read-back waits for the next statement. */
    void charsetsChanged() {
        charsets = true;
    }

    /** The session's state was reset on the server: the schema's character sets are the globals there. */
    void reset() {
        lastInsertId = false;
        charsets = false;
        schemaCharsets = true;
    }

    /** A schema was selected: its character sets are the session's again, as the server reported. */
    void schemaSelected() {
        schemaCharsets = false;
    }

    boolean lastInsertIdUnknown() {
        return lastInsertId;
    }

    boolean charsetsUnread() {
        return charsets;
    }

    /**
     * True when {@link #names} names something ({@code movable}: the session is not pinned;
     * {@code readsCharsets}: the character sets may be read in a pinned one); asked after every
     * statement, so it allocates nothing.
     */
    boolean pending(boolean movable, boolean readsCharsets) {
        return (movable && lastInsertId) || ((charsets || schemaCharsets) && readsCharsets);
    }

    /** The variables to read, in the order {@link #read} takes them. */
    List<String> names(boolean movable, boolean readsCharsets) {
        if (!pending(movable, readsCharsets)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        if (lastInsertId && movable) {
            names.add(SessionStateTracker.LAST_INSERT_ID);
        }
        if (charsets) {
            names.addAll(SessionBaseline.CHARSET_VARIABLES);
        }
        if (schemaCharsets) {
            names.addAll(ConnectionState.SCHEMA_CHARSET_VARIABLES);
        }
        return names;
    }

    /** The variables {@code names} were read back (by this or by another read): no longer unknown. */
    void read(List<String> names) {
        if (names.contains(SessionStateTracker.LAST_INSERT_ID)) {
            lastInsertId = false;
        }
        if (names.contains(ConnectionState.SCHEMA_CHARSET_VARIABLES.get(0))) {
            schemaCharsets = false;
        }
        if (names.contains(SessionCollations.CHARACTER_SET_CLIENT)) {
            charsets = false;
        }
    }
}
