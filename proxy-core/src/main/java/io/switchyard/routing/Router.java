package io.switchyard.routing;

import io.switchyard.backend.BackendPool;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.topology.HostgroupServer;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.UserConfig;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The one place where a session is given a backend server: the user's default hostgroup (or the
 * hostgroup a query rule names, see the frontend's statement routing), then
 * a server of that hostgroup by weighted random choice among the usable ones (online, weight
 * above 0, below its connection limit). When the hostgroup is the reader hostgroup of a
 * replication pair and none of its servers is usable, reads fall back to the pair's writer
 * hostgroup ({@code mysql-readers_fallback_to_writer}). Stateless; reads the configuration
 * snapshot in force on every call, so it is safe from any thread.
 */
public final class Router {
    private final Supplier<RuntimeConfig> config;

    public Router(Supplier<RuntimeConfig> config) {
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
     * The pool of a usable server of {@code hostgroup} (or, for a reader hostgroup with none, of
     * its writer hostgroup when {@code mysql-readers_fallback_to_writer} is on), or null when none
     * is usable now.
     */
    public BackendPool pick(int hostgroup) {
        RuntimeConfig current = config.get();
        BackendPool picked = pick(current.topology().servers(hostgroup));
        if (picked != null || !current.variables().boolValue("mysql-readers_fallback_to_writer")) {
            return picked;
        }
        for (ReplicationHostgroup pair : current.rows().replicationHostgroups()) {
            if (pair.readerHostgroup() == hostgroup) {
                return pick(current.topology().servers(pair.writerHostgroup()));
            }
        }
        return null;
    }

    private static BackendPool pick(List<HostgroupServer> servers) {
        long total = 0;
        for (HostgroupServer s : servers) {
            if (s.usable()) {
                total += s.weight();
            }
        }
        if (total == 0) {
            return null;
        }
        long ticket = ThreadLocalRandom.current().nextLong(total);
        for (HostgroupServer s : servers) {
            if (s.usable()) {
                ticket -= s.weight();
                if (ticket < 0) {
                    return s.pool();
                }
            }
        }
        return null;
    }
}
