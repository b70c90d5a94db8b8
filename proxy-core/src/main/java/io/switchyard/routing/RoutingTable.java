package io.switchyard.routing;

import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.Topology;
import java.util.List;

/**
 * What the {@link Router} reads of the configuration in force, as one consistent snapshot: the
 * compiled query rules, the servers by hostgroup, the replication pairs and whether reads may
 * fall back to a pair's writers. The runtime's configuration is one; implementations are
 * immutable.
 */
public interface RoutingTable {
    QueryRules rules();

    Topology topology();

    List<ReplicationHostgroup> replicationHostgroups();

    /** {@code mysql-readers_fallback_to_writer}: a reader hostgroup without an online server sends reads to its writers. */
    boolean readersFallBackToWriter();
}
