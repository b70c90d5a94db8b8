package io.switchyard.topology;

import io.switchyard.backend.BackendPool;
import java.util.List;
import java.util.Map;

/**
 * The servers the proxy routes to, by hostgroup, with their connection pools. Immutable snapshot:
 * a change builds a new one and publishes it atomically.
 *
 * @param hostgroups pools of each hostgroup's servers
 */
public record Topology(Map<Integer, List<BackendPool>> hostgroups) {
    public Topology {
        hostgroups = hostgroups.entrySet().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue())));
    }

    /** Pools of the servers in {@code hostgroup}; empty when the hostgroup is unknown. */
    public List<BackendPool> pools(int hostgroup) {
        return hostgroups.getOrDefault(hostgroup, List.of());
    }

    /** Every pool, each once. */
    public List<BackendPool> allPools() {
        return hostgroups.values().stream().flatMap(List::stream).distinct().toList();
    }
}
