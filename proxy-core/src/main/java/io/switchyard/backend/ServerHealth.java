package io.switchyard.backend;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the health monitor and the data path have learned about one server (host and port),
 * shared by every hostgroup the server is in: its status, {@code @@read_only}, replication lag,
 * last ping latency, and whether it is fenced out of its replication hostgroup pair.
 *
 * <p>The status is a circuit breaker. ONLINE is closed. It opens (SHUNNED) when
 * {@link BreakerPolicy#shunOnFailures} connection attempts fail within one second, or
 * {@link BreakerPolicy#pingMaxFailures} monitor pings fail in a row. While open, every failed
 * probe restarts the rest; once the server has rested {@link BreakerPolicy#recoveryMillis} since
 * its last failure, it is half-open: the next successful probe closes the breaker, the next
 * failed one opens it again. SHUNNED_REPLICATION_LAG is set and cleared by the lag check only.
 *
 * <p>Thread-safe: transitions are serialised on an internal lock, reads are volatile and
 * lock-free (the data path reads {@link #status} on every routing decision). Each transition is
 * logged once and passed to the {@linkplain #onTransition listener}, outside the lock.
 */
public final class ServerHealth {
    private static final Logger log = LoggerFactory.getLogger(ServerHealth.class);
    private static final long FAILURE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * The breaker's thresholds, from {@code mysql-shun_on_failures},
     * {@code mysql-monitor_ping_max_failures} and {@code mysql-shun_recovery_time_sec}
     * (the runtime's {@code GlobalVariables.breakerPolicy()}).
     */
    public record BreakerPolicy(int shunOnFailures, int pingMaxFailures, long recoveryMillis) {
        /** The variables' defaults: 5 failures in a second, 2 missed pings in a row, 10 s of rest. */
        public static final BreakerPolicy DEFAULT = new BreakerPolicy(5, 2, 10_000);

        public BreakerPolicy {
            if (shunOnFailures < 1 || pingMaxFailures < 1 || recoveryMillis < 0) {
                throw new IllegalArgumentException("breaker thresholds must be positive");
            }
        }
    }

    /** A change of {@link #status()}, with what caused it. */
    public record Transition(String server, ServerState from, ServerState to, String reason) {}

    private final String server;
    private final LongSupplier nanoClock;
    private final OutageLog outages;
    private final Object lock = new Object();
    private final ArrayDeque<Long> connectFailures = new ArrayDeque<>();
    private int pingFailuresInRow;
    private volatile BreakerPolicy policy = BreakerPolicy.DEFAULT;
    private volatile Consumer<Transition> listener = t -> {};
    private volatile ServerState status = ServerState.ONLINE;
    private volatile long restStartNanos;
    private volatile long shunnedAtNanos;
    private volatile Boolean readOnly;
    private volatile GtidPosition gtidPosition = GtidPosition.EMPTY;
    private volatile boolean fenced;
    private volatile boolean reachable = true;
    /** A monitor probe succeeded after the last failure of any kind (probe or data-path connect). */
    private volatile boolean answeredSinceFailure;
    private volatile long lagSeconds = -1;
    private volatile long pingLatencyMicros = -1;

    /** Health of {@code server} ({@code host:port}, for log lines), on the system clock. */
    public ServerHealth(String server) {
        this(server, System::nanoTime);
    }

    /** Same, on the given {@link System#nanoTime()}-like clock. */
    public ServerHealth(String server, LongSupplier nanoClock) {
        this.server = Objects.requireNonNull(server);
        this.nanoClock = Objects.requireNonNull(nanoClock);
        this.outages = new OutageLog(server, nanoClock);
    }

    /** Where the data path and the monitor report failed and successful attempts to reach the server, for the log. */
    public OutageLog outages() {
        return outages;
    }

    /** ONLINE, SHUNNED or SHUNNED_REPLICATION_LAG. */
    public ServerState status() {
        return status;
    }

    /** Sets the thresholds; takes effect from the next failure or probe. */
    public void policy(BreakerPolicy next) {
        this.policy = Objects.requireNonNull(next);
    }

    public BreakerPolicy policy() {
        return policy;
    }

    /** Called after every status change, on the thread that caused it (possibly an event loop: keep it short). */
    public void onTransition(Consumer<Transition> next) {
        this.listener = Objects.requireNonNull(next);
    }

    /**
     * A data-path connection attempt failed (network, timeout, handshake; not a login refused by
     * the server). Opens the breaker when enough failed within one second.
     */
    public void connectFailed() {
        Transition t;
        synchronized (lock) {
            answeredSinceFailure = false;
            t = countConnectFailure("connection attempts");
        }
        fire(t);
    }

    /** A monitor connect check failed: counted like a data-path failure; while shunned, the rest restarts. */
    public void connectCheckFailed() {
        Transition t = null;
        synchronized (lock) {
            reachable = false;
            answeredSinceFailure = false;
            if (status == ServerState.SHUNNED) {
                restStartNanos = nanoClock.getAsLong();
            } else {
                t = countConnectFailure("connection attempts (monitor connect check)");
            }
        }
        fire(t);
    }

    /** A monitor connect check succeeded: closes the breaker if the server has rested. */
    public void connectCheckSucceeded() {
        Transition t;
        synchronized (lock) {
            reachable = true;
            answeredSinceFailure = true;
            t = closeIfRested("connect check succeeded");
        }
        fire(t);
    }

    /** A monitor ping failed or timed out: opens the breaker after enough in a row; while shunned, the rest restarts. */
    public void pingFailed() {
        Transition t = null;
        synchronized (lock) {
            reachable = false;
            answeredSinceFailure = false;
            pingFailuresInRow++;
            if (status == ServerState.SHUNNED) {
                restStartNanos = nanoClock.getAsLong();
            } else if (pingFailuresInRow >= policy.pingMaxFailures()) {
                t = open(pingFailuresInRow + " pings failed in a row");
            }
        }
        fire(t);
    }

    /**
     * A monitor ping answered in {@code latencyMicros} (negative: the server answered, but with an
     * error, so there is no latency to record): resets the failure count, closes the breaker if rested.
     */
    public void pingSucceeded(long latencyMicros) {
        Transition t;
        synchronized (lock) {
            if (latencyMicros >= 0) {
                pingLatencyMicros = latencyMicros;
            }
            pingFailuresInRow = 0;
            reachable = true;
            answeredSinceFailure = true;
            t = closeIfRested("ping succeeded");
        }
        fire(t);
    }

    /** Closes the breaker once rested, with no probe; for when the monitor is disabled and the data path must find out. */
    public void retryAfterRest() {
        Transition t;
        synchronized (lock) {
            t = closeIfRested("rested with the monitor disabled");
        }
        fire(t);
    }

    /** The lag check found the replica too far behind: ONLINE becomes SHUNNED_REPLICATION_LAG (a shunned server stays shunned). */
    public void lagging(String why) {
        Transition t = null;
        synchronized (lock) {
            if (status == ServerState.ONLINE) {
                t = move(ServerState.SHUNNED_REPLICATION_LAG, why);
            }
        }
        fire(t);
    }

    /** The lag check found the replica within its limit (or no longer a replica): SHUNNED_REPLICATION_LAG becomes ONLINE. */
    public void caughtUp(String why) {
        Transition t = null;
        synchronized (lock) {
            if (status == ServerState.SHUNNED_REPLICATION_LAG) {
                t = move(ServerState.ONLINE, why);
            }
        }
        fire(t);
    }

    /** Opens the breaker by hand (or for lag), whatever the counters say. */
    public void shun(ServerState why) {
        if (why != ServerState.SHUNNED && why != ServerState.SHUNNED_REPLICATION_LAG) {
            throw new IllegalArgumentException("not a shunned state: " + why);
        }
        Transition t;
        synchronized (lock) {
            t = why == ServerState.SHUNNED ? open("shunned by request") : move(why, "shunned by request");
        }
        fire(t);
    }

    /** Closes the breaker by hand, whatever the rest. */
    public void recover() {
        Transition t;
        synchronized (lock) {
            pingFailuresInRow = 0;
            connectFailures.clear();
            t = move(ServerState.ONLINE, "recovered by request");
        }
        fire(t);
    }

    /** {@link System#nanoTime()} when the breaker last opened. */
    public long shunnedAtNanos() {
        return shunnedAtNanos;
    }

    /** Milliseconds since the breaker opened; 0 when it is not open (SHUNNED). */
    public long shunnedForMillis() {
        return status == ServerState.SHUNNED ? TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - shunnedAtNanos) : 0;
    }

    /**
     * True while the breaker is open (SHUNNED) but a monitor probe succeeded after the last
     * failure: the server is back and only resting. The router uses such a server when its
     * hostgroup has nothing else.
     */
    public boolean answeringWhileShunned() {
        return status == ServerState.SHUNNED && answeredSinceFailure;
    }

    /** False when the last monitor probe of the server failed. */
    public boolean reachable() {
        return reachable;
    }

    /** Records the outcome of a probe other than ping or connect (e.g. the read_only check). */
    public void reachable(boolean value) {
        reachable = value;
    }

    /** The server's read_only as last checked, or null when not checked (yet). */
    public Boolean readOnly() {
        return readOnly;
    }

    public void readOnly(Boolean value) {
        this.readOnly = value;
    }

    /**
     * The GTID position the server is known to have applied: the monitor's last
     * {@code @@gtid_current_pos}, or a later one a session saw it reach ({@code MASTER_GTID_WAIT}).
     */
    public GtidPosition gtidPosition() {
        return gtidPosition;
    }

    /** The monitor read the server's position: it replaces what was known (a server restored from a backup goes back). */
    public void gtidChecked(GtidPosition position) {
        gtidPosition = position;
    }

    /** The server has applied at least {@code position} (a session's wait returned). */
    public void gtidReached(GtidPosition position) {
        GtidPosition known = gtidPosition;
        GtidPosition merged = known.merge(position);
        if (merged != known) {
            gtidPosition = merged;
        }
    }

    /**
     * True while the server is kept out of both hostgroups of its replication pair: it reported
     * read_only=0 while another server held the writer role, or it lost that role while unreachable.
     */
    public boolean fenced() {
        return fenced;
    }

    public void fenced(boolean value) {
        this.fenced = value;
    }

    /** Seconds behind its primary as last checked; -1 when unknown or not a replica. */
    public long lagSeconds() {
        return lagSeconds;
    }

    public void lagSeconds(long value) {
        this.lagSeconds = value;
    }

    /** Round trip of the last successful monitor ping in microseconds; -1 before the first. */
    public long pingLatencyMicros() {
        return pingLatencyMicros;
    }

    /** Failed pings since the last successful one. */
    public int pingFailuresInRow() {
        synchronized (lock) {
            return pingFailuresInRow;
        }
    }

    private Transition countConnectFailure(String what) {
        long now = nanoClock.getAsLong();
        connectFailures.addLast(now);
        while (!connectFailures.isEmpty() && now - connectFailures.peekFirst() >= FAILURE_WINDOW_NANOS) {
            connectFailures.removeFirst();
        }
        int limit = policy.shunOnFailures();
        while (connectFailures.size() > limit) {
            connectFailures.removeFirst();
        }
        if (connectFailures.size() >= limit && status != ServerState.SHUNNED) {
            int failed = connectFailures.size();
            connectFailures.clear();
            return open(failed + " " + what + " failed within 1 s");
        }
        return null;
    }

    private Transition open(String why) {
        long now = nanoClock.getAsLong();
        restStartNanos = now;
        answeredSinceFailure = false;
        if (status == ServerState.SHUNNED) {
            return null;
        }
        shunnedAtNanos = now;
        return move(ServerState.SHUNNED, why);
    }

    private Transition closeIfRested(String why) {
        if (status != ServerState.SHUNNED) {
            return null;
        }
        long rested = nanoClock.getAsLong() - restStartNanos;
        if (rested < TimeUnit.MILLISECONDS.toNanos(policy.recoveryMillis())) {
            return null;
        }
        connectFailures.clear();
        return move(ServerState.ONLINE, why + " after " + TimeUnit.NANOSECONDS.toMillis(rested) + " ms of rest");
    }

    private Transition move(ServerState to, String why) {
        ServerState from = status;
        if (from == to) {
            return null;
        }
        status = to;
        return new Transition(server, from, to, why);
    }

    private void fire(Transition t) {
        if (t == null) {
            return;
        }
        if (t.to() == ServerState.ONLINE) {
            log.info("server {} is ONLINE again (was {}): {}", server, t.from(), t.reason());
        } else {
            log.warn("server {} is {} (was {}): {}", server, t.to(), t.from(), t.reason());
        }
        listener.accept(t);
    }
}
