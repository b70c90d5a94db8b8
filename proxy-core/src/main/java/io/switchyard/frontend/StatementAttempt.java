package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchyard.backend.BackendPool;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProxyError;
import io.switchyard.stats.StatementKind;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A statement on its way to a backend, with what it takes to run it again elsewhere and to
 * enforce its timeout. A statement is retried on another server of its hostgroup when its
 * backend connection fails before any byte of its result reached the client, when nothing tied
 * the session to that connection (no transaction, no pinned state), and when running it twice
 * cannot do harm: either it never reached the server (the connection could not be opened), or
 * it only reads, or it starts a transaction (with no transaction open, the one it may have started
 * ended with its connection). Retries wait an exponential backoff with full jitter.
 *
 * <p>Confined to the session's event loop.
 */
final class StatementAttempt {
    /**
     * Kinds that only read, only set session state (replayed anyway) or start a transaction: safe
     * to run twice, unless they call a stored function, whose body may write.
     */
    private static final Set<StatementKind> REPEATABLE = EnumSet.of(StatementKind.SELECT, StatementKind.SHOW,
            StatementKind.SHOW_TABLE_STATUS, StatementKind.DESCRIBE, StatementKind.EXPLAIN, StatementKind.SET,
            StatementKind.USE, StatementKind.BEGIN, StatementKind.START_TRANSACTION);
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final ByteBuf packets;
    private final int hostgroup;
    private final boolean repeatable;
    private final boolean sessionFree;
    private final long timeoutMillis;
    private final long unsentDeadlineNanos;
    private int retriesLeft;
    private int retries;
    private ScheduledFuture<?> timer;
    private boolean timedOut;
    private BackendPool avoid;

    /**
     * @param packets the command as it goes on the wire; this attempt owns it (null: the caller
     *                keeps what a retry sends, as for a prepared statement's execution)
     * @param callsStoredFunctions the statement may call stored functions (their bodies may write)
     * @param sessionFree true when nothing tied the session to a connection before the statement
     * @param retries how many times it may be retried
     * @param timeoutMillis how long it may run (0: no limit)
     * @param unsentRetryMillis how long a statement that never reached a server keeps being
     *                          retried, whatever {@code retries} says (a failover: the writer
     *                          died and a new one is on its way)
     */
    StatementAttempt(ByteBuf packets, int hostgroup, StatementKind kind, boolean callsStoredFunctions, boolean sessionFree,
                     int retries, long timeoutMillis, long unsentRetryMillis) {
        this.packets = packets;
        this.hostgroup = hostgroup;
        this.repeatable = kind != null && REPEATABLE.contains(kind) && !callsStoredFunctions;
        this.sessionFree = sessionFree;
        this.retriesLeft = retries;
        this.timeoutMillis = timeoutMillis;
        this.unsentDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(unsentRetryMillis);
    }

    int hostgroup() {
        return hostgroup;
    }

    /** The server that failed last: a retry goes elsewhere when the hostgroup has another usable server. */
    BackendPool avoid() {
        return avoid;
    }

    void avoid(BackendPool failed) {
        this.avoid = failed;
    }

    /** A copy of the command for one send; the attempt keeps its own for a retry. */
    ByteBuf packetsForSend() {
        return packets.retainedDuplicate();
    }

    /**
     * True when the statement may run again after its connection failed; {@code mayHaveRun} is
     * false when it never reached a server.
     */
    boolean mayRetry(boolean mayHaveRun) {
        if (!sessionFree || timedOut) {
            return false;
        }
        if (!mayHaveRun && System.nanoTime() < unsentDeadlineNanos) {
            return true;
        }
        return retriesLeft > 0 && (!mayHaveRun || repeatable);
    }

    /**
     * True when {@code err} says no connection to a server of the hostgroup could be had and the
     * statement, which then reached none, may wait for one (a failover); the next try avoids
     * {@code failed}.
     */
    boolean waitsForServer(ErrPacket err, BackendPool failed) {
        if (!ProxyError.BACKEND_UNREACHABLE.matches(err) || !mayRetry(false)) {
            return false;
        }
        avoid = failed;
        return true;
    }

    /**
     * Runs {@code again} after the next backoff (see {@link #nextBackoffMillis}), counted as a
     * retry in {@code context}'s statistics; see {@link #after}.
     */
    void retryLater(FrontendContext context, SessionControl session, EventLoop loop, Runnable again) {
        context.stats().retried();
        after(session, loop, nextBackoffMillis(context.variables().intValue("mysql-query_retry_backoff_ms")), again);
    }

    /** Runs {@code action} on {@code loop} after {@code millis} unless the session closed meanwhile; commands queue until then. */
    static void after(SessionControl session, EventLoop loop, long millis, Runnable action) {
        session.enter(SessionPhase.CONNECTING);
        loop.schedule(() -> {
            if (!session.closed()) {
                action.run();
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    /** Uses up one retry; returns how long to wait first: random in [0, base × 2^n], capped. */
    private long nextBackoffMillis(long baseMillis) {
        retriesLeft = Math.max(0, retriesLeft - 1);
        retries++;
        long cap = Math.min(MAX_BACKOFF_MILLIS, baseMillis << Math.min(retries, 16));
        return cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
    }

    /** Starts the timeout clock for the send that just went out. */
    void armTimeout(EventLoop loop, Runnable onTimeout) {
        cancelTimeout();
        if (timeoutMillis > 0) {
            timer = loop.schedule(onTimeout, timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    /** The client was answered with the timeout error; the server's eventual reply is dropped. */
    void markTimedOut() {
        timedOut = true;
    }

    boolean timedOut() {
        return timedOut;
    }

    /** The statement is over: frees the kept command and stops the clock. */
    void finish() {
        cancelTimeout();
        if (packets != null && packets.refCnt() > 0) {
            packets.release();
        }
    }

    private void cancelTimeout() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
