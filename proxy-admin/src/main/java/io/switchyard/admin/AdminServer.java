package io.switchyard.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.switchyard.protocol.FrameDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port: a MySQL-protocol listener on its own small event loop, separate from the
 * client data path, whose sessions run statements on the {@link ConfigLayers}' SQL thread.
 * Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** A half-sent admin packet older than this closes the connection. */
    private static final long NET_READ_TIMEOUT_MILLIS = 30_000;

    private final AdminSettings settings;
    private final ConfigLayers layers;
    private final AdminStatements statements;
    private final EventLoopGroup group;
    private final AtomicLong ids = new AtomicLong();
    private Channel listener;

    private AdminServer(AdminSettings settings, ConfigLayers layers, AdminStatements statements, EventLoopGroup group) {
        this.settings = settings;
        this.layers = layers;
        this.statements = statements;
        this.group = group;
    }

    /** Binds the admin port; the proxy is running and {@code layers} hold its start-up configuration. */
    public static AdminServer start(AdminSettings settings, ConfigLayers layers, ProxyHandles proxy) {
        StatsTables stats = new StatsTables(proxy);
        proxy.runtime().onChange(c -> stats.configChanged());
        AdminStatements statements = layers.submit(db -> new AdminStatements(db, proxy, stats)).join();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AdminServer server = new AdminServer(settings, layers, statements, group);
        try {
            server.listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(FrameDecoder.NAME, new FrameDecoder(SessionVariables.MAX_ALLOWED_PACKET, NET_READ_TIMEOUT_MILLIS));
                            ch.pipeline().addLast("session", new AdminSession(server, server.ids.incrementAndGet()));
                        }
                    })
                    .bind(new InetSocketAddress(settings.bind(), settings.port()))
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen for admin clients on " + settings.bind() + ":" + settings.port()
                    + " (admin.bind, admin.port): " + e.getMessage(), e);
        }
        log.info("admin port listening on {}:{} (user {})", settings.bind(), server.port(), settings.username());
        return server;
    }

    /** The bound admin port. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    AdminSettings settings() {
        return settings;
    }

    /** Runs one COM_QUERY on the SQL thread. */
    CompletableFuture<AdminStatements.Reply> execute(SessionView session, String sql) {
        return layers.submit(db -> statements.execute(session, sql));
    }

    /** Stops listening and closes admin sessions (the layers are closed by their owner). */
    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
