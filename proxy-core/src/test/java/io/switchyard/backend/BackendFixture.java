package io.switchyard.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.switchyard.protocol.Capability;
import io.switchyard.testing.FakeMysqlServer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The proxy's side of a backend test: a {@link FakeMysqlServer} that accepts {@code app} /
 * {@code app-pass}, an event loop for backend connections (as a client session's loop would be),
 * a second one (another session's), and the bootstrap and connection key a session would use. {@link #close()} shuts down both the
 * loop and the server.
 */
final class BackendFixture implements AutoCloseable {
    static final String USER = "app";
    static final String PASSWORD = "app-pass";
    static final long WAIT_SECONDS = 15;

    final FakeMysqlServer server;
    final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final EventLoop loop = group.next();
    /** A second loop, as another client session's would be. */
    final EventLoop otherLoop = group.next();
    final Bootstrap bootstrap = new Bootstrap().channel(NioSocketChannel.class)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
    final BackendSettings settings = new BackendSettings(10_000, null, false);

    BackendFixture() {
        try {
            server = FakeMysqlServer.start(USER, PASSWORD);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the fake server", e);
        }
    }

    /** What a client that negotiated CLIENT_DEPRECATE_EOF ({@code deprecateEof}) or not makes backend connections with. */
    static ConnectionKey key(String password, boolean deprecateEof) {
        long caps = Capability.CLIENT_MULTI_RESULTS | Capability.CLIENT_PS_MULTI_RESULTS
                | (deprecateEof ? Capability.CLIENT_DEPRECATE_EOF : 0);
        return new ConnectionKey(BackendCredentials.clearText(USER, password.getBytes(StandardCharsets.UTF_8)), caps, 45);
    }

    static ConnectionKey key() {
        return key(PASSWORD, true);
    }

    /** Opens and logs in a connection on the loop. */
    Future<BackendConnection> connect(ConnectionKey key) {
        return BackendConnection.connect(bootstrap, loop, server.address(), key, null, settings, new GlobalValues());
    }

    /** Waits for {@code future}, failing the test after {@link #WAIT_SECONDS}. */
    static <T> T await(Future<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Runs {@code task} on the loop, as the owner of a connection must, and returns its result. */
    <T> T onLoop(Callable<T> task) throws Exception {
        return on(loop, task);
    }

    /** Runs {@code task} on {@code where} and returns its result. */
    static <T> T on(EventLoop where, Callable<T> task) throws Exception {
        return where.submit(task).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            server.close();
        }
    }
}
