package io.switchyard.monitor;

import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerHealth;
import io.switchyard.backend.ServerState;
import io.switchyard.topology.HostgroupServer;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns read_only check results into a server's place in its replication hostgroup pair, with
 * one writer at a time. A server reporting read_only=1 is a reader. A server reporting
 * read_only=0 becomes the writer when the pair has none; when the pair already has one (the
 * incumbent), the newcomer is fenced, out of both hostgroups of the pair, and counted as a
 * writer conflict. The incumbent keeps the role until it reports read_only=1 or is gone: shunned
 * and unreachable, or shunned for longer than the recovery time. A gone incumbent that lost the
 * role is fenced in turn, so it cannot come back as a second writer.
 *
 * <p>In a fleet, a node that follows another's decisions ({@link WriterDecisions}) places a
 * server that reports read_only=0 by the published writer instead ({@link #follow}).
 *
 * <p>Decisions mutate {@link ServerHealth} flags only; the caller rebuilds the topology when
 * {@link #decide} says the placement changed. Not re-entrant: the caller serialises calls.
 */
final class WriterArbiter {
    private static final Logger log = LoggerFactory.getLogger(WriterArbiter.class);

    private final AtomicLong conflicts = new AtomicLong();
    private final Set<ServerAddress> deposed = ConcurrentHashMap.newKeySet();

    /** Times a second server reported read_only=0 while its pair had a writer. */
    long conflicts() {
        return conflicts.get();
    }

    /**
     * Records that {@code server}, a member of {@code pair}, reported {@code readOnly}.
     *
     * @param topology the topology in force (where the pair's writers are now)
     * @param recoveryMillis {@code mysql-shun_recovery_time_sec} in ms
     * @return true when the server placement changed and the topology must be rebuilt
     */
    boolean decide(ReplicationHostgroup pair, BackendPool server, boolean readOnly, Topology topology, long recoveryMillis,
                   WriterDecisions decisions) {
        ServerHealth health = server.health();
        ServerAddress address = server.address();
        java.util.Optional<WriterDecisions.Decision> published = readOnly ? java.util.Optional.empty()
                : decisions.follow(pair.writerHostgroup());
        if (published.isPresent()) {
            return follow(pair, List.of(server), published.get().writer(), topology);
        }
        if (readOnly) {
            boolean changed = !Boolean.TRUE.equals(health.readOnly()) || health.fenced();
            if (health.fenced()) {
                log.info("server {} reports read_only=1; no longer fenced, it joins reader hostgroup {}", address, pair.readerHostgroup());
            } else if (Boolean.FALSE.equals(health.readOnly())) {
                log.info("server {} reports read_only=1; it moves from writer hostgroup {} to reader hostgroup {}", address,
                        pair.writerHostgroup(), pair.readerHostgroup());
            }
            health.readOnly(true);
            health.fenced(false);
            deposed.remove(address);
            return changed;
        }
        if (Boolean.FALSE.equals(health.readOnly()) && !health.fenced()) {
            return false;
        }
        List<HostgroupServer> live = new ArrayList<>();
        List<HostgroupServer> gone = new ArrayList<>();
        for (HostgroupServer s : topology.servers(pair.writerHostgroup())) {
            ServerHealth other = s.pool().health();
            if (s.address().equals(address) || !Boolean.FALSE.equals(other.readOnly()) || other.fenced()) {
                continue;
            }
            (isGone(other, recoveryMillis) ? gone : live).add(s);
        }
        if (live.isEmpty()) {
            for (HostgroupServer g : gone) {
                g.pool().health().fenced(true);
                deposed.add(g.address());
                log.warn("server {} loses the writer role of hostgroup {}: shunned for {} ms{}", g.address(),
                        pair.writerHostgroup(), g.pool().health().shunnedForMillis(),
                        g.pool().health().reachable() ? "" : " and unreachable");
            }
            log.info("server {} reports read_only=0; it is the writer of hostgroup {}", address, pair.writerHostgroup());
            health.readOnly(false);
            health.fenced(false);
            deposed.remove(address);
            return true;
        }
        health.readOnly(false);
        boolean wasDeposed = deposed.remove(address);
        if (health.fenced() && !wasDeposed) {
            return false;
        }
        health.fenced(true);
        conflicts.incrementAndGet();
        log.warn("server {} reports read_only=0 but {} is the writer of hostgroup {}; {} is fenced out of hostgroups {} and {}"
                        + " until it reports read_only=1 or the writer steps down", address, live.get(0).address(),
                pair.writerHostgroup(), address, pair.writerHostgroup(), pair.readerHostgroup());
        return true;
    }

    /**
     * Places {@code servers} of {@code pair} that reported read_only=0 by the fleet's published
     * {@code writer}: it is the writer (any other writer of the pair is fenced), the others are
     * fenced. Returns true when a placement changed.
     */
    boolean follow(ReplicationHostgroup pair, List<BackendPool> servers, ServerAddress writer, Topology topology) {
        boolean changed = false;
        for (BackendPool server : servers) {
            ServerHealth health = server.health();
            boolean wasWriter = Boolean.FALSE.equals(health.readOnly()) && !health.fenced();
            health.readOnly(false);
            boolean isWriter = server.address().equals(writer);
            health.fenced(!isWriter);
            if (isWriter) {
                deposed.remove(server.address());
                for (HostgroupServer s : topology.servers(pair.writerHostgroup())) {
                    ServerHealth other = s.pool().health();
                    if (!s.address().equals(writer) && Boolean.FALSE.equals(other.readOnly()) && !other.fenced()) {
                        other.fenced(true);
                        changed = true;
                        log.info("server {} is fenced out of hostgroups {} and {}: the fleet's writer is {}", s.address(),
                                pair.writerHostgroup(), pair.readerHostgroup(), writer);
                    }
                }
            }
            if (wasWriter != isWriter) {
                changed = true;
                log.info(isWriter ? "server {} is the writer of hostgroup {}, as the fleet decided"
                        : "server {} reports read_only=0 but the fleet's writer of hostgroup {} is " + writer + "; it is fenced",
                        server.address(), pair.writerHostgroup());
            }
        }
        return changed;
    }

    private static boolean isGone(ServerHealth writer, long recoveryMillis) {
        return writer.status() == ServerState.SHUNNED && (!writer.reachable() || writer.shunnedForMillis() >= recoveryMillis);
    }
}
