package io.switchyard.server.fleet;

import io.switchyard.backend.ServerAddress;
import io.switchyard.monitor.WriterDecisions.Decision;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's writer decisions, under {@code <base>/writers/<writer hostgroup>}: one election per
 * replication hostgroup pair ({@code election}), and the elected node's decision
 * ({@code decision}: the writer's {@code host:port}, empty for none). The elected node publishes
 * what its monitor decides; the others follow what it published. Each change of leadership or of
 * a published decision makes the monitor reconsider that pair ({@code reconsider}).
 *
 * <p>Thread-safe.
 */
final class FleetWriters {
    private static final Logger log = LoggerFactory.getLogger(FleetWriters.class);

    private final CuratorFramework client;
    private final String fleet;
    private final String node;
    private final String base;
    private final IntConsumer reconsider;
    private final Map<Integer, LeaderLatch> elections = new ConcurrentHashMap<>();
    private final Map<Integer, Optional<ServerAddress>> decisions = new ConcurrentHashMap<>();

    FleetWriters(CuratorFramework client, String fleet, String node, String base, IntConsumer reconsider) {
        this.client = client;
        this.fleet = fleet;
        this.node = node;
        this.base = base;
        this.reconsider = reconsider;
    }

    /** Takes part in the election of each pair in {@code pairs} (writer hostgroups), and leaves those of pairs gone. */
    void sync(Set<Integer> pairs) {
        for (int hostgroup : pairs) {
            elections.computeIfAbsent(hostgroup, this::join);
        }
        for (Integer gone : List.copyOf(elections.keySet())) {
            if (!pairs.contains(gone)) {
                Fleet.closeQuietly(elections.remove(gone));
                decisions.remove(gone);
            }
        }
    }

    private LeaderLatch join(int hostgroup) {
        LeaderLatch latch = new LeaderLatch(client, base + "/writers/" + hostgroup + "/election", node);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                log.info("fleet {}: node {} is elected to decide the writer of hostgroup {}", fleet, node, hostgroup);
                reconsider.accept(hostgroup);
            }

            @Override
            public void notLeader() {
                log.info("fleet {}: node {} no longer decides the writer of hostgroup {}", fleet, node, hostgroup);
                reconsider.accept(hostgroup);
            }
        });
        try {
            latch.start();
        } catch (Exception e) {
            log.warn("fleet {}: the election for hostgroup {} could not start: {}", fleet, hostgroup, e.toString());
        }
        return latch;
    }

    /** True when this node is elected to decide the writer of {@code writerHostgroup}. */
    boolean leads(int writerHostgroup) {
        LeaderLatch latch = elections.get(writerHostgroup);
        return latch != null && latch.hasLeadership();
    }

    /** The writer hostgroups of the pairs this node takes part in. */
    Set<Integer> pairs() {
        return Set.copyOf(elections.keySet());
    }

    /** The published decision this node follows: none while it leads, or while {@code sessionLost} (it decides alone then). */
    Optional<Decision> follow(int writerHostgroup, boolean sessionLost) {
        if (leads(writerHostgroup) || sessionLost) {
            return Optional.empty();
        }
        Optional<ServerAddress> published = decisions.get(writerHostgroup);
        return published == null ? Optional.empty() : Optional.of(new Decision(published.orElse(null)));
    }

    /** Publishes this node's decision, when it leads; in the background, so the monitor's check never waits on ZooKeeper. */
    void decided(int writerHostgroup, ServerAddress writer) {
        if (!leads(writerHostgroup)) {
            return;
        }
        String path = base + "/writers/" + writerHostgroup + "/decision";
        byte[] data = (writer == null ? "" : writer.host() + ":" + writer.port()).getBytes(StandardCharsets.UTF_8);
        String described = writer == null ? "none" : writer.toString();
        try {
            client.create().orSetData().creatingParentsIfNeeded().inBackground((c, event) -> {
                if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
                    log.info("fleet {}: node {} decided the writer of hostgroup {}: {}", fleet, node, writerHostgroup, described);
                } else {
                    log.warn("fleet {}: the writer decision for hostgroup {} ({}) could not be published: {}", fleet,
                            writerHostgroup, described, KeeperException.Code.get(event.getResultCode()));
                }
            }).forPath(path, data);
        } catch (Exception e) {
            log.warn("fleet {}: the writer decision for hostgroup {} ({}) could not be published: {}", fleet, writerHostgroup,
                    described, e.toString());
        }
    }

    /** A node under {@code writers} changed ({@code deleted}: went away); a decision there is taken in. */
    void changed(ChildData data, boolean deleted) {
        if (data == null || !data.getPath().endsWith("/decision")) {
            return;
        }
        String[] parts = data.getPath().split("/");
        int hostgroup;
        try {
            hostgroup = Integer.parseInt(parts[parts.length - 2]);
        } catch (NumberFormatException e) {
            return;
        }
        if (deleted) {
            decisions.remove(hostgroup);
        } else {
            String text = data.getData() == null ? "" : new String(data.getData(), StandardCharsets.UTF_8);
            decisions.put(hostgroup, text.isEmpty() ? Optional.empty() : Optional.of(ServerAddress.parse(text)));
        }
        if (!leads(hostgroup)) {
            reconsider.accept(hostgroup);
        }
    }

    /** Leaves every election. */
    void close() {
        elections.values().forEach(Fleet::closeQuietly);
        elections.clear();
    }
}
