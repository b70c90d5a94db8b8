package io.switchyard.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchyard.stats.CommandCounters;
import io.switchyard.stats.ProxyStats;
import io.switchyard.stats.StatementKind;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Finished statements, told by the data path: {@code switchyard_queries_total{hostgroup,kind}}
 * and the latency histogram {@code switchyard_query_duration_seconds{hostgroup}}, whose buckets
 * are the ones of {@code stats_mysql_commands_counters} (100 µs … 10 s).
 *
 * <p>{@link #statementDone} runs on the sessions' event loops. After the first statement of a
 * hostgroup and kind it only reads a concurrent map and an array slot, then increments lock-free
 * meters; the first one registers the meter, which takes the registry's lock once.
 */
final class StatementMeters implements ProxyStats.StatementObserver {
    static final String QUERIES = "switchyard.queries";
    static final String DURATION = "switchyard.query.duration";
    private static final StatementKind[] KINDS = StatementKind.values();
    private static final Duration[] BUCKETS = Arrays.stream(CommandCounters.BUCKET_BOUNDS_US)
            .mapToObj(us -> Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(us))).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final Map<Integer, Hostgroup> hostgroups = new ConcurrentHashMap<>();

    StatementMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void statementDone(int hostgroup, StatementKind kind, long micros, int errorCode) {
        Hostgroup h = hostgroups.get(hostgroup);
        if (h == null) {
            h = hostgroups.computeIfAbsent(hostgroup, this::newHostgroup);
        }
        Counter queries = h.byKind.get(kind.ordinal());
        if (queries == null) {
            queries = Counter.builder(QUERIES)
                    .description("Statements finished, by the hostgroup they ran in (-1: answered by the proxy) and their kind")
                    .tags("hostgroup", h.tag, "kind", kind.name())
                    .register(registry);
            h.byKind.set(kind.ordinal(), queries);
        }
        queries.increment();
        h.duration.record(micros, TimeUnit.MICROSECONDS);
    }

    private Hostgroup newHostgroup(int hostgroup) {
        String tag = Integer.toString(hostgroup);
        Timer duration = Timer.builder(DURATION)
                .description("Time the proxy took to complete a statement, by the hostgroup it ran in")
                .tags("hostgroup", tag)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        return new Hostgroup(tag, duration, new AtomicReferenceArray<>(KINDS.length));
    }

    /** The meters of one hostgroup; counters by kind are registered on first use. */
    private record Hostgroup(String tag, Timer duration, AtomicReferenceArray<Counter> byKind) {}
}
