package io.switchyard.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Statements by kind, with total time and a latency histogram: ProxySQL's
 * {@code stats_mysql_commands_counters}. Lock-free; safe from every event loop.
 */
public final class CommandCounters {
    /** Upper bounds of the histogram buckets, in microseconds; the last bucket is unbounded. */
    public static final long[] BUCKET_BOUNDS_US = {100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000, 10_000_000};
    /** Column names of the buckets, as ProxySQL names them. */
    public static final List<String> BUCKET_NAMES = List.of("cnt_100us", "cnt_500us", "cnt_1ms", "cnt_5ms", "cnt_10ms",
            "cnt_50ms", "cnt_100ms", "cnt_500ms", "cnt_1s", "cnt_5s", "cnt_10s", "cnt_INFs");

    private final Counter[] counters = new Counter[StatementKind.values().length];

    public CommandCounters() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new Counter();
        }
    }

    /** Counts one statement of {@code kind} that took {@code micros}. */
    public void record(StatementKind kind, long micros) {
        Counter c = counters[kind.ordinal()];
        c.total.increment();
        c.timeUs.add(micros);
        int b = 0;
        while (b < BUCKET_BOUNDS_US.length && micros > BUCKET_BOUNDS_US[b]) {
            b++;
        }
        c.buckets[b].increment();
    }

    /** One row per kind, in the enum's order. */
    public List<Row> snapshot() {
        List<Row> out = new ArrayList<>(counters.length);
        for (StatementKind k : StatementKind.values()) {
            Counter c = counters[k.ordinal()];
            long[] buckets = new long[c.buckets.length];
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = c.buckets[i].sum();
            }
            out.add(new Row(k, c.timeUs.sum(), c.total.sum(), buckets));
        }
        return out;
    }

    /** A row of {@code stats_mysql_commands_counters}; {@code buckets} follow {@link #BUCKET_NAMES}. */
    public record Row(StatementKind command, long totalTimeUs, long totalCount, long[] buckets) {}

    private static final class Counter {
        final LongAdder total = new LongAdder();
        final LongAdder timeUs = new LongAdder();
        final LongAdder[] buckets = new LongAdder[BUCKET_BOUNDS_US.length + 1];

        Counter() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }
}
