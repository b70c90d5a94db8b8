package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ConnectionState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prepared statements the clients of all sessions hold open, by what they were prepared
 * under and their text, counted: a statement cached on a pooled connection that no client holds
 * may be closed on the server without anyone noticing (before an {@code UNINSTALL PLUGIN}, see
 * {@link BackendSide}).
 *
 * <p>Thread-safe: sessions on every event loop add and remove theirs.
 */
final class HeldStatements {
    private record Key(ConnectionState prepareState, String sql) {}

    private final Map<Key, Integer> counts = new ConcurrentHashMap<>();

    /** A client prepared {@code sql} under {@code prepareState}. */
    void hold(ConnectionState prepareState, String sql) {
        counts.merge(new Key(prepareState, sql), 1, Integer::sum);
    }

    /** A client closed such a statement, or its session forgot it. */
    void release(ConnectionState prepareState, String sql) {
        counts.computeIfPresent(new Key(prepareState, sql), (k, n) -> n == 1 ? null : n - 1);
    }

    /**
     * Closes the statements no client holds that are cached on {@code c} and on the idle
     * connections of its server's {@code pool}, then runs {@code then} on {@code c}'s event loop
     * once the server has processed the closes.
     */
    void closeUnheld(BackendConnection c, BackendPool pool, Runnable then) {
        if (c.statements() != null) {
            c.statements().closeAllBut(c, this::holds);
        }
        pool.closeCachedStatements(this::holds, c.eventLoop(), then);
    }

    /** True when some client holds {@code sql} prepared under {@code prepareState}. */
    boolean holds(ConnectionState prepareState, String sql) {
        return counts.containsKey(new Key(prepareState, sql));
    }
}
