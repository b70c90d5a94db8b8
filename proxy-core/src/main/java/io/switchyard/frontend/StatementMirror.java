package io.switchyard.frontend;

import io.netty.channel.EventLoop;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.ConnectionKey;
import io.switchyard.backend.InternalSink;
import io.switchyard.protocol.Command;

/**
 * Copies of a session's statements sent to a query rule's {@code mirror_hostgroup} (to warm a
 * new server's caches, or to try a new version on real traffic). The copy runs on a connection
 * of its own, in the session's schema, and its result is discarded; the client never waits for
 * it and never sees its errors. At most one copy per session is in flight: a statement that
 * arrives meanwhile is not mirrored (counted as dropped), so a slow mirror cannot pile up work.
 *
 * <p>Confined to the session's event loop.
 */
final class StatementMirror {
    private final FrontendContext context;
    private boolean inFlight;

    StatementMirror(FrontendContext context) {
        this.context = context;
    }

    private void run(BackendLease lease, BackendConnection c, byte[] text) {
        c.executeInternal(Command.QUERY, text, new InternalSink((err, failure) -> done(lease, c, failure, true)));
    }

    /** The copy ran ({@code ran}) or could not: the connection goes back, or is closed when it broke. */
    private void done(BackendLease lease, BackendConnection c, Throwable failure, boolean ran) {
        inFlight = false;
        if (failure != null) {
            lease.discard(c);
        } else {
            lease.release();
        }
        if (ran && failure == null) {
            context.stats().mirrored();
        } else if (!ran) {
            context.stats().mirrorDropped();
        }
    }

    /** Runs a copy of the statement {@code text} (its bytes as sent) on {@code hostgroup}, as the session's user, in {@code schema}. */
    void mirror(int hostgroup, ConnectionKey key, String schema, byte[] text, EventLoop loop) {
        if (inFlight) {
            context.stats().mirrorDropped();
            return;
        }
        inFlight = true;
        BackendLease lease = new BackendLease(context, loop, null);
        lease.acquire(hostgroup, null, key, schema, () -> {
            BackendConnection c = lease.connection();
            if (schema == null || schema.equals(c.schema())) {
                run(lease, c, text);
                return;
            }
            c.executeInternal(Command.INIT_DB, schema, (err, failure) -> {
                if (err == null && failure == null) {
                    c.schema(schema);
                    run(lease, c, text);
                    return;
                }
                done(lease, c, failure, false);
            });
        }, err -> {
            inFlight = false;
            context.stats().mirrorDropped();
        });
    }
}
