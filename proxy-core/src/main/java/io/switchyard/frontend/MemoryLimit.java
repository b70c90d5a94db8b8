package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.GlobalValues;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * A session memory limit ({@code max_session_mem_used}; MySQL's {@code connection_memory_limit})
 * is checked by the server against all the memory of the backend connection a statement runs on.
 * A pooled connection holds memory for other sessions that a session's own connection would not
 * hold directly:
 *
 * <ul>
 *   <li>the prepared statements the proxy keeps cached on it for every session it served;</li>
 *   <li>a network buffer grown to the largest command any of them sent (the server keeps it at
 *       that size for the rest of the connection).</li>
 * </ul>
 *
 * <p>So for a session under a limit, and for a statement that sets one (the server checks the
 * limit as soon as it is set), the proxy closes the connection's cached statements the session
 * does not hold, and, where the session is free to move, does not use a connection whose network
 * buffer another session grew: it closes it and borrows another. Other sessions lose nothing but
 * the cache: they prepare their statements again where they run next.
 *
 * <p>The limit a session is under: its own value, else the global it started with when the proxy
 * saw that global change ({@link GlobalValues}), else the global as the monitor last read it (a
 * limit in the server's configuration; none before the monitor's first reading).
 */
final class MemoryLimit {
    /** The session variables that limit a connection's memory. */
    static final List<String> VARIABLES = List.of("max_session_mem_used", "connection_memory_limit");
    /** Their values that mean no limit (MariaDB's and MySQL's defaults on 64-bit servers). */
    private static final Set<String> UNLIMITED = Set.of("9223372036854775807", "18446744073709551615");
    /** The network buffer a connection starts with ({@code net_buffer_length}'s default), headers included. */
    private static final int FRESH_BUFFER = 16 * 1024 + 4;

    private MemoryLimit() {
    }

    /**
     * Before a statement on {@code c} of a session in {@code session} that assigns the variables
     * {@code assigned}: under or setting a limit, closes the statements cached on {@code c} that
     * {@code held} (the session's own, by what they were prepared under and their text) does not
     * accept.
     */
    static void before(BackendConnection c, ConnectionState session, List<String> assigned,
                       BiPredicate<ConnectionState, String> held) {
        if (c != null && c.statements() != null && applies(c, session, assigned)) {
            c.statements().closeAllBut(c, held);
        }
    }

    /**
     * True when {@code c}, just borrowed for the next statement of {@code session}'s {@code self},
     * a session free to move, must not serve it: the session is under or setting a limit, and
     * another session grew {@code c}'s network buffer.
     */
    static boolean unfit(BackendConnection c, ConnectionState session, List<String> assigned, BackendConnection.Holder self) {
        return c.largestCommand() > FRESH_BUFFER && c.largestCommandBy() != self && applies(c, session, assigned);
    }

    private static boolean applies(BackendConnection c, ConnectionState session, List<String> assigned) {
        for (String limit : VARIABLES) {
            if (assigned.contains(limit) || limited(c, session, limit)) {
                return true;
            }
        }
        return false;
    }

    private static boolean limited(BackendConnection c, ConnectionState session, String limit) {
        String value = session.variables().get(limit);
        if (value == null && c.globals() != null) {
            value = c.globals().sessionDefault(limit, session.globalsAsOf());
        }
        return value != null && !UNLIMITED.contains(value);
    }
}
