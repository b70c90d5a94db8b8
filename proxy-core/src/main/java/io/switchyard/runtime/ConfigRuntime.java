package io.switchyard.runtime;

import io.switchyard.backend.BackendPool;
import io.switchyard.backend.PoolSettings;
import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerState;
import io.switchyard.topology.ServerRow;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration in force and the one way to change it: build a new {@link RuntimeConfig},
 * validate it whole, publish it atomically. Owns one {@link BackendPool} per server address,
 * shared by every hostgroup the server is in and kept across changes. After a change, servers
 * that are no longer configured drain (their pools refuse new borrows and close as sessions
 * give connections back), and servers now OFFLINE_HARD everywhere lose their connections.
 * Reads are lock-free; changes are serialised.
 */
public final class ConfigRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigRuntime.class);

    private final BiFunction<ServerAddress, PoolSettings, BackendPool> poolFactory;
    private final PoolSettings basePool;
    private final Map<ServerAddress, BackendPool> pools = new ConcurrentHashMap<>();
    private final AtomicReference<RuntimeConfig> current = new AtomicReference<>();
    private final List<Consumer<RuntimeConfig>> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param rows the initial configuration
     * @param basePool pool sizing for every server; a server's pool maximum is further capped by
     *                 the largest max_connections among its rows
     * @param poolFactory opens a pool for a server
     * @throws InvalidConfigException when {@code rows} are not valid
     */
    public ConfigRuntime(RuntimeRows rows, PoolSettings basePool, BiFunction<ServerAddress, PoolSettings, BackendPool> poolFactory) {
        this.basePool = basePool;
        this.poolFactory = poolFactory;
        apply(rows);
    }

    /** The configuration in force. */
    public RuntimeConfig current() {
        return current.get();
    }

    /** Validates and puts {@code rows} in force; on error nothing changes. */
    public synchronized RuntimeConfig apply(RuntimeRows rows) {
        Map<ServerAddress, BackendPool> created = new HashMap<>();
        RuntimeConfig next = RuntimeConfig.build(rows, a -> {
            BackendPool p = pools.get(a);
            return p != null ? p : created.computeIfAbsent(a, x -> poolFactory.apply(x, basePool));
        });
        // A new server's pool compresses as its rows say before any session can use it.
        Map<ServerAddress, Boolean> compression = compressionByServer(rows.servers());
        created.forEach((address, pool) -> pool.compression(compression.getOrDefault(address, false)));
        pools.putAll(created);
        RuntimeConfig previous = current.getAndSet(next);
        reconcilePools(rows.servers(), rows.variables().intValue("mysql-free_connections_pct"));
        if (previous != null) {
            log.info("configuration put in force: {} servers, {} users, {} query rules", rows.servers().size(),
                    rows.users().size(), rows.rules().size());
        }
        logDanglingReferences(previous, next);
        listeners.forEach(l -> l.accept(next));
        return next;
    }

    /** Applies a change to the rows in force (e.g. new servers only); on error nothing changes. */
    public synchronized RuntimeConfig update(UnaryOperator<RuntimeRows> change) {
        return apply(change.apply(current().rows()));
    }

    /** Rebuilds from the same rows, e.g. after the monitor saw a server's read_only change. */
    public synchronized RuntimeConfig refresh() {
        return apply(current().rows());
    }

    /** Called with every configuration put in force, on the changing thread. */
    public void onChange(Consumer<RuntimeConfig> listener) {
        listeners.add(listener);
    }

    /** Every open pool, each once. */
    public Collection<BackendPool> pools() {
        return List.copyOf(pools.values());
    }

    /** The pool of {@code address}, or null when the server is not configured. */
    public BackendPool pool(ServerAddress address) {
        return pools.get(address);
    }

    /**
     * One line per hostgroup reference that became dangling with this change (one that stays
     * dangling across changes and refreshes is not repeated), and one when it is resolved.
     */
    private static void logDanglingReferences(RuntimeConfig previous, RuntimeConfig next) {
        Set<DanglingReference> before = previous == null ? Set.of() : Set.copyOf(previous.danglingReferences());
        Set<DanglingReference> after = Set.copyOf(next.danglingReferences());
        for (DanglingReference d : next.danglingReferences()) {
            if (!before.contains(d)) {
                log.warn("{}; statements routed there wait up to mysql-writer_wait_timeout for a server, then fail with 9001",
                        d.message());
            }
        }
        if (previous != null) {
            for (DanglingReference d : previous.danglingReferences()) {
                if (!after.contains(d)) {
                    log.info("{}: {} {} is no longer a dangling hostgroup reference", d.row(), d.column(), d.hostgroup());
                }
            }
        }
    }

    private void reconcilePools(List<ServerRow> servers, int freeConnectionsPct) {
        Map<ServerAddress, Integer> maxByServer = new HashMap<>();
        Map<ServerAddress, Boolean> hardOffline = new HashMap<>();
        Map<ServerAddress, Boolean> compression = compressionByServer(servers);
        for (ServerRow s : servers) {
            maxByServer.merge(s.address(), s.maxConnections(), Math::max);
            hardOffline.merge(s.address(), s.status() == ServerState.OFFLINE_HARD, Boolean::logicalAnd);
        }
        for (Map.Entry<ServerAddress, BackendPool> e : Map.copyOf(pools).entrySet()) {
            ServerAddress address = e.getKey();
            BackendPool pool = e.getValue();
            Integer max = maxByServer.get(address);
            if (max == null) {
                log.info("server {} left the configuration; draining its {} connections", address, pool.total());
                pools.remove(address);
                pool.close();
                continue;
            }
            pool.freeConnectionsPct(freeConnectionsPct);
            pool.compression(compression.get(address));
            int cap = Math.max(1, Math.min(basePool.maxConnections(), max));
            if (pool.settings().maxConnections() != cap) {
                pool.settings(new PoolSettings(Math.min(basePool.minIdle(), cap), cap, basePool.idleTimeoutMillis(),
                        basePool.maxLifetimeMillis(), basePool.keepaliveMillis(), basePool.acquireTimeoutMillis()));
            }
            if (hardOffline.get(address)) {
                if (pool.total() > 0) {
                    log.info("server {} is OFFLINE_HARD; closing its {} connections", address, pool.total());
                }
                pool.closeEverything();
            }
        }
    }

    /** Whether each server's connections compress: one of its rows with {@code compression = 1} is enough. */
    private static Map<ServerAddress, Boolean> compressionByServer(List<ServerRow> servers) {
        Map<ServerAddress, Boolean> compression = new HashMap<>();
        for (ServerRow s : servers) {
            compression.merge(s.address(), s.compression(), Boolean::logicalOr);
        }
        return compression;
    }

    /** Closes every pool. */
    @Override
    public synchronized void close() {
        pools.values().forEach(BackendPool::close);
    }
}
