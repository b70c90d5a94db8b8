package io.switchyard.routing;

import io.switchyard.backend.BackendPool;
import io.switchyard.topology.HostgroupServer;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.UserConfig;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The one place where a session is given a backend server: the user's default hostgroup (or the
 * hostgroup a query rule names, see the frontend's statement routing), then a server of that
 * hostgroup by weighted random choice among the usable ones (online, weight above 0; those below
 * their connection limit first). When the hostgroup is the reader hostgroup of a replication pair
 * and none of its servers is online, reads fall back to the pair's writer hostgroup
 * ({@code mysql-readers_fallback_to_writer}). Stateless; reads the configuration snapshot in
 * force on every call, so it is safe from any thread.
 */
public final class Router {
    private final Supplier<? extends RoutingTable> config;

    public Router(Supplier<? extends RoutingTable> config) {
        this.config = config;
    }

    /** The query rules in force (empty when none are configured). */
    public QueryRules rules() {
        return config.get().rules();
    }

    /** Hostgroup a session of {@code user} sends its statements to. */
    public int hostgroupFor(UserConfig user) {
        return user.defaultHostgroup();
    }

    /**
     * The pool of a server of {@code hostgroup} for new work, or null when none is online.
     * Servers below their connection limit come first; when every online server is at its limit,
     * one is still chosen and the caller waits in its pool for a connection to come free.
     */
    public BackendPool pick(int hostgroup) {
        return pick(hostgroup, null);
    }

    /** Same, but not {@code avoid} (a server that just failed) unless it is the only choice. */
    public BackendPool pick(int hostgroup, BackendPool avoid) {
        RoutingTable current = config.get();
        BackendPool picked = pickAvoiding(current.topology().servers(hostgroup), avoid);
        if (picked != null || !current.readersFallBackToWriter()) {
            return picked;
        }
        for (ReplicationHostgroup pair : current.replicationHostgroups()) {
            if (pair.readerHostgroup() == hostgroup) {
                return pickAvoiding(current.topology().servers(pair.writerHostgroup()), avoid);
            }
        }
        return null;
    }

    private static BackendPool pickAvoiding(List<HostgroupServer> servers, BackendPool avoid) {
        if (avoid != null) {
            BackendPool other = pickFrom(servers.stream().filter(s -> s.pool() != avoid).toList());
            if (other != null) {
                return other;
            }
        }
        return pickFrom(servers);
    }

    private static BackendPool pickFrom(List<HostgroupServer> servers) {
        BackendPool withRoom = pickWeighted(servers, true);
        return withRoom != null ? withRoom : pickWeighted(servers, false);
    }

    private static BackendPool pickWeighted(List<HostgroupServer> servers, boolean needRoom) {
        long total = 0;
        for (HostgroupServer s : servers) {
            if (eligible(s, needRoom)) {
                total += s.weight();
            }
        }
        if (total == 0) {
            return null;
        }
        long ticket = ThreadLocalRandom.current().nextLong(total);
        for (HostgroupServer s : servers) {
            if (eligible(s, needRoom)) {
                ticket -= s.weight();
                if (ticket < 0) {
                    return s.pool();
                }
            }
        }
        return null;
    }

    private static boolean eligible(HostgroupServer s, boolean needRoom) {
        return needRoom ? s.usable() : s.acceptsWork();
    }
}
