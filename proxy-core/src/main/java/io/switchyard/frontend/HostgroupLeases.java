package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ConnectionKey;
import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.InternalSink;
import io.switchyard.frontend.state.SessionStateRestorer;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ProxyError;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend connections of one session, at most one per hostgroup, as ProxySQL keeps them
 * when a session's statements go to several hostgroups. One of them is current. Before a
 * statement runs on a connection, the connection is brought to the session's state (schema,
 * character set, session variables, user variables) with the statements
 * {@link SessionStateRestorer} computes from the state the connection carries (recorded on the
 * connection, so it survives the connection going back to the pool between statements).
 *
 * <p>Confined to the session's event loop, except {@link #killTarget()}.
 */
final class HostgroupLeases {
    private static final Logger log = LoggerFactory.getLogger(HostgroupLeases.class);
    /**
     * Clears the warnings and errors a connection holds (it reads a table, so the server resets
     * them first; any account may read {@code information_schema}), and changes nothing a
     * session reads afterwards but {@code FOUND_ROWS()} (0) and {@code ROW_COUNT()} (0, as the
     * {@code SET} before it left it): no transaction starts, not under {@code autocommit = 0}
     * either, and the characteristics a {@code SET TRANSACTION} gave the next one stay.
     */
    static final String CLEAR_DIAGNOSTICS = "DO (SELECT 1 FROM information_schema.ENGINES LIMIT 0)";
    /** A variable named in a server error ({@code Variable 'x' ...}, {@code SESSION variable 'x' ...}). */
    private static final java.util.regex.Pattern REFUSED_VARIABLE = java.util.regex.Pattern.compile("(?i)variable '([a-z0-9_]+)'");
    private final FrontendContext context;
    private final LeaseListener listener;
    private final Map<Integer, BackendLease> byHostgroup = new HashMap<>();
    private volatile BackendLease current;
    private BackendLease lastAcquire;
    private BackendPool syncFailedPool;
    /** The connection {@link #sync} brings to the session's state is one the session held (not just borrowed). */
    private boolean syncingHeld;
    private int currentHostgroup = -1;
    private final Map<Integer, BackendLease.Previous> previous = new HashMap<>();
    private boolean preferPrevious;
    /** Whom the session's connections log in as (the last {@link #use}). */
    private ConnectionKey lastKey;

    HostgroupLeases(FrontendContext context, LeaseListener listener) {
        this.context = context;
        this.listener = listener;
    }

    /** The connection statements run on now, or null. */
    BackendConnection connection() {
        BackendLease lease = current;
        return lease == null ? null : lease.connection();
    }

    int currentHostgroup() {
        return currentHostgroup;
    }

    /** Server and thread of the current connection, for KILL; safe from any thread. */
    BackendLease.KillTarget killTarget() {
        BackendLease lease = current;
        return lease == null ? null : lease.killTarget();
    }

    /**
     * Makes {@code hostgroup}'s connection current, borrowing one for {@code key} if the session
     * has none there (from another server than {@code avoid} when the hostgroup has one), and
     * brings it to {@code state}; then tells the listener it is {@link LeaseListener#leased},
     * or {@link LeaseListener#leaseFailed} with the error for the client. (A held connection
     * never closes unseen: see {@link BackendConnection.Holder#backendClosedWhileHeld}.)
     */
    void use(int hostgroup, BackendPool avoid, ConnectionKey key, ConnectionState state) {
        syncFailedPool = null;
        lastKey = key;
        BackendLease lease = byHostgroup.get(hostgroup);
        if (lease != null && lease.connection() != null && lease.connection().isIdle()) {
            makeCurrent(hostgroup, lease);
            syncingHeld = true;
            sync(hostgroup, lease, state);
            return;
        }
        syncingHeld = false;
        if (lease != null) {
            lease.release();
        }
        BackendLease fresh = new BackendLease(context, listener.loop(), listener);
        BackendLease.Previous last = previous.remove(hostgroup);
        fresh.prefer(preferPrevious ? last : null);
        lastAcquire = fresh;
        fresh.acquire(hostgroup, avoid, key, state.schema(), () -> {
            byHostgroup.put(hostgroup, fresh);
            makeCurrent(hostgroup, fresh);
            sync(hostgroup, fresh, state);
        }, listener::leaseFailed);
    }

    private void makeCurrent(int hostgroup, BackendLease lease) {
        current = lease;
        currentHostgroup = hostgroup;
    }

    /** Records that the current connection now carries {@code state} (a statement ran on it). */
    void ranOnCurrent(ConnectionState state) {
        BackendConnection c = connection();
        if (c != null) {
            c.sessionState(state);
        }
    }

    /** The state {@code c} carries: what was recorded on it, or a fresh login's. */
    private static ConnectionState carried(BackendConnection c) {
        ConnectionState s = c.sessionState();
        return s != null ? s : ConnectionState.initial(c.schema());
    }

    private void sync(int hostgroup, BackendLease lease, ConnectionState target) {
        if (!listener.fit(lease.connection())) {
            BackendConnection c = lease.connection();
            log.debug("{}: backend connection {} does not fit this session (memory limit, or globals from before a change), "
                    + "another is borrowed", c.address(), c.id());
            replace(hostgroup, lease, target);
            return;
        }
        ConnectionState from = carried(lease.connection());
        if (from.equals(target)) {
            listener.leased();
            return;
        }
        SessionStateRestorer.Plan plan = SessionStateRestorer.restore(from, target, lease.connection().baseline(),
                lease.connection().globals());
        if (plan.isEmpty()) {
            lease.connection().sessionState(target);
            listener.leased();
            return;
        }
        Deque<ByteBuf> commands = new ArrayDeque<>();
        Deque<Command> kinds = new ArrayDeque<>();
        for (SessionStateRestorer.Step step : plan.steps()) {
            commands.add(Packets.command(ByteBufAllocator.DEFAULT, step.command(), step.argument()));
            kinds.add(step.command());
        }
        runInOrder(hostgroup, lease, commands, kinds, () -> {
            lease.connection().sessionState(target);
            if (plan.initDb() != null) {
                lease.connection().schema(plan.initDb());
            }
            listener.leased();
        }, plan.followed().isEmpty() ? null : err -> {
            // The server refused a value the proxy gave after a global change: the proxy stops
            // following that variable, and the session takes another connection without it.
            BackendConnection c = lease.connection();
            java.util.Collection<String> refused = refusedVariables(err.message(), plan.followed());
            log.warn("{}: a session could not be given the globals it started with ({}); no longer following {}",
                    c.address(), err.message(), refused);
            c.globals().forget(refused);
            replace(hostgroup, lease, target);
        }, false);
    }

    /** Closes the lease's connection, which cannot serve the session, and borrows another brought to {@code target}. */
    private void replace(int hostgroup, BackendLease lease, ConnectionState target) {
        byHostgroup.remove(hostgroup);
        lease.discard(lease.connection());
        use(hostgroup, null, lastKey, target);
    }

    /**
     * The followed variables a server's refusal of a restore names ({@code Variable 'x' can't be
     * set …}, {@code SESSION variable 'x' is read-only}, …), or all of {@code followed} when it
     * names none of them: the others go on being followed.
     */
    static java.util.Collection<String> refusedVariables(String message, java.util.Collection<String> followed) {
        java.util.Set<String> named = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = REFUSED_VARIABLE.matcher(message);
        while (m.find()) {
            String name = m.group(1).toLowerCase(java.util.Locale.ROOT);
            if (followed.contains(name)) {
                named.add(name);
            }
        }
        return named.isEmpty() ? followed : named;
    }

    /**
     * Runs the commands one after the other on the lease's connection, then {@code done}; the
     * first failure stops them. When one of them warned ({@code warned}: a {@code SET} of a
     * deprecated variable, such as {@code big_tables}), {@link #CLEAR_DIAGNOSTICS} runs last:
     * the session's next statement would otherwise show those warnings ({@code SHOW WARNINGS},
     * its warning count) when it reads no table, where directly there are none. An error of that
     * statement (a server that hides the table) leaves the warnings, as they were before it.
     */
    private void runInOrder(int hostgroup, BackendLease lease, Deque<ByteBuf> commands, Deque<Command> kinds, Runnable done,
                            Consumer<ErrPacket> refused, boolean warned) {
        ByteBuf next = commands.poll();
        BackendConnection c = lease.connection();
        if (next == null) {
            if (!warned) {
                done.run();
                return;
            }
            c.execute(Command.QUERY, Packets.command(ByteBufAllocator.DEFAULT, Command.QUERY, CLEAR_DIAGNOSTICS),
                    new InternalSink((err, failure) -> {
                        if (failure != null) {
                            broken(hostgroup, lease, failure);
                        } else {
                            done.run();
                        }
                    }));
            return;
        }
        c.execute(kinds.poll(), next, InternalSink.withReply((reply, failure) -> {
            ErrPacket err = reply == null ? null : reply.error();
            if (err == null && failure == null) {
                runInOrder(hostgroup, lease, commands, kinds, done, refused, warned || reply.warnings() > 0);
                return;
            }
            commands.forEach(ByteBuf::release);
            if (failure != null) {
                broken(hostgroup, lease, failure);
                return;
            }
            c.sessionState(null);
            c.markNotReusable();
            if (refused != null) {
                refused.accept(err);
                return;
            }
            listener.leaseFailed(err);
        }));
    }

    /**
     * The lease's connection broke while being brought to the session's state: the statement
     * itself was not sent. One the session held is a loss between its commands.
     */
    private void broken(int hostgroup, BackendLease lease, Throwable failure) {
        BackendConnection c = lease.connection();
        c.sessionState(null);
        syncFailedPool = lease.pool();
        lease.discard(c);
        ErrPacket err = ProxyError.BACKEND_UNREACHABLE.format(c.address(), hostgroup, failure.getMessage());
        if (syncingHeld) {
            listener.heldLeaseBroken(c, failure, err);
        } else {
            listener.leaseFailed(err);
        }
    }

    /** The server the last borrow could not get a connection from, or null. */
    BackendPool lastFailedPool() {
        if (syncFailedPool != null) {
            return syncFailedPool;
        }
        return lastAcquire == null ? null : lastAcquire.failedPool();
    }

    /** Drops {@code failed} if the session holds it (it broke). */
    void discard(BackendConnection failed) {
        for (BackendLease lease : byHostgroup.values()) {
            if (lease.connection() == failed) {
                lease.discard(failed);
            }
        }
    }

    /** Gives every connection back to its pool (each is reset there): the session ends or starts over. */
    void releaseAll() {
        for (BackendLease lease : byHostgroup.values()) {
            lease.release();
        }
        previous.clear();
        forgetAll();
    }

    /**
     * Gives every connection back to its pool between two statements (multiplexing): each keeps
     * the session state it carries, for whoever borrows it next.
     */
    void releaseBetweenStatements() {
        previous.clear();
        byHostgroup.forEach((hostgroup, lease) -> {
            BackendConnection c = lease.connection();
            if (c != null && lease.pool() != null) {
                previous.put(hostgroup, new BackendLease.Previous(lease.pool(), c, c.uses()));
            }
            lease.releaseKeepingState();
        });
        forgetAll();
    }

    /**
     * Whether the next borrow should take back the connection the session gave up after its last
     * statement (the statement reads that one's result), rather than let the router choose.
     */
    void preferPrevious(boolean prefer) {
        this.preferPrevious = prefer;
    }

    /** The hostgroup of the connection the session gave back after its last statement, or -1. */
    int previousHostgroup() {
        return previous.size() == 1 ? previous.keySet().iterator().next() : -1;
    }

    /** The pool of the current connection's server, or null. */
    BackendPool currentPool() {
        BackendLease lease = current;
        return lease == null ? null : lease.pool();
    }

    /** Counts a statement of {@code bytes} sent on the current connection, in its server's statistics. */
    void countQuery(long bytes) {
        BackendLease lease = current;
        if (lease != null && lease.pool() != null) {
            lease.pool().countQuery();
            lease.pool().countSent(bytes);
        }
    }

    /** Counts result bytes received on the current connection. */
    void countReceived(long bytes) {
        BackendLease lease = current;
        if (lease != null && lease.pool() != null) {
            lease.pool().countReceived(bytes);
        }
    }

    /** True when the session holds any backend connection. */
    boolean holdsAny() {
        return !byHostgroup.isEmpty();
    }

    private void forgetAll() {
        byHostgroup.clear();
        current = null;
        currentHostgroup = -1;
    }

    /** Every held connection, for flushing and backpressure. */
    List<BackendConnection> connections() {
        List<BackendConnection> out = new ArrayList<>();
        for (BackendLease lease : byHostgroup.values()) {
            if (lease.connection() != null) {
                out.add(lease.connection());
            }
        }
        return out;
    }
}
