package io.switchyard.routing;

import io.switchyard.backend.BackendPool;
import io.switchyard.topology.Topology;
import io.switchyard.topology.UserConfig;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The one place where a session's statement is given a backend server: the user's default
 * hostgroup, then a server of that hostgroup. Stateless; reads the current topology snapshot
 * on every call, so it is safe from any thread.
 */
public final class Router {
    private final Supplier<Topology> topology;

    public Router(Supplier<Topology> topology) {
        this.topology = topology;
    }

    /** Hostgroup a session of {@code user} sends its statements to. */
    public int hostgroupFor(UserConfig user) {
        return user.defaultHostgroup();
    }

    /**
     * A pool of a usable server in {@code hostgroup}, chosen at random among them, or null when
     * the hostgroup has none.
     */
    public BackendPool pick(int hostgroup) {
        List<BackendPool> pools = topology.get().pools(hostgroup);
        if (pools.isEmpty()) {
            return null;
        }
        if (pools.size() == 1) {
            return pools.get(0);
        }
        return pools.get(ThreadLocalRandom.current().nextInt(pools.size()));
    }
}
