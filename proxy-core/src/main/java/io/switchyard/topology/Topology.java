package io.switchyard.topology;

import io.switchyard.backend.BackendPool;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The servers the proxy routes to, by hostgroup. Immutable snapshot: a change builds a new one
 * and publishes it atomically. A server in several hostgroups appears once per hostgroup and
 * shares one pool.
 *
 * @param hostgroups each hostgroup's servers, in configuration order
 */
public record Topology(Map<Integer, List<HostgroupServer>> hostgroups) {
    public Topology {
        hostgroups = hostgroups.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue())));
    }

    /** The servers of {@code hostgroup}; empty when the hostgroup is unknown. */
    public List<HostgroupServer> servers(int hostgroup) {
        return hostgroups.getOrDefault(hostgroup, List.of());
    }

    /** Every pool, each once. */
    public List<BackendPool> allPools() {
        return hostgroups.values().stream().flatMap(List::stream).map(HostgroupServer::pool).distinct().toList();
    }
}
