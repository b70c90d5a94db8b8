package io.switchyard.backend;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log lines of one server's outages, kept few: while a server is down every connection
 * attempt fails, many times a second on every event loop and on every monitor check, and a line
 * for each would bury everything else. The first failure after a success is logged with its
 * cause; while failures go on, one summary with their count at most every
 * {@link #SUMMARY_INTERVAL_MILLIS}; the first success after failures is logged once, with how
 * long the outage lasted. The breaker's own changes (shunned, ONLINE again) are logged by
 * {@link ServerHealth}.
 *
 * <p>Thread-safe: failures are counted under a lock (they are rare next to the data path's
 * work); a success while nothing failed costs one volatile read.
 */
public final class OutageLog {
    /** How often a lasting outage is summarised. */
    public static final long SUMMARY_INTERVAL_MILLIS = TimeUnit.SECONDS.toMillis(60);
    private static final Logger log = LoggerFactory.getLogger(OutageLog.class);
    /**
     * A single failure this soon after the server came back (a monitor pool still refilling, say)
     * is not logged as a new outage; a second one is.
     */
    static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String server;
    private final LongSupplier nanoClock;
    private volatile boolean down;
    private long upSinceNanos;
    private long sinceNanos;
    private long reportedNanos;
    private long failures;
    private long failuresSinceReport;
    private String lastFailure;
    private boolean quiet;

    /** The outage log of {@code server} ({@code host:port}), on the given {@link System#nanoTime()}-like clock. */
    public OutageLog(String server, LongSupplier nanoClock) {
        this.server = Objects.requireNonNull(server);
        this.nanoClock = Objects.requireNonNull(nanoClock);
        this.upSinceNanos = nanoClock.getAsLong();
    }

    /** Now on this log's clock: what to pass to {@link #failed} as the start of an attempt. */
    public long now() {
        return nanoClock.getAsLong();
    }

    /**
     * An attempt to reach the server failed (connection refused, timed out, closed; not a refusal
     * the server sent itself, which proves it up).
     *
     * An attempt that began before the server was last found reachable again is not counted:
     * it waited on the outage that ended (a check's pool wait, a connect timeout) and says
     * nothing new.
     *
     * @param attempt what failed, e.g. {@code "connect as app"} or {@code "monitor ping"}
     * @param cause the failure's message
     * @param startedNanos when the attempt began, from {@link #now()}
     */
    public void failed(String attempt, String cause, long startedNanos) {
        String line = null;
        long count = 0;
        long seconds = 0;
        long lastSeconds = 0;
        synchronized (this) {
            if (!down && startedNanos - upSinceNanos < 0) {
                return;
            }
            long now = nanoClock.getAsLong();
            lastFailure = attempt + " failed: " + cause;
            failures++;
            if (!down) {
                down = true;
                sinceNanos = now;
                reportedNanos = now;
                failures = 1;
                failuresSinceReport = 0;
                quiet = now - upSinceNanos < SETTLE_NANOS;
                line = quiet ? null : lastFailure;
            } else if (quiet) {
                quiet = false;
                reportedNanos = now;
                failuresSinceReport = 0;
                line = lastFailure;
            } else {
                failuresSinceReport++;
                if (now - reportedNanos >= TimeUnit.MILLISECONDS.toNanos(SUMMARY_INTERVAL_MILLIS)) {
                    count = failuresSinceReport;
                    lastSeconds = TimeUnit.NANOSECONDS.toSeconds(now - reportedNanos);
                    seconds = TimeUnit.NANOSECONDS.toSeconds(now - sinceNanos);
                    reportedNanos = now;
                    failuresSinceReport = 0;
                    line = lastFailure;
                }
            }
        }
        if (line == null) {
            return;
        }
        if (count == 0) {
            log.warn("server {} is unreachable: {} (further failures are summarised every {} s)", server, line,
                    TimeUnit.MILLISECONDS.toSeconds(SUMMARY_INTERVAL_MILLIS));
        } else {
            log.warn("server {} is still unreachable after {} s: {} failed attempts in the last {} s, the last: {}", server,
                    seconds, count, lastSeconds, line);
        }
    }

    /**
     * An attempt to reach the server succeeded; logs the end of the outage if there was one.
     *
     * @param attempt what succeeded, e.g. {@code "connect as app"}
     */
    public void succeeded(String attempt) {
        if (!down) {
            return;
        }
        long count;
        long millis;
        synchronized (this) {
            if (!down) {
                return;
            }
            down = false;
            count = failures;
            upSinceNanos = nanoClock.getAsLong();
            millis = TimeUnit.NANOSECONDS.toMillis(upSinceNanos - sinceNanos);
            if (quiet) {
                quiet = false;
                return;
            }
        }
        log.info("server {} is reachable again ({} succeeded) after {} ms and {} failed attempts", server, attempt, millis,
                count);
    }

    /** True from a failure until the next success. */
    public boolean down() {
        return down;
    }
}
