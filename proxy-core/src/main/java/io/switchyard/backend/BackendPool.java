package io.switchyard.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool of connections to one backend server. Connections are partitioned by event loop
 * ({@link PoolPartition}) so a client session borrows a connection that lives on its own loop and
 * no lock is taken on the data path; the limits ({@link PoolSettings}) hold across partitions
 * through atomic counters. A borrower whose loop has no idle connection takes one idle on
 * another loop, else opens one while the cap allows, else waits in arrival order for the next
 * one returned on any loop. A connection that changes loops moves its channel there
 * ({@link BackendConnection#moveTo}): every connection and session stays confined to one loop
 * at a time, and no slot is given up for a new login.
 *
 * <p>Longer than the house limit on purpose: the cap, the queue of waiters and the hand-over
 * between partitions (taking an idle connection from another loop, moving a returned one to the
 * loop of the longest waiter) share the same counters and must be read together to see that no
 * slot is lost or counted twice and no waiter is skipped; the statistics are plain counters at
 * the end.
 *
 * <p>Thread-safety: {@link #acquire} and {@link #release} must be called on the event loop the
 * connection belongs to (the caller's loop for acquire). Counters may be read from any thread.
 * Idle connections are pinged, aged out and topped up by a housekeeping task per partition
 * (not topped up while the server is shunned). Failed connects go to the server's
 * {@link io.switchyard.backend.OutageLog}, which logs an outage once, not every attempt.
 */
public final class BackendPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackendPool.class);
    private static final long HOUSEKEEPING_MILLIS = 1000;
    /** How long a waiter that no returned connection fits (another user, or no schema) may wait before one is closed to free a slot for it. */
    private static final long HANDOVER_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ServerAddress address;
    private final BackendSettings backendSettings;
    /** New connections compress whatever their client does ({@code mysql_servers.compression}). */
    private volatile boolean compression;
    private final Bootstrap bootstrap;
    private final Map<EventLoop, PoolPartition> partitions = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<Waiter> waiters = new ConcurrentLinkedDeque<>();
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicInteger maxInUse = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger opening = new AtomicInteger();
    private final LongAdder connectOk = new LongAdder();
    private final LongAdder connectErr = new LongAdder();
    private final LongAdder queries = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder waitsServed = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();
    private final LongAdder moves = new LongAdder();
    private final ServerHealth health;
    private final Set<BackendConnection> open = ConcurrentHashMap.newKeySet();
    /** What the proxy saw {@code SET GLOBAL} change on this server. */
    private final GlobalValues globals = new GlobalValues();
    private volatile PoolSettings settings;
    private volatile int freeConnectionsPct = 10;
    private volatile boolean closed;

    public BackendPool(ServerAddress address, PoolSettings settings, BackendSettings backendSettings, Bootstrap bootstrap) {
        this.address = Objects.requireNonNull(address);
        this.settings = Objects.requireNonNull(settings);
        this.backendSettings = Objects.requireNonNull(backendSettings);
        this.bootstrap = Objects.requireNonNull(bootstrap);
        this.health = new ServerHealth(address.toString());
    }

    /**
     * Borrows a connection for {@code key} on {@code loop} (the caller's loop): an idle one whose
     * schema fits, else a new one, else waits up to the acquire timeout for a free slot. The
     * returned connection's schema may differ from {@code schema} only when {@code schema} is
     * non-null; the caller then switches it with COM_INIT_DB.
     */
    public Future<BackendConnection> acquire(EventLoop loop, ConnectionKey key, String schema) {
        return acquire(loop, key, schema, null, 0);
    }

    /**
     * Same, giving back {@code preferred} when it is still idle in this pool and has carried no
     * command since it had carried {@code uses} (a session returning to the connection it used
     * last finds its state, and the results of its last statement, as it left them).
     */
    public Future<BackendConnection> acquire(EventLoop loop, ConnectionKey key, String schema,
                                             BackendConnection preferred, long uses) {
        Promise<BackendConnection> promise = loop.newPromise();
        if (preferred != null && !closed && partition(loop).takePreferred(preferred, uses)) {
            lendIdle(preferred, promise);
            return promise;
        }
        if (closed) {
            return promise.setFailure(closedError());
        }
        BackendConnection own = partition(loop).takeIdle(key, schema);
        if (own != null) {
            lendIdle(own, promise);
        } else if (idle.get() > 0 && partitions.size() > 1) {
            askOtherLoops(otherPartitions(loop).iterator(), loop, key, schema, promise);
        } else {
            openOrWait(loop, key, schema, promise);
        }
        return promise;
    }

    private List<PoolPartition> otherPartitions(EventLoop loop) {
        List<PoolPartition> others = new ArrayList<>(partitions.size());
        for (PoolPartition p : partitions.values()) {
            if (p.loop != loop) {
                others.add(p);
            }
        }
        return others;
    }

    /**
     * Asks the other loops' partitions, one after the other on their own loops, for an idle
     * connection that fits; the first found moves to {@code loop}. When none has one, opens or
     * waits on {@code loop}.
     */
    private void askOtherLoops(Iterator<PoolPartition> others, EventLoop loop, ConnectionKey key, String schema,
                               Promise<BackendConnection> promise) {
        if (!others.hasNext()) {
            if (loop.inEventLoop()) {
                openOrWait(loop, key, schema, promise);
            } else {
                loop.execute(() -> openOrWait(loop, key, schema, promise));
            }
            return;
        }
        PoolPartition p = others.next();
        p.loop.execute(() -> {
            BackendConnection c = promise.isDone() || closed ? null : p.takeIdle(key, schema);
            if (c != null) {
                handOver(c, loop, promise);
            } else {
                askOtherLoops(others, loop, key, schema, promise);
            }
        });
    }

    /** On {@code loop}: opens a connection if the cap allows, else queues the borrower. */
    private void openOrWait(EventLoop loop, ConnectionKey key, String schema, Promise<BackendConnection> promise) {
        if (promise.isDone()) {
            return;
        }
        if (closed) {
            promise.tryFailure(closedError());
            return;
        }
        if (reserveSlot()) {
            openInto(loop, key, schema, promise);
            return;
        }
        Waiter waiter = new Waiter(loop, key, schema, promise);
        promise.addListener(served -> {
            if (served.isSuccess()) {
                waitsServed.increment();
                waitNanos.add(System.nanoTime() - waiter.sinceNanos);
            }
        });
        waiter.timeout = loop.schedule(() -> {
            waiters.remove(waiter);
            promise.tryFailure(new PoolTimeoutException(address, settings.acquireTimeoutMillis(), settings.maxConnections()));
        }, settings.acquireTimeoutMillis(), TimeUnit.MILLISECONDS);
        waiters.addLast(waiter);
        if (idle.get() > 0) {
            serveWaitersFromIdle();
        }
    }

    /** Opens a connection, in an already reserved slot, for {@code promise}. */
    private void openInto(EventLoop loop, ConnectionKey key, String schema, Promise<BackendConnection> promise) {
        connect(loop, key, schema).addListener(f -> {
            if (f.isSuccess()) {
                BackendConnection c = (BackendConnection) f.getNow();
                maxInUse.accumulateAndGet(inUse.incrementAndGet(), Math::max);
                if (!promise.trySuccess(c)) {
                    release(c);
                }
            } else {
                promise.tryFailure(f.cause());
            }
        });
    }

    /**
     * Hands an idle connection to {@code promise}, on its own loop; it is parked again (and may
     * serve a waiter) if the borrower gave up meanwhile.
     */
    private void lendIdle(BackendConnection c, Promise<BackendConnection> promise) {
        maxInUse.accumulateAndGet(inUse.incrementAndGet(), Math::max);
        if (!promise.trySuccess(c)) {
            inUse.decrementAndGet();
            park(c);
        }
    }

    /**
     * Hands an idle connection, taken out of the pool on its own loop, to a borrower on
     * {@code loop}: directly when that is the connection's loop, else after moving it there.
     * The slot stays taken throughout; a connection that fails to move closes and frees it.
     */
    private void handOver(BackendConnection c, EventLoop loop, Promise<BackendConnection> promise) {
        if (loop == c.eventLoop()) {
            lendIdle(c, promise);
            return;
        }
        moves.increment();
        c.moveTo(loop).addListener(moved -> {
            if (moved.isSuccess()) {
                lendIdle(c, promise);
            } else {
                // The connection closed on the way (OFFLINE_HARD, or the socket could not move):
                // the borrower fails as on a lost connection, and its statement may go elsewhere.
                promise.tryFailure(moved.cause());
            }
        });
    }

    private IllegalStateException closedError() {
        return new IllegalStateException("pool for " + address + " is closed");
    }

    private boolean reserveSlot() {
        while (true) {
            int now = total.get();
            if (now >= settings.maxConnections()) {
                return false;
            }
            if (total.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Opens a connection in an already reserved slot. */
    private Future<BackendConnection> connect(EventLoop loop, ConnectionKey key, String schema) {
        long started = health.outages().now();
        Future<BackendConnection> f = BackendConnection.connect(bootstrap, loop, address, key, schema,
                backendSettings.withCompression(compression), globals);
        f.addListener(done -> {
            String attempt = "connect as " + key.credentials().user();
            if (done.isSuccess()) {
                connectOk.increment();
                health.outages().succeeded(attempt);
                BackendConnection c = (BackendConnection) done.getNow();
                open.add(c);
                c.closeHook(() -> onClosed(c));
            } else {
                connectErr.increment();
                total.decrementAndGet();
                if (done.cause() instanceof BackendLogin.BackendLoginException) {
                    log.warn("connect to {} as {} failed: {}", address, key.credentials().user(), done.cause().getMessage());
                } else {
                    health.outages().failed(attempt, done.cause().getMessage(), started);
                    health.connectFailed();
                }
                signalWaiters();
            }
        });
        return f;
    }

    /**
     * Returns a connection after use. The pool resets its session state (COM_RESET_CONNECTION)
     * and reads the schema it is left in before anyone else gets it; a connection that cannot be
     * reused is closed.
     */
    public void release(BackendConnection c) {
        if (!takeBack(c)) {
            return;
        }
        SessionSetup.resetForPool(c, ready -> {
            if (ready) {
                park(c);
            } else {
                c.close();
            }
        });
    }

    /**
     * Returns a connection between two statements of a session: no reset, the connection keeps
     * its session state (recorded on it) for the next borrower to adjust.
     */
    public void releaseKeepingState(BackendConnection c) {
        if (takeBack(c)) {
            park(c);
        }
    }

    /** Counts a borrowed connection as returned; false (and closes it) when it must not be reused. */
    private boolean takeBack(BackendConnection c) {
        inUse.decrementAndGet();
        c.markReleased();
        c.owner(null);
        if (closed || !c.reusable() || age(c) > settings.maxLifetimeMillis() || total.get() > settings.maxConnections()) {
            c.close();
            return false;
        }
        return true;
    }

    /** Closes a borrowed connection that the session could not use (e.g. it broke). */
    public void discard(BackendConnection c) {
        inUse.decrementAndGet();
        c.owner(null);
        c.close();
    }

    /** On the connection's loop: gives a free connection to the longest waiter it fits, whatever its loop, or keeps it idle. */
    private void park(BackendConnection c) {
        Waiter oldest = waiters.peekFirst();
        if (oldest != null && !oldest.canUse(c) && System.nanoTime() - oldest.sinceNanos > HANDOVER_AFTER_NANOS) {
            // The longest waiter wants another user (or no schema): this connection cannot serve
            // it, so give up its slot; the waiter opens its own.
            c.close();
            return;
        }
        Waiter waiter = pollWaiter(c);
        if (waiter != null) {
            handOver(c, waiter.loop, waiter.promise);
            return;
        }
        partition(c.eventLoop()).putIdle(c);
        if (!waiters.isEmpty()) {
            serveWaitersFromIdle();
        }
    }

    /** Takes the longest waiter that can use {@code c} out of the queue. */
    private Waiter pollWaiter(BackendConnection c) {
        for (Waiter w : waiters) {
            if (w.canUse(c) && waiters.remove(w)) {
                w.timeout.cancel(false);
                return w;
            }
        }
        return null;
    }

    /** A slot came free: the longest waiter takes an idle connection of its loop or opens one, keeping its place otherwise. */
    private void signalWaiters() {
        Waiter w = waiters.pollFirst();
        if (w != null) {
            w.loop.execute(() -> {
                if (w.promise.isDone()) {
                    signalWaiters();
                    return;
                }
                BackendConnection own = partition(w.loop).takeIdle(w.key, w.schema);
                if (own != null) {
                    w.timeout.cancel(false);
                    lendIdle(own, w.promise);
                } else if (reserveSlot()) {
                    w.timeout.cancel(false);
                    openInto(w.loop, w.key, w.schema, w.promise);
                } else {
                    waiters.addFirst(w);
                }
            });
        }
    }

    /**
     * Serves waiters from idle connections, on each partition's loop: one that a waiter can use
     * moves to it; failing that, one idle connection that nobody waiting can use (another user or
     * schema) is closed to free its slot.
     */
    private void serveWaitersFromIdle() {
        AtomicBoolean served = new AtomicBoolean();
        for (PoolPartition p : partitions.values()) {
            p.loop.execute(() -> {
                if (served.get() || waiters.isEmpty()) {
                    return;
                }
                Set<List<Object>> tried = new HashSet<>();
                for (Waiter w : waiters) {
                    if (!tried.add(Arrays.asList(w.key, w.schema))) {
                        continue;
                    }
                    BackendConnection c = p.takeIdle(w.key, w.schema);
                    if (c == null) {
                        continue;
                    }
                    if (waiters.remove(w)) {
                        w.timeout.cancel(false);
                        served.set(true);
                        handOver(c, w.loop, w.promise);
                    } else {
                        p.putIdle(c);
                    }
                    return;
                }
                if (p.closeOneIdle()) {
                    served.set(true);
                }
            });
        }
    }

    private PoolPartition partition(EventLoop loop) {
        return partitions.computeIfAbsent(loop, l -> {
            PoolPartition p = new PoolPartition(this, l);
            p.housekeeping = l.scheduleWithFixedDelay(p::housekeep, HOUSEKEEPING_MILLIS, HOUSEKEEPING_MILLIS, TimeUnit.MILLISECONDS);
            return p;
        });
    }

    /** Counts one idle connection as gone if more than {@code floor} are idle; false otherwise. */
    boolean takeIdleAbove(int floor) {
        while (true) {
            int now = idle.get();
            if (now <= floor) {
                return false;
            }
            if (idle.compareAndSet(now, now - 1)) {
                return true;
            }
        }
    }

    /**
     * True when a connection in schema {@code has} serves a borrower that wants {@code wanted}:
     * the same, or any when the borrower wants one (it switches with COM_INIT_DB). A borrower
     * that wants none needs a connection in none: a schema cannot be left.
     */
    static boolean serves(String wanted, String has) {
        return wanted != null || has == null;
    }

        static long age(BackendConnection c) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.createdNanos());
    }

    /** Time since a session last used the connection. */
    static long idleFor(BackendConnection c) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.releasedNanos());
    }

    /** Time since the connection last carried anything, keepalive pings included. */
    static long quietFor(BackendConnection c) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.lastUsedNanos());
    }

    public ServerAddress address() {
        return address;
    }

    /** What the proxy saw {@code SET GLOBAL} change on this server, which its connections' sessions follow. */
    public GlobalValues globals() {
        return globals;
    }

    public PoolSettings settings() {
        return settings;
    }

    /** Sets {@code mysql-free_connections_pct}: the share of the maximum kept open while idle. */
    public void freeConnectionsPct(int pct) {
        if (pct < 0 || pct > 100) {
            throw new IllegalArgumentException("mysql-free_connections_pct must be 0-100, got " + pct);
        }
        freeConnectionsPct = pct;
    }

    /**
     * Sets {@code mysql_servers.compression}: connections opened from now on use protocol
     * compression (when the server offers it) whatever their client does; open ones stay as they are.
     */
    public void compression(boolean on) {
        compression = on;
    }

    /** Changes sizing and timing; open connections above a lower maximum close as they are released. */
    public void settings(PoolSettings next) {
        this.settings = Objects.requireNonNull(next);
        signalWaiters();
    }

    /** What is known about the server's health; shared by every hostgroup it is in. */
    public ServerHealth health() {
        return health;
    }

    /**
     * Closes every connection now, borrowed ones included (their sessions see the connection
     * fail): what OFFLINE_HARD means. The pool stays usable. Safe from any thread: each
     * connection is closed on its own event loop, where its session and partition live.
     */
    public void closeEverything() {
        for (BackendConnection c : List.copyOf(open)) {
            c.closeFromAnyThread();
        }
    }

    /** Closes the idle connections now; borrowed ones stay with their sessions. */
    public void closeIdle() {
        for (PoolPartition p : partitions.values()) {
            p.loop.execute(() -> {
                while (p.closeOneIdle()) {
                    // until none is left
                }
            });
        }
    }

    /**
     * Closes on the server the statements cached on the idle connections that {@code keep} does
     * not accept, then runs {@code done} on {@code caller} once the server has processed every
     * close (a ping follows them on each connection). Borrowed connections stay as they are.
     */
    public void closeCachedStatements(BiPredicate<ConnectionState, String> keep, EventLoop caller, Runnable done) {
        List<PoolPartition> all = List.copyOf(partitions.values());
        AtomicInteger left = new AtomicInteger(all.size() + 1);
        Runnable oneDone = () -> {
            if (left.decrementAndGet() == 0) {
                caller.execute(done);
            }
        };
        for (PoolPartition p : all) {
            p.loop.execute(() -> p.closeCachedStatements(keep, oneDone));
        }
        oneDone.run();
    }

    /** Open connections, busy and idle. */
    public int total() {
        return total.get();
    }

    /** Connections borrowed by sessions. */
    public int inUse() {
        return inUse.get();
    }

    /** The most connections borrowed at once since start ({@code MaxConnUsed}). */
    public int maxInUse() {
        return maxInUse.get();
    }

    /** Borrowers waiting for a connection. */
    public int waiting() {
        return waiters.size();
    }

    /** Idle connections moved to another event loop for a borrower there, since start. */
    public long moves() {
        return moves.sum();
    }

    /** Connections parked in the pool. */
    public int idle() {
        return idle.get();
    }

    /** Borrowers that waited for a connection and got one, since start. */
    public long waitsServed() {
        return waitsServed.sum();
    }

    /** Time those borrowers waited, in total, since start. */
    public long waitNanos() {
        return waitNanos.sum();
    }

    /** Successful connects since start. */
    public long connectOk() {
        return connectOk.sum();
    }

    /** Counts a statement sent to the server over one of this pool's connections. */
    public void countQuery() {
        queries.increment();
    }

    /** Counts bytes of statements sent to the server. */
    public void countSent(long bytes) {
        bytesSent.add(bytes);
    }

    /** Counts bytes of results received from the server. */
    public void countReceived(long bytes) {
        bytesReceived.add(bytes);
    }

    /** Statements sent since start. */
    public long queries() {
        return queries.sum();
    }

    /** Bytes of statements sent since start ({@code Bytes_data_sent}). */
    public long bytesSent() {
        return bytesSent.sum();
    }

    /** Bytes of results received since start ({@code Bytes_data_recv}). */
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    /** Failed connects since start. */
    public long connectErr() {
        return connectErr.sum();
    }

    /** Closes idle connections and refuses new borrows; borrowed ones close when released. */
    @Override
    public void close() {
        closed = true;
        for (PoolPartition p : partitions.values()) {
            p.loop.execute(p::closeAll);
        }
        Waiter w;
        while ((w = waiters.poll()) != null) {
            w.promise.tryFailure(closedError());
        }
    }

    // ---- for PoolPartition -------------------------------------------------------------------

    /** Counts idle connections across partitions; the partitions change it as they park and take. */
    AtomicInteger idleCounter() {
        return idle;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Opens a connection on {@code loop} for {@code key} to keep the minimum of idle ones, if the
     * cap allows; {@code parked} receives it once logged in.
     */
    void openSpare(EventLoop loop, ConnectionKey key, java.util.function.Consumer<BackendConnection> parked) {
        if (closed || !reserveSlot()) {
            return;
        }
        opening.incrementAndGet();
        connect(loop, key, null).addListener(f -> {
            opening.decrementAndGet();
            if (f.isSuccess()) {
                parked.accept((BackendConnection) f.getNow());
            }
        });
    }

    /** Idle connections the pool keeps when the load drops: {@code mysql-free_connections_pct} of its maximum, at least its minimum. */
    int idleToKeep() {
        PoolSettings s = settings;
        return Math.max(s.minIdle(), (s.maxConnections() * freeConnectionsPct + 99) / 100);
    }

    /** Idle connections plus those being opened to become idle. */
    int idleOrOpening() {
        return idle.get() + opening.get();
    }


    private void onClosed(BackendConnection connection) {
        open.remove(connection);
        PoolPartition p = partitions.get(connection.eventLoop());
        if (p != null) {
            p.remove(connection);
        }
        total.decrementAndGet();
        signalWaiters();
    }

    private static final class Waiter {
        final EventLoop loop;
        final ConnectionKey key;
        final String schema;
        final Promise<BackendConnection> promise;
        final long sinceNanos = System.nanoTime();
        ScheduledFuture<?> timeout;

        /**
         * True when {@code c} can serve this waiter (after moving to its loop): the same user and
         * a schema that {@link #serves} it.
         */
        boolean canUse(BackendConnection c) {
            return key.equals(c.key()) && serves(schema, c.schema());
        }

        Waiter(EventLoop loop, ConnectionKey key, String schema, Promise<BackendConnection> promise) {
            this.loop = loop;
            this.key = key;
            this.schema = schema;
            this.promise = promise;
        }
    }

    /** No connection could be had within the acquire timeout. */
    public static final class PoolTimeoutException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public PoolTimeoutException(ServerAddress address, long waitedMillis, int max) {
            super("no connection to " + address + " within " + waitedMillis + " ms (all " + max + " in use)");
        }
    }
}
