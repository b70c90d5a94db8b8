package io.switchyard.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerState;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.topology.HostgroupServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Per-server meters that follow the configuration in force: one set per connection pool (a
 * server's pool is shared by every hostgroup it is in, so these carry {@code server} only) and
 * one status set per server and hostgroup. A refresh registers meters for servers the admin
 * loaded and removes those of servers that left, so a scrape shows exactly the servers in force.
 * Confined to the scraping thread ({@link DynamicMeters}); the gauges read live values.
 */
final class BackendMeters implements DynamicMeters {
    private final MeterRegistry registry;
    private final ConfigRuntime runtime;
    private final Map<BackendPool, List<Meter>> byPool = new IdentityHashMap<>();
    private final Map<Member, List<Meter>> byMember = new HashMap<>();
    private volatile Map<Member, HostgroupServer> members = Map.of();

    BackendMeters(MeterRegistry registry, ConfigRuntime runtime) {
        this.registry = registry;
        this.runtime = runtime;
    }

    /** A server as a member of a hostgroup. */
    private record Member(int hostgroup, ServerAddress server) {}

    @Override
    public void refresh() {
        Set<BackendPool> pools = Collections.newSetFromMap(new IdentityHashMap<>());
        pools.addAll(runtime.pools());
        Map<Member, HostgroupServer> current = new HashMap<>();
        runtime.current().topology().hostgroups().forEach((hostgroup, servers) -> {
            for (HostgroupServer s : servers) {
                current.put(new Member(hostgroup, s.address()), s);
            }
        });
        members = current;

        // Removed first: a server that left and came back has a new pool under the same meter ids.
        byPool.entrySet().removeIf(e -> !pools.contains(e.getKey()) && remove(e.getValue()));
        byMember.entrySet().removeIf(e -> !current.containsKey(e.getKey()) && remove(e.getValue()));
        for (BackendPool pool : pools) {
            byPool.computeIfAbsent(pool, this::poolMeters);
        }
        for (Member m : current.keySet()) {
            byMember.computeIfAbsent(m, this::statusMeters);
        }
    }

    /** Removes {@code meters} from the registry; true, for use in {@code removeIf}. */
    private boolean remove(List<Meter> meters) {
        meters.forEach(registry::remove);
        return true;
    }

    private List<Meter> poolMeters(BackendPool pool) {
        Tags server = Tags.of("server", pool.address().toString());
        List<Meter> out = new ArrayList<>();
        out.add(gauge("switchyard.backend.connections", "Connections open to the server: used (borrowed by sessions) or free (idle in the pool)",
                server.and("state", "used"), pool, BackendPool::inUse, null));
        out.add(gauge("switchyard.backend.connections", "Connections open to the server: used (borrowed by sessions) or free (idle in the pool)",
                server.and("state", "free"), pool, BackendPool::idle, null));
        out.add(gauge("switchyard.backend.connections.limit", "Most connections the pool opens to the server",
                server, pool, p -> p.settings().maxConnections(), null));
        out.add(counter("switchyard.backend.connects", "Connection attempts to the server (TCP connect and login)",
                server.and("result", "ok"), pool, BackendPool::connectOk, null));
        out.add(counter("switchyard.backend.connects", "Connection attempts to the server (TCP connect and login)",
                server.and("result", "error"), pool, BackendPool::connectErr, null));
        out.add(gauge("switchyard.backend.waiting", "Statements waiting for a connection to the server (the pool is at its limit)",
                server, pool, BackendPool::waiting, null));
        out.add(counter("switchyard.backend.waits", "Statements that waited for a connection to the server and got one",
                server, pool, BackendPool::waitsServed, null));
        out.add(counter("switchyard.backend.wait", "Time statements waited for a connection to the server",
                server, pool, p -> p.waitNanos() / 1e9, "seconds"));
        out.add(counter("switchyard.backend.moves", "Idle connections to the server moved to another event loop for a statement waiting there",
                server, pool, BackendPool::moves, null));
        out.add(counter("switchyard.backend.queries", "Statements sent to the server", server, pool, BackendPool::queries, null));
        out.add(counter("switchyard.backend.sent", "Bytes of statements sent to the server",
                server, pool, BackendPool::bytesSent, BaseUnits.BYTES));
        out.add(counter("switchyard.backend.received", "Bytes of results received from the server",
                server, pool, BackendPool::bytesReceived, BaseUnits.BYTES));
        out.add(gauge("switchyard.server.replication.lag", "Seconds the server is behind its primary as last checked; NaN when unknown or not a replica",
                server, pool, p -> p.health().lagSeconds() < 0 ? Double.NaN : p.health().lagSeconds(), "seconds"));
        out.add(gauge("switchyard.server.read.only", "The server's @@read_only as last checked (1 or 0); NaN when not checked",
                server, pool, p -> readOnly(p.health().readOnly()), null));
        out.add(gauge("switchyard.server.ping.latency", "The monitor's last successful ping of the server; NaN before the first",
                server, pool, p -> p.health().pingLatencyMicros() <= 0 ? Double.NaN : p.health().pingLatencyMicros() / 1e6, "seconds"));
        return out;
    }

    private static double readOnly(Boolean value) {
        return value == null ? Double.NaN : value ? 1 : 0;
    }

    private List<Meter> statusMeters(Member m) {
        Tags tags = Tags.of("hostgroup", Integer.toString(m.hostgroup()), "server", m.server().toString());
        List<Meter> out = new ArrayList<>();
        for (ServerState state : ServerState.values()) {
            out.add(Gauge.builder("switchyard.server.status", this, self -> self.stateIs(m, state))
                    .description("1 for the server's status in the hostgroup (configured, or the monitor's when configured ONLINE), 0 for the others")
                    .tags(tags.and("status", state.name()))
                    .strongReference(true)
                    .register(registry));
        }
        return out;
    }

    private double stateIs(Member m, ServerState state) {
        HostgroupServer s = members.get(m);
        return s != null && s.effectiveState() == state ? 1 : 0;
    }

    private Meter gauge(String name, String description, Tags tags, BackendPool pool,
                        ToDoubleFunction<BackendPool> value, String unit) {
        return Gauge.builder(name, pool, value).description(description).tags(tags).baseUnit(unit)
                .strongReference(true).register(registry);
    }

    private Meter counter(String name, String description, Tags tags, BackendPool pool,
                          ToDoubleFunction<BackendPool> value, String unit) {
        return FunctionCounter.builder(name, pool, value).description(description).tags(tags).baseUnit(unit)
                .register(registry);
    }
}
