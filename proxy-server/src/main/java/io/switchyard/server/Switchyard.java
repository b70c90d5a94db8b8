package io.switchyard.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.BackendSettings;
import io.switchyard.backend.GreetingProbe;
import io.switchyard.frontend.FrontendContext;
import io.switchyard.frontend.FrontendServer;
import io.switchyard.frontend.FrontendSettings;
import io.switchyard.frontend.ServerIdentity;
import io.switchyard.frontend.SessionRegistry;
import io.switchyard.protocol.auth.RsaKeyPair;
import io.switchyard.protocol.auth.TlsContexts;
import io.switchyard.protocol.auth.TlsIdentity;
import io.switchyard.routing.Router;
import io.switchyard.server.config.SwitchyardConfig;
import io.switchyard.topology.HostgroupServer;
import io.switchyard.topology.ServerAddress;
import io.switchyard.topology.Topology;
import io.switchyard.topology.UserConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running proxy, wired from a {@link SwitchyardConfig}: event loops, backend pools, the
 * topology snapshot, the router and the client listener. Start-up reads top to bottom in
 * {@link #start}. Thread-safe.
 */
public final class Switchyard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Switchyard.class);
    private static final int COLLATION_UTF8MB4_GENERAL_CI = 45;

    private final SwitchyardConfig config;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final AtomicReference<Topology> topology;
    private final Map<String, UserConfig> users;
    private final SessionRegistry sessions;
    private final FrontendServer frontend;

    private Switchyard(SwitchyardConfig config, EventLoopGroup boss, EventLoopGroup workers,
                       AtomicReference<Topology> topology, Map<String, UserConfig> users,
                       SessionRegistry sessions, FrontendServer frontend) {
        this.config = config;
        this.boss = boss;
        this.workers = workers;
        this.topology = topology;
        this.users = users;
        this.sessions = sessions;
        this.frontend = frontend;
    }

    /** Starts the proxy; returns once the client port is bound. */
    public static Switchyard start(SwitchyardConfig config) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerSocketChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> clientChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        int threads = config.eventLoopThreads() > 0 ? config.eventLoopThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads, io);
        try {
            BackendSettings backendSettings = backendSettings(config.backend());
            Bootstrap backendBootstrap = new Bootstrap()
                    .channel(clientChannel)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, FrontendServer.WATER_MARK);
            AtomicReference<Topology> topology = new AtomicReference<>(
                    buildTopology(config, backendSettings, backendBootstrap));
            Map<String, UserConfig> users = new HashMap<>();
            config.users().forEach(u -> users.put(u.username(), u));
            SessionRegistry sessions = new SessionRegistry();
            Router router = new Router(topology::get, config::queryRules);
            ServerIdentity identity = new ServerIdentity(config.frontend().fallbackServerVersion(), COLLATION_UTF8MB4_GENERAL_CI,
                    config.frontend().serverVersion());
            learnIdentity(config, identity);
            FrontendContext context = new FrontendContext(frontendSettings(config.frontend()), identity,
                    users::get, router, sessions);
            FrontendServer frontend = FrontendServer.start(context, boss, workers, serverChannel);
            log.info("switchyard started: {} event loops ({}), {} servers, {} users", threads,
                    epoll ? "epoll" : "nio", config.servers().size(), users.size());
            return new Switchyard(config, boss, workers, topology, users, sessions, frontend);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("interrupted while starting", e);
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Presents the first reachable server's greeting to clients from the start. */
    private static void learnIdentity(SwitchyardConfig config, ServerIdentity identity) {
        int timeout = (int) Math.min(config.backend().connectTimeoutMillis(), 2_000);
        for (SwitchyardConfig.Server s : config.servers()) {
            var greeting = GreetingProbe.read(new ServerAddress(s.host(), s.port()), timeout);
            if (greeting.isPresent()) {
                identity.learn(greeting.get());
                return;
            }
        }
        log.warn("no server answered at start-up; presenting version {} until one does", config.frontend().fallbackServerVersion());
    }

    private static Topology buildTopology(SwitchyardConfig config, BackendSettings backendSettings, Bootstrap bootstrap) {
        Map<ServerAddress, BackendPool> pools = new LinkedHashMap<>();
        Map<Integer, List<HostgroupServer>> hostgroups = new HashMap<>();
        for (SwitchyardConfig.Server s : config.servers()) {
            ServerAddress address = new ServerAddress(s.host(), s.port());
            int serverMax = config.servers().stream()
                    .filter(o -> o.host().equals(s.host()) && o.port() == s.port())
                    .mapToInt(SwitchyardConfig.Server::maxConnections).max().orElse(s.maxConnections());
            BackendPool pool = pools.computeIfAbsent(address, a -> new BackendPool(a,
                    withMax(config.backend().pool(), serverMax), backendSettings, bootstrap));
            hostgroups.computeIfAbsent(s.hostgroup(), h -> new ArrayList<>())
                    .add(new HostgroupServer(s.hostgroup(), pool, s.weight(), s.status(), s.maxConnections(), s.comment()));
        }
        return new Topology(hostgroups);
    }

    private static io.switchyard.backend.PoolSettings withMax(io.switchyard.backend.PoolSettings p, int serverMax) {
        int max = Math.min(p.maxConnections(), serverMax);
        return new io.switchyard.backend.PoolSettings(Math.min(p.minIdle(), max), max, p.idleTimeoutMillis(),
                p.maxLifetimeMillis(), p.keepaliveMillis(), p.acquireTimeoutMillis());
    }

    private static BackendSettings backendSettings(SwitchyardConfig.Backend b) {
        SslContext tls = null;
        if (b.tlsEnabled()) {
            tls = TlsContexts.client(b.tlsTrust(), b.tlsCaFile(), b.tlsVerifyHostname());
        }
        return new BackendSettings(b.connectTimeoutMillis(), tls, b.tlsRequired());
    }

    private static FrontendSettings frontendSettings(SwitchyardConfig.Frontend f) {
        SslContext tls = null;
        if (f.tlsEnabled()) {
            tls = f.tlsCert() != null ? TlsContexts.server(f.tlsCert(), f.tlsKey())
                    : TlsContexts.server(TlsIdentity.selfSigned("switchyard"));
        }
        java.util.function.Supplier<RsaKeyPair> rsa;
        if (f.rsaPrivateKey() != null) {
            RsaKeyPair loaded = RsaKeyPair.load(f.rsaPrivateKey(), f.rsaPublicKey());
            rsa = () -> loaded;
        } else {
            // Generated off the start-up path; by the time a client needs it, it is ready.
            java.util.concurrent.CompletableFuture<RsaKeyPair> generating =
                    java.util.concurrent.CompletableFuture.supplyAsync(RsaKeyPair::generate);
            rsa = generating::join;
        }
        return new FrontendSettings(f.bind(), f.port(), f.maxAllowedPacket(), f.authPlugin(), tls, f.tlsRequired(), rsa,
                f.maxClientConnections(), f.netReadTimeoutMillis());
    }

    /** The bound client port. */
    public int port() {
        return frontend.port();
    }

    public SwitchyardConfig config() {
        return config;
    }

    public Topology topology() {
        return topology.get();
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public Map<String, UserConfig> users() {
        return Map.copyOf(users);
    }

    /** Stops accepting clients, waits up to {@code graceMillis} for sessions to end, then closes everything. */
    public void shutdown(long graceMillis) {
        frontend.close();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        while (sessions.size() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        topology.get().allPools().forEach(BackendPool::close);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("switchyard stopped");
    }

    @Override
    public void close() {
        shutdown(0);
    }
}
