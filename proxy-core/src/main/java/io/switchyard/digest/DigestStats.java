package io.switchyard.digest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-digest statement statistics behind the admin's {@code stats_mysql_query_digest} (and its
 * {@code _reset} twin): for each (hostgroup, schema, user, client address, digest), how many
 * statements ran, when, for how long, and with how many rows and errors.
 *
 * <p><b>Bounded.</b> The table holds at most {@code maxEntries} digest rows. Once full, rows
 * already in it keep counting exactly, and statements of any other key are counted together in
 * one overflow row (hostgroup {@value #OVERFLOW_HOSTGROUP}, digest 0, text
 * {@value #OVERFLOW_TEXT}) until the next reset. This is cheaper and more predictable than
 * evicting: no recency bookkeeping on the hot path, and a row never silently loses its history;
 * a growing overflow row tells the operator to raise the limit or reset more often. Each row
 * keeps its digest text, so memory is bounded by about {@code maxEntries} times the digest
 * length cap.
 *
 * <p><b>Thread-safety.</b> Safe for concurrent use from every event loop. A {@link #record} of a
 * key already in the table allocates only the lookup key and updates the row's counters without
 * locks ({@link LongAdder}s for sums, compare-and-set for min/max/last-seen). Snapshots read the
 * counters of a row one after another, not atomically. A reset swaps in an empty table; a record
 * racing with it lands in the old table or the new one, and if in the old one after
 * {@link #snapshotAndReset} read it, it is lost.
 */
public final class DigestStats {
    /** Default maximum number of digest rows. */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    /** Hostgroup shown on the overflow row. */
    public static final int OVERFLOW_HOSTGROUP = -1;
    /** Digest text shown on the overflow row. */
    public static final String OVERFLOW_TEXT = "(other digests: digest table full)";

    private final int maxEntries;
    private final InstantSource clock;
    private final AtomicReference<Table> table = new AtomicReference<>(new Table());

    /** A table of at most {@code maxEntries} rows, timed by the system clock. */
    public DigestStats(int maxEntries) {
        this(maxEntries, InstantSource.system());
    }

    /** A table of at most {@code maxEntries} rows whose first/last-seen times come from {@code clock}. */
    public DigestStats(int maxEntries, InstantSource clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException(
                    "query digest table size (maxEntries) must be at least 1, was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /**
     * Counts one finished statement.
     *
     * @param schema the session's schema, null or {@code ""} for none
     * @param clientAddress the client's host, or null when client addresses are not tracked
     * @param timeMicros execution time, microseconds
     * @param rowsAffected affected rows from the OK packet, 0 for a result set
     * @param rowsSent rows of the result set sent to the client
     * @param error whether the statement ended with an ERR packet
     */
    public void record(int hostgroup, String schema, String user, String clientAddress,
                       QueryDigest digest, long timeMicros, long rowsAffected, long rowsSent,
                       boolean error) {
        long now = clock.millis() / 1000;
        Key key = new Key(hostgroup, schema == null ? "" : schema, user,
                clientAddress == null ? "" : clientAddress, digest.hash());
        Table t = table.get();
        Entry e = t.rows.get(key);
        if (e == null) {
            e = t.entryFor(key, digest.text(), now, maxEntries);
        }
        e.add(now, timeMicros, rowsAffected, rowsSent, error);
    }

    /** The rows as they are now, the overflow row last if it counted anything; in no other order. */
    public List<DigestRow> snapshot() {
        return table.get().snapshot();
    }

    /** Forgets every row. */
    public void reset() {
        table.set(new Table());
    }

    /** The rows as they were, forgotten in the same step: {@code stats_mysql_query_digest_reset}. */
    public List<DigestRow> snapshotAndReset() {
        return table.getAndSet(new Table()).snapshot();
    }

    /** Digest rows in the table now, not counting the overflow row. */
    public int size() {
        return table.get().size.get();
    }

    private record Key(int hostgroup, String schema, String user, String clientAddress, long digest) {
    }

    private static final class Table {
        final ConcurrentHashMap<Key, Entry> rows = new ConcurrentHashMap<>();
        final AtomicInteger size = new AtomicInteger();
        final Entry overflow = new Entry(OVERFLOW_TEXT, 0);

        Entry entryFor(Key key, String text, long now, int maxEntries) {
            if (size.get() >= maxEntries) {
                return overflow;
            }
            Entry e = rows.computeIfAbsent(key, k -> {
                if (size.incrementAndGet() > maxEntries) {
                    size.decrementAndGet();
                    return null;
                }
                return new Entry(text, now);
            });
            return e != null ? e : overflow;
        }

        List<DigestRow> snapshot() {
            List<DigestRow> result = new ArrayList<>(rows.size() + 1);
            rows.forEach((k, e) -> {
                if (e.count.sum() > 0) {
                    result.add(e.row(k));
                }
            });
            if (overflow.count.sum() > 0) {
                result.add(overflow.row(new Key(OVERFLOW_HOSTGROUP, "", "", "", 0)));
            }
            return List.copyOf(result);
        }
    }

    /** Counters of one row; lock-free. */
    private static final class Entry {
        private static final VarHandle FIRST_SEEN;
        private static final VarHandle LAST_SEEN;
        private static final VarHandle MIN_TIME;
        private static final VarHandle MAX_TIME;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                FIRST_SEEN = lookup.findVarHandle(Entry.class, "firstSeen", long.class);
                LAST_SEEN = lookup.findVarHandle(Entry.class, "lastSeen", long.class);
                MIN_TIME = lookup.findVarHandle(Entry.class, "minTime", long.class);
                MAX_TIME = lookup.findVarHandle(Entry.class, "maxTime", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final String text;
        final LongAdder count = new LongAdder();
        final LongAdder sumTime = new LongAdder();
        final LongAdder sumRowsAffected = new LongAdder();
        final LongAdder sumRowsSent = new LongAdder();
        final LongAdder errors = new LongAdder();
        private volatile long firstSeen;
        private volatile long lastSeen;
        private volatile long minTime = Long.MAX_VALUE;
        private volatile long maxTime;

        Entry(String text, long firstSeen) {
            this.text = text;
            this.firstSeen = firstSeen;
            this.lastSeen = firstSeen;
        }

        void add(long now, long timeMicros, long rowsAffected, long rowsSent, boolean error) {
            if (firstSeen == 0) {
                FIRST_SEEN.compareAndSet(this, 0L, now);
            }
            raise(LAST_SEEN, now);
            raise(MAX_TIME, timeMicros);
            long min = minTime;
            while (timeMicros < min && !MIN_TIME.weakCompareAndSet(this, min, timeMicros)) {
                min = minTime;
            }
            sumTime.add(timeMicros);
            if (rowsAffected != 0) {
                sumRowsAffected.add(rowsAffected);
            }
            if (rowsSent != 0) {
                sumRowsSent.add(rowsSent);
            }
            if (error) {
                errors.increment();
            }
            count.increment();
        }

        private void raise(VarHandle field, long value) {
            long current = (long) field.getVolatile(this);
            while (value > current && !field.weakCompareAndSet(this, current, value)) {
                current = (long) field.getVolatile(this);
            }
        }

        DigestRow row(Key k) {
            long n = count.sum();
            long min = minTime;
            return new DigestRow(k.hostgroup(), k.schema(), k.user(), k.clientAddress(), k.digest(),
                    text, n, firstSeen, lastSeen, sumTime.sum(), min == Long.MAX_VALUE ? 0 : min,
                    maxTime, sumRowsAffected.sum(), sumRowsSent.sum(), errors.sum());
        }
    }
}
