package io.switchyard.frontend;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.switchyard.protocol.FrameDecoder;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing listener: accepts connections and gives each a {@link FrameDecoder} and a
 * {@link ClientSession}. Started and stopped by the daemon's wiring; thread-safe.
 */
public final class FrontendServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrontendServer.class);

    /** Write buffer bounds per client: above the high mark the relay stops reading the backend. */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final FrontendContext context;
    private final Channel serverChannel;

    private FrontendServer(FrontendContext context, Channel serverChannel) {
        this.context = context;
        this.serverChannel = serverChannel;
    }

    /** Binds the listener; blocks until bound, throws when the address is taken. */
    public static FrontendServer start(FrontendContext context, EventLoopGroup boss, EventLoopGroup workers,
                                       Class<? extends ServerSocketChannel> channelType) throws InterruptedException {
        FrontendSettings settings = context.settings();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(FrameDecoder.NAME, new FrameDecoder(settings.maxAllowedPacket(), settings.netReadTimeoutMillis()));
                        ch.pipeline().addLast("session", new ClientSession(context));
                    }
                });
        Channel channel = bootstrap.bind(settings.bindAddress(), settings.port()).sync().channel();
        log.info("listening for MySQL clients on {}", channel.localAddress());
        return new FrontendServer(context, channel);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public FrontendContext context() {
        return context;
    }

    /** Stops accepting; existing sessions go on until closed. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }
}
