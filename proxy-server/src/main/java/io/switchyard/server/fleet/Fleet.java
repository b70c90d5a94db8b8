package io.switchyard.server.fleet;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import io.switchyard.admin.ConfigLayers;
import io.switchyard.admin.FleetLink;
import io.switchyard.backend.ServerAddress;
import io.switchyard.monitor.Monitor;
import io.switchyard.monitor.WriterDecisions;
import io.switchyard.protocol.ProxyError;
import io.switchyard.runtime.InvalidConfigException;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.server.Switchyard;
import io.switchyard.server.config.SwitchyardConfig;
import io.switchyard.topology.ReplicationHostgroup;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fleet mode: this node's membership of a fleet of proxies that share one configuration and one
 * writer decision through ZooKeeper (Apache Curator). Under {@code /switchyard/<fleet>}:
 * <ul>
 *   <li>{@code config}: the configuration in force ({@link FleetDocument}); its ZooKeeper version
 *       is the configuration's version. {@code LOAD … TO RUNTIME} on any node writes it with a
 *       compare-and-set on the version the node runs; every node watches it and puts it in force.
 *   <li>{@code nodes/<name>}: one ephemeral node per member, with its address, ports, the version
 *       it runs and its load, refreshed every {@value #REFRESH_SECONDS} s.
 *   <li>{@code writers/<writer hostgroup>}: per replication hostgroup pair, an election
 *       ({@code election}) and the elected node's decision ({@code decision}, the writer's
 *       {@code host:port}, empty for none). The elected node arbitrates from its monitor's
 *       read_only checks; the others place servers by its decision ({@link WriterDecisions},
 *       kept by {@link FleetWriters}).
 * </ul>
 * When ZooKeeper cannot be reached the node keeps serving with the configuration in force and
 * refuses admin changes; while its session is lost it also decides writers from its own checks.
 * When ZooKeeper returns it catches up with the newest configuration. Thread-safe.
 */
public final class Fleet implements FleetLink, WriterDecisions, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Fleet.class);
    static final int REFRESH_SECONDS = 2;

    private final SwitchyardConfig.Fleet settings;
    private final String node;
    private final CuratorFramework client;
    private final String base;
    private final String configPath;
    private final long startedMillis = System.currentTimeMillis();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "switchyard-fleet");
        t.setDaemon(true);
        return t;
    });
    private final FleetWriters writers;
    private final Map<String, FleetLink.Node> members = new ConcurrentHashMap<>();

    /** The version of the fleet's configuration in force here; -1 before the first. Guarded by this. */
    private long versionInForce = -1;
    /** Where the configuration in force here came from: its version, writer and time. Guarded by this. */
    private String origin = "this node's disk layer";
    /** The link's last reported state; not connected until ZooKeeper answers. */
    private volatile ConnectionState state = ConnectionState.SUSPENDED;
    private volatile Switchyard proxy;
    private volatile ConfigLayers layers;
    private CuratorCache configCache;
    private CuratorCache writersCache;
    private CuratorCache nodesCache;
    private PersistentNode registration;
    private volatile int adminPort;
    private long lastQuestions;
    private long lastRefreshNanos = System.nanoTime();
    private volatile double qps;
    private volatile boolean closed;

    private Fleet(SwitchyardConfig.Fleet settings, String node, CuratorFramework client) {
        this.settings = settings;
        this.node = node;
        this.client = client;
        this.base = "/switchyard/" + settings.name();
        this.configPath = base + "/config";
        this.writers = new FleetWriters(client, settings.name(), node, base, this::reconsiderWriter);
    }

    private void reconsiderWriter(int writerHostgroup) {
        Switchyard p = proxy;
        if (p != null) {
            p.monitor().reconsiderWriter(writerHostgroup);
        }
    }

    /**
     * Connects to ZooKeeper (waiting up to {@code fleet.connect-timeout}; the connection goes on
     * being tried in the background after that).
     *
     * @param defaultNodeName the node's name when {@code fleet.node-name} is empty
     */
    public static Fleet join(SwitchyardConfig.Fleet settings, String defaultNodeName) {
        String node = settings.nodeName().isBlank() ? defaultNodeName : settings.nodeName();
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(settings.zookeeper())
                .sessionTimeoutMs((int) settings.sessionTimeoutMillis())
                .connectionTimeoutMs((int) Math.min(settings.connectTimeoutMillis(), settings.sessionTimeoutMillis()))
                .retryPolicy(new RetryUntilElapsed((int) settings.connectTimeoutMillis(), 200))
                .zkClientConfig(clientConfig(settings));
        if (!settings.aclDigest().isEmpty()) {
            builder.authorization("digest", settings.aclDigest().getBytes(StandardCharsets.UTF_8)).aclProvider(digestAcl(settings.aclDigest()));
        }
        CuratorFramework client = builder.build();
        Fleet fleet = new Fleet(settings, node, client);
        client.getConnectionStateListenable().addListener((c, next) -> fleet.stateChanged(next));
        client.start();
        try {
            if (!client.blockUntilConnected((int) settings.connectTimeoutMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("fleet {}: ZooKeeper ({}) not reachable within {} ms; node {} starts with its disk layer and catches up"
                        + " with the fleet when ZooKeeper answers", settings.name(), settings.zookeeper(), settings.connectTimeoutMillis(), node);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return fleet;
    }

    private static ZKClientConfig clientConfig(SwitchyardConfig.Fleet settings) {
        ZKClientConfig config = new ZKClientConfig();
        if (settings.tls()) {
            config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
            config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
            config.setProperty("zookeeper.ssl.trustStore.location", settings.trustStore().toString());
            config.setProperty("zookeeper.ssl.trustStore.password", settings.trustStorePassword());
            if (settings.keyStore() != null) {
                config.setProperty("zookeeper.ssl.keyStore.location", settings.keyStore().toString());
                config.setProperty("zookeeper.ssl.keyStore.password", settings.keyStorePassword());
            }
        }
        return config;
    }

    /** Every node the fleet creates is readable and writable by the digest identity only. */
    private static ACLProvider digestAcl(String userPassword) {
        List<ACL> acl;
        try {
            // A mutable list: ZooKeeper asks it contains(null), which an immutable one refuses.
            acl = new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL,
                    new Id("digest", DigestAuthenticationProvider.generateDigest(userPassword)))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        };
    }

    /**
     * The configuration the node starts with: the fleet's when ZooKeeper answered, else
     * {@code local} (its disk layer). A fleet without a configuration yet gets {@code local} as
     * its first version.
     */
    public synchronized RuntimeRows startRows(RuntimeRows local) {
        if (!client.getZookeeperClient().isConnected()) {
            return local;
        }
        try {
            Stat stat = new Stat();
            byte[] data;
            try {
                data = client.getData().storingStatIn(stat).forPath(configPath);
            } catch (KeeperException.NoNodeException none) {
                FleetDocument first = FleetDocument.of(local, node);
                try {
                    client.create().creatingParentsIfNeeded().forPath(configPath, first.encode());
                    versionInForce = 0;
                    origin = "version 0, written by " + node + " at " + first.writtenAt();
                    log.info("fleet {}: node {} wrote the fleet's first configuration (version 0)", settings.name(), node);
                    return first.rows(local);
                } catch (KeeperException.NodeExistsException raced) {
                    data = client.getData().storingStatIn(stat).forPath(configPath);
                }
            }
            FleetDocument doc = FleetDocument.decode(data);
            RuntimeRows rows = doc.rows(local);
            RuntimeConfig.check(rows);
            versionInForce = stat.getVersion();
            origin = "version " + versionInForce + ", written by " + doc.writtenBy() + " at " + doc.writtenAt();
            log.info("fleet {}: node {} starts with the fleet's configuration version {}", settings.name(), node, versionInForce);
            return rows;
        } catch (Exception e) {
            log.warn("fleet {}: the fleet's configuration could not be read ({}); node {} starts with its disk layer", settings.name(),
                    e.toString(), node, e);
            return local;
        }
    }

    /** Follows the fleet from now on: the configuration, the members and the writer decisions. */
    public void attach(Switchyard proxy, ConfigLayers layers) {
        synchronized (this) {
            this.proxy = proxy;
            this.layers = layers;
        }
        proxy.monitor().writerDecisions(this);
        configCache = CuratorCache.build(client, configPath, CuratorCache.Options.SINGLE_NODE_CACHE);
        configCache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, now) -> configChanged(now)).build());
        configCache.start();
        writersCache = CuratorCache.build(client, base + "/writers");
        writersCache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, now) -> writers.changed(now != null ? now : before, now == null)).build());
        writersCache.start();
        nodesCache = CuratorCache.build(client, base + "/nodes");
        nodesCache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, now) -> membersChanged()).build());
        nodesCache.start();
        registration = new PersistentNode(client, CreateMode.EPHEMERAL, false, base + "/nodes/" + node, describeSelf());
        registration.start();
        proxy.runtime().onChange(config -> timer.execute(this::syncElections));
        timer.execute(this::syncElections);
        timer.scheduleWithFixedDelay(this::refresh, REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    /** The admin port, once it listens (for the members table). */
    public void adminPort(int port) {
        this.adminPort = port;
        timer.execute(this::refresh);
    }

    // ---- configuration ------------------------------------------------------------------------

    @Override
    public RuntimeConfig load(UnaryOperator<RuntimeRows> change, Predicate<RuntimeRows> editedFrom, String statement)
            throws InvalidConfigException, Refused {
        synchronized (this) {
            if (!connected()) {
                throw unavailable(statement);
            }
            try {
                Stat stat = new Stat();
                byte[] data = client.getData().storingStatIn(stat).forPath(configPath);
                if (stat.getVersion() != versionInForce) {
                    throw conflict(statement, data, stat.getVersion());
                }
                RuntimeRows current = proxy.runtime().current().rows();
                if (!editedFrom.test(current)) {
                    throw new Refused(ProxyError.FLEET_CHANGED_UNDER_EDIT.format(statement, origin));
                }
                RuntimeRows next = change.apply(current);
                RuntimeConfig.check(next);
                FleetDocument doc = FleetDocument.of(next, node);
                RuntimeRows shared = doc.rows(current);
                Stat written;
                try {
                    written = client.setData().withVersion(stat.getVersion()).forPath(configPath, doc.encode());
                } catch (KeeperException.BadVersionException lost) {
                    Stat newer = new Stat();
                    byte[] newest = client.getData().storingStatIn(newer).forPath(configPath);
                    throw conflict(statement, newest, newer.getVersion());
                }
                RuntimeConfig inForce = proxy.runtime().update(c -> shared);
                versionInForce = written.getVersion();
                layers.adopt(current, shared, false);
                origin = "version " + versionInForce + ", written by " + node + " at " + doc.writtenAt();
                log.info("fleet {}: node {} put configuration version {} in force for the fleet ({})", settings.name(), node,
                        versionInForce, statement);
                timer.execute(this::refresh);
                return inForce;
            } catch (Refused | InvalidConfigException e) {
                throw e;
            } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException
                     | KeeperException.OperationTimeoutException e) {
                throw unavailable(statement);
            } catch (Exception e) {
                if (!connected()) {
                    throw unavailable(statement);
                }
                throw new Refused(ProxyError.LAYER_FAILED.format(statement, "the fleet's configuration could not be written: " + e));
            }
        }
    }

    /** A load refused because ZooKeeper cannot be reached. Holds this. */
    private Refused unavailable(String statement) {
        return new Refused(ProxyError.FLEET_UNAVAILABLE.format(statement, settings.zookeeper(), versionInForce));
    }

    /** The newer document is put in force here, and the load that started from an older one is refused. */
    private Refused conflict(String statement, byte[] data, int version) {
        long from = versionInForce;
        FleetDocument doc = FleetDocument.decode(data);
        apply(doc, version);
        return new Refused(ProxyError.FLEET_CONFLICT.format(statement, version, doc.writtenBy(), doc.writtenAt(), from));
    }

    private void configChanged(ChildData now) {
        if (now == null || now.getData() == null) {
            return;
        }
        synchronized (this) {
            if (now.getStat().getVersion() <= versionInForce || proxy == null) {
                return;
            }
            try {
                apply(FleetDocument.decode(now.getData()), now.getStat().getVersion());
            } catch (RuntimeException e) {
                log.error("fleet {}: configuration version {} cannot be put in force here, node {} keeps version {}: {}",
                        settings.name(), now.getStat().getVersion(), node, versionInForce, e.getMessage());
            }
        }
    }

    /** Puts {@code doc} in force here as version {@code version}, and writes it to the admin layers. Holds this. */
    private void apply(FleetDocument doc, int version) {
        RuntimeRows current = proxy.runtime().current().rows();
        RuntimeRows rows = doc.rows(current);
        proxy.runtime().update(c -> rows);
        long from = versionInForce;
        versionInForce = version;
        layers.adopt(current, rows, true);
        origin = "version " + version + ", written by " + doc.writtenBy() + " at " + doc.writtenAt();
        log.info("fleet {}: node {} runs configuration version {} (was {}), written by {} at {}", settings.name(), node, version,
                from, doc.writtenBy(), doc.writtenAt());
        timer.execute(this::refresh);
    }

    // ---- writer decisions ---------------------------------------------------------------------

    /** One election per replication hostgroup pair of the configuration in force. */
    private void syncElections() {
        if (closed || proxy == null) {
            return;
        }
        Set<Integer> pairs = new TreeSet<>();
        for (ReplicationHostgroup pair : proxy.runtime().current().rows().replicationHostgroups()) {
            pairs.add(pair.writerHostgroup());
        }
        writers.sync(pairs);
    }

    @Override
    public Optional<Decision> follow(int writerHostgroup) {
        return writers.follow(writerHostgroup, state == ConnectionState.LOST);
    }

    @Override
    public void decided(int writerHostgroup, ServerAddress writer) {
        writers.decided(writerHostgroup, writer);
    }

    // ---- members ------------------------------------------------------------------------------

    private byte[] describeSelf() {
        Map<String, Object> m = new LinkedHashMap<>();
        Switchyard p = proxy;
        m.put("host", p == null ? "" : p.config().frontend().bind());
        m.put("port", p == null ? 0 : p.port());
        m.put("admin_port", adminPort);
        m.put("started_ms", startedMillis);
        m.put("config_version", versionInForceNow());
        m.put("client_connections", p == null ? 0 : p.sessions().size());
        m.put("queries", p == null ? 0 : p.stats().questions());
        m.put("qps", Math.round(qps * 10) / 10.0);
        List<Integer> writerFor = new ArrayList<>();
        writers.pairs().stream().sorted().filter(writers::leads).forEach(writerFor::add);
        m.put("writer_for", writerFor);
        return ConfigValueFactory.fromMap(m).render(ConfigRenderOptions.concise()).getBytes(StandardCharsets.UTF_8);
    }

    /** Refreshes this node's registration (load, version, elections). */
    private void refresh() {
        if (closed || registration == null) {
            return;
        }
        long now = System.nanoTime();
        long questions = proxy.stats().questions();
        double seconds = (now - lastRefreshNanos) / 1e9;
        if (seconds > 0) {
            qps = (questions - lastQuestions) / seconds;
        }
        lastQuestions = questions;
        lastRefreshNanos = now;
        try {
            registration.setData(describeSelf());
        } catch (Exception e) {
            // not registered yet, or ZooKeeper away: the next refresh tries again
        }
    }

    private void membersChanged() {
        Map<String, FleetLink.Node> next = new LinkedHashMap<>();
        String prefix = base + "/nodes/";
        nodesCache.stream().filter(d -> d.getPath().startsWith(prefix) && d.getData() != null).forEach(d -> {
            String name = d.getPath().substring(prefix.length());
            try {
                Map<String, Object> m = ConfigFactory.parseString(new String(d.getData(), StandardCharsets.UTF_8)).root().unwrapped();
                @SuppressWarnings("unchecked")
                List<Integer> writerFor = ((List<Object>) m.getOrDefault("writer_for", List.of())).stream()
                        .map(o -> ((Number) o).intValue()).toList();
                long started = number(m, "started_ms");
                next.put(name, new FleetLink.Node(name, String.valueOf(m.get("host")), (int) number(m, "port"),
                        (int) number(m, "admin_port"), number(m, "config_version"),
                        started == 0 ? 0 : Math.max(0, (System.currentTimeMillis() - started) / 1000),
                        number(m, "client_connections"), number(m, "queries"),
                        m.get("qps") instanceof Number q ? q.doubleValue() : 0, writerFor, name.equals(node)));
            } catch (RuntimeException e) {
                log.debug("fleet {}: node {} registered data this version does not read: {}", settings.name(), name, e.toString());
            }
        });
        members.keySet().retainAll(next.keySet());
        members.putAll(next);
    }

    private static long number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : 0;
    }

    @Override
    public List<FleetLink.Node> nodes() {
        List<FleetLink.Node> list = new ArrayList<>(members.values());
        list.sort(Comparator.comparing(FleetLink.Node::name));
        return list;
    }

    @Override
    public synchronized Status status() {
        return new Status(settings.name(), node, connected(), versionInForce);
    }

    /** True while the link to ZooKeeper is up, as its last reported state says. */
    private boolean connected() {
        return state.isConnected() && client.getZookeeperClient().isConnected();
    }

    /** This node's name in the fleet. */
    public String node() {
        return node;
    }

    // ---- connection ---------------------------------------------------------------------------

    /** Logs each change of the link to ZooKeeper once. */
    private void stateChanged(ConnectionState next) {
        ConnectionState before = state;
        state = next;
        switch (next) {
            case CONNECTED -> log.info("fleet {}: node {} connected to ZooKeeper ({})", settings.name(), node, settings.zookeeper());
            case SUSPENDED -> log.warn("fleet {}: node {} lost its connection to ZooKeeper; it serves with configuration version {}"
                    + " and refuses admin changes until ZooKeeper answers again", settings.name(), node, versionInForceNow());
            case LOST -> log.warn("fleet {}: node {}'s ZooKeeper session ended; it decides writers from its own checks until it"
                    + " reconnects", settings.name(), node);
            case RECONNECTED -> log.info("fleet {}: node {} reconnected to ZooKeeper (was {})", settings.name(), node, before);
            default -> { }
        }
        if ((next == ConnectionState.RECONNECTED || next == ConnectionState.LOST) && proxy != null) {
            writers.pairs().forEach(this::reconsiderWriter);
        }
    }

    private synchronized long versionInForceNow() {
        return versionInForce;
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        writers.close();
        closeQuietly(registration);
        for (CuratorCache cache : new CuratorCache[] {configCache, writersCache, nodesCache}) {
            if (cache != null) {
                cache.close();
            }
        }
        client.close();
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // leaving: nothing to do with it
        }
    }
}
