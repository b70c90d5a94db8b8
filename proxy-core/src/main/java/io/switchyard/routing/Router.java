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
 * ({@code mysql-readers_fallback_to_writer}); when nothing else is left, a shunned server that
 * answers the monitor again is used before its rest is over. Stateless; reads the configuration snapshot in
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

    /** The reader hostgroup paired with {@code writerHostgroup} in a replication pair, or -1 when it has none. */
    public int readerHostgroupOf(int writerHostgroup) {
        for (ReplicationHostgroup pair : config.get().replicationHostgroups()) {
            if (pair.writerHostgroup() == writerHostgroup) {
                return pair.readerHostgroup();
            }
        }
        return -1;
    }

    /** The writer hostgroup paired with {@code readerHostgroup} in a replication pair, or -1 when it has none. */
    public int writerHostgroupOf(int readerHostgroup) {
        for (ReplicationHostgroup pair : config.get().replicationHostgroups()) {
            if (pair.readerHostgroup() == readerHostgroup) {
                return pair.writerHostgroup();
            }
        }
        return -1;
    }

    /**
     * The pool of a server of {@code hostgroup} for new work, or null when none is online.
     * Servers below their connection limit come first; when every online server is at its limit,
     * one is still chosen and the caller waits in its pool for a connection to come free.
     */
    public BackendPool pick(int hostgroup) {
        return pick(hostgroup, null);
    }

    /**
     * Same, but not {@code avoid} (a server that just failed) unless it is the only choice. When
     * no server of the hostgroup (nor, for readers, of its writers) takes work, a server that is
     * shunned but answered the monitor since its last failure is chosen rather than none: it is
     * back, only still resting, and with nothing else to run on a statement would wait and fail.
     * Not in the writer hostgroup of a replication pair: there a statement waits for the writer
     * the monitor confirms, which after a failover is another server.
     */
    public BackendPool pick(int hostgroup, BackendPool avoid) {
        RoutingTable current = config.get();
        List<HostgroupServer> servers = current.topology().servers(hostgroup);
        BackendPool picked = pickAvoiding(servers, avoid, Choice.TAKING_WORK);
        if (picked != null) {
            return picked;
        }
        boolean writers = false;
        for (ReplicationHostgroup pair : current.replicationHostgroups()) {
            writers |= pair.writerHostgroup() == hostgroup;
            if (pair.readerHostgroup() == hostgroup && current.readersFallBackToWriter()) {
                picked = pickAvoiding(current.topology().servers(pair.writerHostgroup()), avoid, Choice.TAKING_WORK);
                if (picked != null) {
                    return picked;
                }
            }
        }
        return writers ? null : pickAvoiding(servers, avoid, Choice.RESTING);
    }

    /** Which servers a pass of the choice considers. */
    private enum Choice {
        USABLE, ACCEPTS_WORK, RESTING_BUT_ANSWERING;

        /** Servers taking work: those below their connection limit first. */
        static final Choice[] TAKING_WORK = {USABLE, ACCEPTS_WORK};
        static final Choice[] RESTING = {RESTING_BUT_ANSWERING};

        boolean admits(HostgroupServer s) {
            return switch (this) {
                case USABLE -> s.usable();
                case ACCEPTS_WORK -> s.acceptsWork();
                case RESTING_BUT_ANSWERING -> s.restingButAnswering();
            };
        }
    }

    /** The first of {@code passes} that finds a server, each first without {@code avoid}. */
    private static BackendPool pickAvoiding(List<HostgroupServer> servers, BackendPool avoid, Choice[] passes) {
        if (avoid != null) {
            List<HostgroupServer> others = servers.stream().filter(s -> s.pool() != avoid).toList();
            for (Choice pass : passes) {
                BackendPool other = pickWeighted(others, pass);
                if (other != null) {
                    return other;
                }
            }
        }
        for (Choice pass : passes) {
            BackendPool picked = pickWeighted(servers, pass);
            if (picked != null) {
                return picked;
            }
        }
        return null;
    }

    private static BackendPool pickWeighted(List<HostgroupServer> servers, Choice choice) {
        long total = 0;
        for (HostgroupServer s : servers) {
            if (choice.admits(s)) {
                total += s.weight();
            }
        }
        if (total == 0) {
            return null;
        }
        long ticket = ThreadLocalRandom.current().nextLong(total);
        for (HostgroupServer s : servers) {
            if (choice.admits(s)) {
                ticket -= s.weight();
                if (ticket < 0) {
                    return s.pool();
                }
            }
        }
        return null;
    }
}
