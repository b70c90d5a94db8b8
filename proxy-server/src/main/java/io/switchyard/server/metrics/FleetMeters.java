package io.switchyard.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.switchyard.admin.FleetLink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fleet mode's meters: this node's link (connected, the configuration version it runs, the
 * number of nodes) and, per node of the fleet ({@code node} label), what it registered: the
 * version it runs, its uptime, client connections and queries per second. A refresh registers
 * meters for nodes that joined and removes those of nodes that left. Confined to the scraping
 * thread ({@link DynamicMeters}).
 */
final class FleetMeters implements DynamicMeters {
    private final MeterRegistry registry;
    private final FleetLink fleet;
    private final Map<String, List<Meter>> byNode = new HashMap<>();
    private volatile Map<String, FleetLink.Node> nodes = Map.of();

    FleetMeters(MeterRegistry registry, FleetLink fleet) {
        this.registry = registry;
        this.fleet = fleet;
        Gauge.builder("switchyard_fleet_connected", fleet, f -> f.status().connected() ? 1 : 0)
                .description("1 while this node's link to ZooKeeper is up").register(registry);
        Gauge.builder("switchyard_fleet_config_version", fleet, f -> f.status().configVersion())
                .description("version of the fleet's configuration in force on this node (-1 before the first)").register(registry);
        Gauge.builder("switchyard_fleet_nodes", this, m -> m.nodes.size())
                .description("nodes registered in the fleet, this one included").register(registry);
    }

    @Override
    public void refresh() {
        Map<String, FleetLink.Node> current = new HashMap<>();
        for (FleetLink.Node n : fleet.nodes()) {
            current.put(n.name(), n);
        }
        nodes = current;
        byNode.entrySet().removeIf(e -> {
            if (current.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
        for (String name : current.keySet()) {
            byNode.computeIfAbsent(name, this::register);
        }
    }

    private List<Meter> register(String name) {
        Tags tags = Tags.of("node", name);
        List<Meter> meters = new ArrayList<>();
        meters.add(gauge("switchyard_fleet_node_config_version", name, tags, FleetLink.Node::configVersion,
                "version of the fleet's configuration the node runs"));
        meters.add(gauge("switchyard_fleet_node_uptime_seconds", name, tags, FleetLink.Node::uptimeSeconds, "the node's uptime"));
        meters.add(gauge("switchyard_fleet_node_client_connections", name, tags, FleetLink.Node::clientConnections,
                "client connections open on the node"));
        meters.add(gauge("switchyard_fleet_node_queries_per_second", name, tags, FleetLink.Node::queriesPerSecond,
                "statements per second on the node over its last refresh"));
        return meters;
    }

    private Gauge gauge(String meter, String name, Tags tags, java.util.function.ToDoubleFunction<FleetLink.Node> value,
                        String description) {
        return Gauge.builder(meter, this, m -> {
            FleetLink.Node n = m.nodes.get(name);
            return n == null ? Double.NaN : value.applyAsDouble(n);
        }).tags(tags).description(description).register(registry);
    }
}
