package io.switchyard.admin;

import io.switchyard.protocol.ErrPacket;
import io.switchyard.runtime.InvalidConfigException;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.runtime.RuntimeRows;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The fleet a node belongs to (fleet mode), as the admin uses it: {@code LOAD … TO RUNTIME}
 * goes through it, and the {@code stats} tables show it. Implementations are thread-safe.
 */
public interface FleetLink {

    /**
     * Puts in force across the fleet the configuration that {@code change} makes of the one this
     * node runs, provided the fleet's is still that one (a compare-and-set on its version) and
     * {@code editedFrom} accepts it (the edit being loaded started from it); this node then runs
     * it too, and the others within a second.
     *
     * @param statement the admin statement, for messages
     * @return the configuration now in force on this node
     * @throws InvalidConfigException when the result is not a valid configuration (nothing is written)
     * @throws Refused when it was not written: another node wrote a newer version first, the fleet
     *                 changed what was being edited, or the coordination service cannot be reached
     */
    RuntimeConfig load(UnaryOperator<RuntimeRows> change, Predicate<RuntimeRows> editedFrom, String statement)
            throws InvalidConfigException, Refused;

    /** The fleet's nodes, this one included, by name. */
    List<Node> nodes();

    /** The state of this node's link, for {@code stats_mysql_global}. */
    Status status();

    /**
     * A node of the fleet as it registered itself.
     *
     * @param writerFor the writer hostgroups whose writer this node decides for the fleet
     */
    record Node(String name, String host, int port, int adminPort, long configVersion, long uptimeSeconds,
                long clientConnections, long queries, double queriesPerSecond, List<Integer> writerFor, boolean self) {}

    /**
     * @param connected the link to the coordination service is up
     * @param configVersion the version of the fleet's configuration in force here (-1 before the first)
     */
    record Status(String fleet, String node, boolean connected, long configVersion) {}

    /** A load the fleet did not take. */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ErrPacket error;

        public Refused(ErrPacket error) {
            super(error.message());
            this.error = error;
        }

        public ErrPacket error() {
            return error;
        }
    }
}
