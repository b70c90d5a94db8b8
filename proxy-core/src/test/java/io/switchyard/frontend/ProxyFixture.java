package io.switchyard.frontend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.BackendSettings;
import io.switchyard.backend.PoolSettings;
import io.switchyard.protocol.auth.AuthPlugin;
import io.switchyard.routing.Router;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.runtime.GlobalVariables;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.stats.ProxyStats;
import io.switchyard.testing.FakeMysqlServer;
import io.switchyard.testing.MysqlTestClient;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.UserConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A proxy wired as the daemon wires it ({@link FrontendServer} over a {@link FrontendContext}),
 * in front of {@link FakeMysqlServer}s in hostgroup 0 (one unless told otherwise), with user {@code app} /
 * {@code app-pass} on both sides. One event loop serves clients and backend connections, so a
 * session and the connection it borrows share it. {@link #close()} stops the listener, the pools,
 * the loop and the fake servers.
 */
final class ProxyFixture implements AutoCloseable {
    static final String USER = "app";
    static final String PASSWORD = "app-pass";

    final List<FakeMysqlServer> servers = new ArrayList<>();
    final FakeMysqlServer server;
    final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final ConfigRuntime runtime;
    final FrontendServer frontend;

    ProxyFixture() throws InterruptedException {
        this(1);
    }

    /**
     * A proxy in front of {@code serverCount} fake servers, all in hostgroup 0 with the same
     * weight, with {@code variables} (name, value, name, value, ...) over the default variables.
     */
    ProxyFixture(int serverCount, String... variables) throws InterruptedException {
        GlobalVariables vars = GlobalVariables.defaults();
        for (int i = 0; i < variables.length; i += 2) {
            vars = vars.with(variables[i], variables[i + 1]);
        }
        for (int i = 0; i < serverCount; i++) {
            servers.add(FakeMysqlServer.start(USER, PASSWORD));
        }
        server = servers.get(0);
        Bootstrap backends = new Bootstrap().channel(NioSocketChannel.class);
        BackendSettings backendSettings = new BackendSettings(2_000, null, false);
        RuntimeRows rows = RuntimeRows.empty()
                .withServers(servers.stream().map(s -> ServerRow.of(0, s.address().host(), s.address().port())).toList())
                .withUsers(List.of(new UserConfig(USER, PASSWORD, null, 0, true, 100, true)))
                .withVariables(vars);
        runtime = new ConfigRuntime(rows, new PoolSettings(0, 10, 600_000, 3_600_000, 60_000, 2_000),
                (address, pool) -> new BackendPool(address, pool, backendSettings, backends));
        FrontendSettings settings = new FrontendSettings("127.0.0.1", 0, 16 * 1024 * 1024, AuthPlugin.MYSQL_NATIVE_PASSWORD,
                null, false, () -> null, 100, 30_000);
        FrontendContext context = new FrontendContext(settings, new ServerIdentity("10.11.19-MariaDB", 45, null), runtime,
                new Router(runtime::current), new SessionRegistry(), new ProxyStats(100), QueryKiller.NONE,
                new WritePositions());
        frontend = FrontendServer.start(context, group, group, NioServerSocketChannel.class);
    }

    /** A client logged in to the proxy as {@code app}. */
    MysqlTestClient client() throws IOException {
        return MysqlTestClient.login("127.0.0.1", frontend.port(), USER, PASSWORD);
    }

    /** The pool of the fake server's connections. */
    BackendPool pool() {
        return runtime.pool(server.address());
    }

    @Override
    public void close() {
        try {
            frontend.close();
            runtime.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            servers.forEach(FakeMysqlServer::close);
        }
    }
}
