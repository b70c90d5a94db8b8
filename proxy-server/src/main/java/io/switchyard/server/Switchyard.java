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
import io.switchyard.backend.ServerAddress;
import io.switchyard.frontend.FrontendContext;
import io.switchyard.frontend.FrontendServer;
import io.switchyard.frontend.FrontendSettings;
import io.switchyard.frontend.ServerIdentity;
import io.switchyard.frontend.SessionRegistry;
import io.switchyard.monitor.Monitor;
import io.switchyard.protocol.auth.RsaKeyPair;
import io.switchyard.protocol.auth.TlsContexts;
import io.switchyard.protocol.auth.TlsIdentity;
import io.switchyard.routing.Router;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.server.config.SwitchyardConfig;
import io.switchyard.server.console.Console;
import io.switchyard.server.metrics.MetricsEndpoint;
import io.switchyard.server.metrics.SwitchyardMetrics;
import io.switchyard.server.tracing.SpanExport;
import io.switchyard.stats.ProxyStats;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.Topology;
import io.switchyard.topology.UserConfig;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
    /** What the process list says of a session between statements, and of one logging in: nothing to wait for at a stop. */
    private static final Set<String> IDLE_COMMANDS = Set.of("Sleep", "Connect");

    private final SwitchyardConfig config;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ConfigRuntime runtime;
    private final ProxyStats stats;
    private final SessionRegistry sessions;
    private final FrontendServer frontend;
    private final MetricsEndpoint metrics;
    private final Monitor monitor;
    private final SpanExport spans;

    private Switchyard(SwitchyardConfig config, EventLoopGroup boss, EventLoopGroup workers,
                       ConfigRuntime runtime, SessionRegistry sessions, ProxyStats stats, FrontendServer frontend,
                       MetricsEndpoint metrics, Monitor monitor, SpanExport spans) {
        this.config = config;
        this.boss = boss;
        this.workers = workers;
        this.runtime = runtime;
        this.stats = stats;
        this.sessions = sessions;
        this.frontend = frontend;
        this.metrics = metrics;
        this.monitor = monitor;
        this.spans = spans;
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
        MetricsEndpoint metrics = null;
        Monitor monitor = null;
        try {
            BackendSettings backendSettings = backendSettings(config.backend());
            Bootstrap backendBootstrap = new Bootstrap()
                    .channel(clientChannel)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, FrontendServer.WATER_MARK);
            ConfigRuntime runtime = new ConfigRuntime(config.rows(), config.backend().pool(),
                    (address, pool) -> new BackendPool(address, pool, backendSettings, backendBootstrap));
            monitor = new Monitor(runtime);
            monitor.start();
            SessionRegistry sessions = new SessionRegistry();
            Router router = new Router(runtime::current);
            ServerIdentity identity = new ServerIdentity(config.frontend().fallbackServerVersion(), COLLATION_UTF8MB4_GENERAL_CI,
                    config.frontend().serverVersion());
            learnIdentity(config, identity);
            ProxyStats stats = new ProxyStats(config.rows().variables().intValue("mysql-query_digests_max"));
            FrontendContext context = new FrontendContext(frontendSettings(config.frontend()), identity, runtime,
                    router, sessions, stats, monitor::killQuery, new io.switchyard.frontend.WritePositions());
            SwitchyardConfig.Metrics m = config.metrics();
            if (m.enabled()) {
                SwitchyardMetrics meters = SwitchyardMetrics.create(stats, runtime, sessions);
                meters.bindMonitor(monitor);
                Console console = Console.start(m.bind(), config.admin(), stats, runtime, sessions, monitor);
                metrics = MetricsEndpoint.start(m.bind(), m.port(), meters, console);
            }
            SpanExport spans = SpanExport.start(runtime, stats.tracing());
            FrontendServer frontend;
            try {
                frontend = FrontendServer.start(context, boss, workers, serverChannel);
            } catch (RuntimeException e) {
                spans.close();
                throw e;
            }
            log.info("switchyard started: clients on {}:{}, metrics on {}, {} event loops ({}), {} servers, {} users",
                    config.frontend().bind(), frontend.port(),
                    metrics == null ? "(disabled)" : "http://" + m.bind() + ":" + metrics.port() + "/metrics, console on http://"
                            + m.bind() + ":" + metrics.port() + "/",
                    threads, epoll ? "epoll" : "nio", config.servers().size(), config.users().size());
            return new Switchyard(config, boss, workers, runtime, sessions, stats, frontend, metrics, monitor, spans);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandonStart(metrics, monitor, boss, workers);
            throw new IllegalStateException("interrupted while starting", e);
        } catch (RuntimeException e) {
            abandonStart(metrics, monitor, boss, workers);
            throw e;
        }
    }

    /** Stops what a start that failed had already started (any of it may be null but the loops). */
    private static void abandonStart(MetricsEndpoint metrics, Monitor monitor, EventLoopGroup boss, EventLoopGroup workers) {
        if (metrics != null) {
            metrics.close();
        }
        if (monitor != null) {
            monitor.close();
        }
        boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    /** Presents the first reachable server's greeting to clients from the start. */
    private static void learnIdentity(SwitchyardConfig config, ServerIdentity identity) {
        int timeout = (int) Math.min(config.backend().connectTimeoutMillis(), 2_000);
        for (ServerRow s : config.servers()) {
            var greeting = GreetingProbe.read(new ServerAddress(s.host(), s.port()), timeout);
            if (greeting.isPresent()) {
                identity.learn(greeting.get());
                return;
            }
        }
        log.warn("no server answered at start-up; presenting version {} until one does", config.frontend().fallbackServerVersion());
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
        return runtime.current().topology();
    }

    /** The configuration in force, and the way to change it. */
    public ConfigRuntime runtime() {
        return runtime;
    }

    /** The data path's counters. */
    public ProxyStats stats() {
        return stats;
    }

    /** The health monitor: check logs, writer conflicts, out-of-band KILL QUERY. */
    public Monitor monitor() {
        return monitor;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    /** The Prometheus endpoint; empty when {@code metrics.enabled = false}. */
    public Optional<MetricsEndpoint> metrics() {
        return Optional.ofNullable(metrics);
    }

    public Map<String, UserConfig> users() {
        return runtime.current().users();
    }

    /**
     * Stops accepting clients, waits up to {@code graceMillis} for the statements running to
     * finish, then closes everything: sessions idle between statements (or logging in) are not
     * waited for, they close with their event loops.
     */
    public void shutdown(long graceMillis) {
        frontend.close();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        long busy;
        while ((busy = busySessions()) > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (busy > 0 && graceMillis > 0) {
            log.warn("stopping with {} statements still running after the {} ms grace period", busy, graceMillis);
        }
        log.info("closing {} client sessions", sessions.size());
        stats.events().close();
        spans.close();
        monitor.close();
        runtime.close();
        if (metrics != null) {
            metrics.close();
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("switchyard stopped");
    }

    /** Sessions running a command: neither idle between statements nor logging in. */
    private long busySessions() {
        return sessions.sessions().stream().filter(s -> !IDLE_COMMANDS.contains(s.processInfo().command())).count();
    }

    @Override
    public void close() {
        shutdown(0);
    }
}
