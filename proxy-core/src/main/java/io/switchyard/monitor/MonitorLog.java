package io.switchyard.monitor;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The recent results of one kind of check, for a {@code monitor.mysql_server_*_log} table:
 * rows older than {@code mysql-monitor_history} are dropped, and never more than a hard cap
 * are kept (the oldest go first). Thread-safe: appends and snapshots are serialised on the log;
 * {@link #rows()} returns an immutable copy.
 *
 * @param <R> the row type
 */
public final class MonitorLog<R> {
    /** Rows kept at most per table, whatever the history length. */
    public static final int DEFAULT_MAX_ROWS = 50_000;

    private final String table;
    private final int maxRows;
    private final ToLongFunction<R> startMicros;
    private final LongSupplier nowMicros;
    private final ArrayDeque<R> rows = new ArrayDeque<>();
    private volatile long historyMillis;

    /**
     * @param table the table name, e.g. {@code mysql_server_ping_log}
     * @param maxRows hard cap on rows
     * @param historyMillis age above which rows are dropped ({@code mysql-monitor_history})
     * @param startMicros a row's {@code time_start_us}
     * @param nowMicros the clock rows are aged against, in epoch microseconds
     */
    public MonitorLog(String table, int maxRows, long historyMillis, ToLongFunction<R> startMicros, LongSupplier nowMicros) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1");
        }
        this.table = table;
        this.maxRows = maxRows;
        this.historyMillis = historyMillis;
        this.startMicros = startMicros;
        this.nowMicros = nowMicros;
    }

    /** The table this log backs, without the {@code monitor.} schema. */
    public String table() {
        return table;
    }

    /** Changes the history length; older rows go at the next append or snapshot. */
    public void historyMillis(long millis) {
        this.historyMillis = millis;
    }

    public synchronized void add(R row) {
        rows.addLast(row);
        while (rows.size() > maxRows) {
            rows.removeFirst();
        }
        expire();
    }

    /** The rows kept, oldest first; an immutable copy. */
    public synchronized List<R> rows() {
        expire();
        return List.copyOf(rows);
    }

    public synchronized int size() {
        return rows.size();
    }

    private void expire() {
        long oldest = nowMicros.getAsLong() - historyMillis * 1000;
        while (!rows.isEmpty() && startMicros.applyAsLong(rows.peekFirst()) < oldest) {
            rows.removeFirst();
        }
    }
}
