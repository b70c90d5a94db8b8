package io.switchyard.frontend;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendFailures;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ConnectionKey;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProxyError;
import java.util.function.Consumer;

/**
 * The backend connection a client session holds, and how it got it: the router picks a server
 * of the session's hostgroup, the server's pool lends a connection on the session's event loop,
 * preferably one in the session's schema. Giving it back resets it in the pool.
 *
 * <p>Confined to the session's event loop, except {@link #killTarget()}, which other sessions
 * read to translate a {@code KILL} of this session.
 */
final class BackendLease {

    /**
     * The server, thread and hostgroup of the connection a session holds: for KILL, and for the
     * process list while the session sleeps.
     */
    record KillTarget(BackendPool pool, long threadId, int hostgroup) {}

    private final FrontendContext context;
    private final EventLoop loop;
    private final LeaseListener owner;
    private BackendPool pool;
    private BackendConnection connection;
    private volatile KillTarget killTarget;
    private BackendPool avoid;
    private BackendPool failedPool;
    private Previous preferred;
    private long deadlineNanos;
    private long waitMillis;

    /** The connection a session gave back after its last statement, and how many commands it had carried then. */
    record Previous(BackendPool pool, BackendConnection connection, long uses) {}

    /**
     * A lease borrowing on {@code loop} for {@code owner}, which holds the connection and whose
     * ending stops the borrow; a null owner (a mirrored statement) never ends.
     */
    BackendLease(FrontendContext context, EventLoop loop, LeaseListener owner) {
        this.context = context;
        this.loop = loop;
        this.owner = owner;
    }

    /** The held connection, or null. */
    BackendConnection connection() {
        return connection;
    }

    /** Server and thread of the held connection, or null; safe from any thread. */
    KillTarget killTarget() {
        return killTarget;
    }

    /**
     * Borrows a connection for {@code key} in {@code hostgroup}, preferably one in {@code schema}
     * (a new one logs in to it; the caller selects it on one in another schema, with the session's
     * character set: see {@link HostgroupLeases}), from another server than {@code avoid} (one
     * that just failed) unless it is the only one usable;
     * then runs {@code then}, or {@code failed} with the error for the client. If the owner ended
     * meanwhile, the connection goes straight back and neither runs.
     */
    void acquire(int hostgroup, BackendPool avoid, ConnectionKey key, String schema, Runnable then, Consumer<ErrPacket> failed) {
        this.waitMillis = context.variables().intValue("mysql-writer_wait_timeout");
        this.deadlineNanos = System.nanoTime() + waitMillis * 1_000_000L;
        this.avoid = avoid;
        acquireWithin(hostgroup, key, schema, then, failed);
    }

    private boolean ownerClosed() {
        return owner != null && owner.closed();
    }

    /** Asks the next {@link #acquire} for {@code previous}'s connection when it is still free and untouched. */
    void prefer(Previous previous) {
        this.preferred = previous;
    }

    /** The server whose connection could not be had at the last attempt, or null. */
    BackendPool failedPool() {
        return failedPool;
    }

    /** How often a statement waiting for a usable server in its hostgroup looks again. */
    private static final long SERVER_WAIT_POLL_MILLIS = 25;

    /**
     * Borrows from a usable server of the hostgroup; while there is none (failover: the writer
     * is down and no replica promoted yet), looks again every few milliseconds until the deadline.
     */
    private void acquireWithin(int hostgroup, ConnectionKey key, String schema, Runnable then, Consumer<ErrPacket> failed) {
        Previous p = preferred;
        BackendPool chosen = p != null && p.pool() != avoid ? p.pool() : context.router().pick(hostgroup, avoid);
        if (chosen == null) {
            if (ownerClosed()) {
                return;
            }
            if (System.nanoTime() >= deadlineNanos) {
                failed.accept(ProxyError.NO_USABLE_SERVER.format(hostgroup, waitMillis));
                return;
            }
            loop.schedule(() -> acquireWithin(hostgroup, key, schema, then, failed),
                    SERVER_WAIT_POLL_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            return;
        }
        BackendConnection wanted = p != null && p.pool() == chosen ? p.connection() : null;
        chosen.acquire(loop, key, schema, wanted, p == null ? 0 : p.uses()).addListener((Future<BackendConnection> f) -> {
            if (!f.isSuccess()) {
                failedPool = chosen;
                failed.accept(error(hostgroup, chosen, f.cause()));
                return;
            }
            BackendConnection c = f.getNow();
            if (ownerClosed()) {
                chosen.release(c);
                return;
            }
            pool = chosen;
            connection = c;
            c.owner(owner);
            killTarget = new KillTarget(chosen, c.threadId(), hostgroup);
            context.identity().learn(c.serverHandshake());
            then.run();
        });
    }

    private static ErrPacket error(int hostgroup, BackendPool chosen, Throwable cause) {
        ErrPacket refused = BackendFailures.loginError(cause);
        if (refused != null) {
            return refused;
        }
        if (cause instanceof BackendPool.PoolTimeoutException) {
            return ProxyError.CONNECT_TIMEOUT_HOSTGROUP.format(hostgroup, chosen.settings().acquireTimeoutMillis(), cause.getMessage());
        }
        return ProxyError.BACKEND_UNREACHABLE.format(chosen.address(), hostgroup, cause.getMessage());
    }

    /** Gives the connection back (the pool resets it), or closes it when it is mid-command. */
    void release() {
        giveBack(true);
    }

    /** Gives the connection back keeping its session state (multiplexing), or closes it when it is mid-command. */
    void releaseKeepingState() {
        giveBack(false);
    }

    private void giveBack(boolean reset) {
        if (connection == null) {
            return;
        }
        BackendConnection c = connection;
        connection = null;
        killTarget = null;
        c.owner(null);
        if (c.phase() != BackendConnection.Phase.IDLE) {
            pool.discard(c);
        } else if (reset) {
            pool.release(c);
        } else {
            pool.releaseKeepingState(c);
        }
    }

    /** The pool of the held connection, or null. */
    BackendPool pool() {
        return connection == null ? null : pool;
    }

    /** Drops {@code failed} if it is the held connection (it broke); the pool closes it. */
    void discard(BackendConnection failed) {
        if (connection == failed) {
            connection = null;
            killTarget = null;
            pool.discard(failed);
        }
    }
}
