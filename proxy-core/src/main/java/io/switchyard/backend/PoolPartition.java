package io.switchyard.backend;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchyard.protocol.Command;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle connections of one {@link BackendPool} on one event loop, by connection key, and their
 * housekeeping: keepalive pings, idle timeout, maximum lifetime, and the minimum of idle
 * connections. Confined to its event loop; the pool's idle counter it updates is shared.
 */
final class PoolPartition {
    private static final Logger log = LoggerFactory.getLogger(PoolPartition.class);

    private final BackendPool pool;
    private final AtomicInteger idle;
    final EventLoop loop;
    final Map<ConnectionKey, ArrayDeque<BackendConnection>> idleByKey = new HashMap<>();
    ScheduledFuture<?> housekeeping;

    PoolPartition(BackendPool pool, EventLoop loop) {
        this.pool = pool;
        this.loop = loop;
        this.idle = pool.idleCounter();
    }

    BackendConnection takeIdle(ConnectionKey key, String schema) {
        ArrayDeque<BackendConnection> deque = idleByKey.get(key);
        if (deque == null) {
            return null;
        }
        BackendConnection fallback = null;
        for (Iterator<BackendConnection> it = deque.descendingIterator(); it.hasNext(); ) {
            BackendConnection c = it.next();
            if (!c.isIdle()) {
                it.remove();
                idle.decrementAndGet();
                continue;
            }
            if (Objects.equals(schema, c.schema())) {
                it.remove();
                idle.decrementAndGet();
                return c;
            }
            if (fallback == null && BackendPool.serves(schema, c.schema())) {
                fallback = c;
            }
        }
        if (fallback != null) {
            deque.remove(fallback);
            idle.decrementAndGet();
        }
        return fallback;
    }

    /** Takes {@code c} out of the idle connections if it is there and carried nothing since {@code uses}. */
    boolean takePreferred(BackendConnection c, long uses) {
        ArrayDeque<BackendConnection> deque = idleByKey.get(c.key());
        if (deque == null || c.uses() != uses || !c.isIdle() || !deque.remove(c)) {
            return false;
        }
        idle.decrementAndGet();
        return true;
    }

    void putIdle(BackendConnection c) {
        idleByKey.computeIfAbsent(c.key(), k -> new ArrayDeque<>()).addLast(c);
        idle.incrementAndGet();
    }

    /** Parks a connection back after a keepalive ping; it stayed counted as idle meanwhile. */
    void returnFromPing(BackendConnection c) {
        idleByKey.computeIfAbsent(c.key(), k -> new ArrayDeque<>()).addLast(c);
    }

    void remove(BackendConnection c) {
        ArrayDeque<BackendConnection> deque = idleByKey.get(c.key());
        if (deque != null && deque.remove(c)) {
            idle.decrementAndGet();
        }
    }

    boolean closeOneIdle() {
        for (ArrayDeque<BackendConnection> deque : idleByKey.values()) {
            BackendConnection c = deque.pollFirst();
            if (c != null) {
                idle.decrementAndGet();
                c.close();
                return true;
            }
        }
        return false;
    }

    void closeAll() {
        for (ArrayDeque<BackendConnection> deque : idleByKey.values()) {
            for (BackendConnection c : new ArrayList<>(deque)) {
                c.close();
            }
        }
        idleByKey.clear();
        if (housekeeping != null) {
            housekeeping.cancel(false);
        }
    }

    /** Idle connections unused this long may be closed when more are idle than the pool keeps. */
    static final long TRIM_AFTER_MILLIS = 10_000;

    /**
     * Closes idle connections above what the pool keeps ({@link BackendPool#idleToKeep}), oldest
     * first, only those unused for {@link #TRIM_AFTER_MILLIS}, and at most half of the excess per
     * round: after a burst the server's threads go away within seconds, not all at once.
     */
    private void trimExcessIdle() {
        int keep = pool.idleToKeep();
        int budget = (idle.get() - keep + 1) / 2;
        for (int i = 0; i < budget; i++) {
            BackendConnection c = oldestIdleUnusedFor(TRIM_AFTER_MILLIS);
            if (c == null || !pool.takeIdleAbove(keep)) {
                return;
            }
            idleByKey.get(c.key()).remove(c);
            c.close();
        }
    }

    private BackendConnection oldestIdleUnusedFor(long millis) {
        BackendConnection oldest = null;
        for (ArrayDeque<BackendConnection> deque : idleByKey.values()) {
            BackendConnection c = deque.peekFirst();
            if (c != null && BackendPool.idleFor(c) >= millis && (oldest == null || c.releasedNanos() < oldest.releasedNanos())) {
                oldest = c;
            }
        }
        return oldest;
    }

    void housekeep() {
        trimExcessIdle();
        for (Map.Entry<ConnectionKey, ArrayDeque<BackendConnection>> e : idleByKey.entrySet()) {
            ArrayDeque<BackendConnection> deque = e.getValue();
            List<BackendConnection> toPing = new ArrayList<>();
            for (Iterator<BackendConnection> it = deque.iterator(); it.hasNext(); ) {
                BackendConnection c = it.next();
                PoolSettings settings = pool.settings();
                boolean tooOld = BackendPool.age(c) > settings.maxLifetimeMillis();
                boolean unused = BackendPool.idleFor(c) > settings.idleTimeoutMillis() && pool.takeIdleAbove(settings.minIdle());
                if (!c.isIdle() || tooOld || unused) {
                    it.remove();
                    if (!unused) {
                        idle.decrementAndGet();
                    }
                    c.close();
                } else if (BackendPool.quietFor(c) > settings.keepaliveMillis()) {
                    it.remove();
                    toPing.add(c);
                }
            }
            toPing.forEach(this::ping);
            if (pool.health().status() == ServerState.SHUNNED) {
                continue;
            }
            int missing = pool.settings().minIdle() - pool.idleOrOpening();
            for (int i = 0; i < missing && !pool.isClosed(); i++) {
                pool.openSpare(loop, e.getKey(), this::putIdle);
            }
        }
    }

    private void ping(BackendConnection c) {
        ping(c, () -> { });
    }

    /** Pings {@code c}, taken out of the idle connections but still counted: back when it answers, closed when not; then {@code then}. */
    private void ping(BackendConnection c, Runnable then) {
        c.executeInternal(Command.PING, null, (err, failure) -> {
            if (err == null && failure == null) {
                returnFromPing(c);
            } else {
                idle.decrementAndGet();
                log.info("ping to {} failed; closing backend connection {}", pool.address(), c.id());
                c.close();
            }
            then.run();
        });
    }

    /**
     * Closes the statements cached on the idle connections that {@code keep} does not accept, and
     * pings each connection that had any, so that the server has processed the closes; then
     * {@code done}. A connection is out of the idle ones meanwhile, still counted.
     */
    void closeCachedStatements(BiPredicate<ConnectionState, String> keep, Runnable done) {
        List<BackendConnection> cached = new ArrayList<>();
        for (ArrayDeque<BackendConnection> deque : idleByKey.values()) {
            for (Iterator<BackendConnection> it = deque.iterator(); it.hasNext(); ) {
                BackendConnection c = it.next();
                if (c.isIdle() && c.statements() != null && c.statements().closeAllBut(c, keep)) {
                    it.remove();
                    cached.add(c);
                }
            }
        }
        int[] left = {cached.size() + 1};
        Runnable oneDone = () -> {
            if (--left[0] == 0) {
                done.run();
            }
        };
        cached.forEach(c -> ping(c, oneDone));
        oneDone.run();
    }
}
