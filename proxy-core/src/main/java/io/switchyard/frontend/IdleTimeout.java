package io.switchyard.frontend;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Ends a client session that waits for its next command longer than its limit, as the server
 * closes a connection idle past its {@code wait_timeout}. Idle means between commands: a
 * statement that runs for hours is not idle, and every command (a {@code COM_PING} too) starts
 * the wait again. The limit is asked for each time the session becomes idle, so a
 * {@code SET wait_timeout} counts from the next wait on.
 *
 * <p>One timer per session at most, moved only when a wait must end sooner than it would fire.
 * Confined to the session's event loop.
 */
final class IdleTimeout {
    private final EventLoop loop;
    private final LongSupplier limitMillis;
    private final Runnable expire;
    private boolean idle;
    private boolean stopped;
    private long idleSinceNanos;
    private ScheduledFuture<?> check;
    private long checkAtNanos;

    /**
     * @param limitMillis the session's limit now, in ms; 0 or less for none
     * @param expire ends the session; runs at most once
     */
    IdleTimeout(EventLoop loop, LongSupplier limitMillis, Runnable expire) {
        this.loop = loop;
        this.limitMillis = limitMillis;
        this.expire = expire;
    }

    /** A command arrived: the session is not idle until it is done. */
    void busy() {
        idle = false;
    }

    /** The session waits for its next command from now on (unless it already did). */
    void idle() {
        if (stopped) {
            return;
        }
        if (!idle) {
            idle = true;
            idleSinceNanos = System.nanoTime();
        }
        long limit = limitMillis.getAsLong();
        if (limit > 0) {
            armAt(idleSinceNanos + TimeUnit.MILLISECONDS.toNanos(limit));
        }
    }

    /** The session ended. */
    void stop() {
        stopped = true;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void armAt(long atNanos) {
        if (check != null) {
            if (checkAtNanos - atNanos <= 0) {
                return;
            }
            check.cancel(false);
        }
        checkAtNanos = atNanos;
        check = loop.schedule(this::fire, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        check = null;
        if (stopped || !idle) {
            return;
        }
        long limit = limitMillis.getAsLong();
        if (limit <= 0) {
            return;
        }
        long deadline = idleSinceNanos + TimeUnit.MILLISECONDS.toNanos(limit);
        if (System.nanoTime() - deadline >= 0) {
            stop();
            expire.run();
        } else {
            armAt(deadline);
        }
    }
}
