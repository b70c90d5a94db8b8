package io.switchyard.server.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchyard.frontend.SessionRegistry;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.stats.ProxyStats;
import java.util.List;

/**
 * Every meter the proxy publishes, in one Prometheus registry: statements (told by the data path
 * as they finish), proxy-wide counters, per-server pools and status, and the JVM's own. This is
 * the one place where a source of meters is added: the health monitor's meters go into
 * {@link #create} beside the others, as one more {@link DynamicMeters}.
 *
 * <p>{@link #scrape} is serialised: it brings the meters that follow the configuration up to date,
 * then renders the Prometheus text format. Statement meters are updated from the event loops
 * without locks.
 */
public final class SwitchyardMetrics implements AutoCloseable {
    /** Content type of {@link #scrape}: the Prometheus text exposition format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final List<DynamicMeters> dynamic;
    private final JvmGcMetrics gc;

    private SwitchyardMetrics(PrometheusMeterRegistry registry, List<DynamicMeters> dynamic, JvmGcMetrics gc) {
        this.registry = registry;
        this.dynamic = dynamic;
        this.gc = gc;
    }

    /** Registers the proxy's meters and subscribes to finished statements. */
    public static SwitchyardMetrics create(ProxyStats stats, ConfigRuntime runtime, SessionRegistry sessions) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        stats.addObserver(new StatementMeters(registry));
        List<DynamicMeters> dynamic = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(
                new ProxyMeters(registry, stats, sessions),
                new BackendMeters(registry, runtime)));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        SwitchyardMetrics metrics = new SwitchyardMetrics(registry, dynamic, gc);
        metrics.refresh();
        return metrics;
    }

    /** Adds the health monitor's meters. */
    public void bindMonitor(io.switchyard.monitor.Monitor monitor) {
        io.micrometer.core.instrument.FunctionCounter.builder("switchyard_monitor_writer_conflicts", monitor,
                        m -> m.writerConflicts())
                .description("servers that reported read_only=0 while their replication hostgroup pair already had a writer (fenced)")
                .register(registry);
    }

    /** Adds fleet mode's meters ({@link FleetMeters}). */
    public synchronized void bindFleet(io.switchyard.admin.FleetLink fleet) {
        dynamic.add(new FleetMeters(registry, fleet));
    }

    /** The registry, e.g. for meters of components wired later. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** All meters in the Prometheus text format ({@link #CONTENT_TYPE}), current as of this call. */
    public synchronized String scrape() {
        refresh();
        return registry.scrape();
    }

    private synchronized void refresh() {
        dynamic.forEach(DynamicMeters::refresh);
    }

    /** Stops the JVM listeners and the registry. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
