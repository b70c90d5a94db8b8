package io.switchyard.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.switchyard.protocol.AuthSwitchRequest;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.FrameDecoder;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.auth.NativePassword;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The load of {@code scripts/bench --scenario idle-clients}: opens many client connections to a
 * MySQL-protocol server (the proxy), from several loopback source addresses (one address has
 * fewer ephemeral ports than the clients need), logs each in with
 * {@code mysql_native_password}, holds them all open, then runs one {@code SELECT 1} on each.
 * It prints what it did, one {@code key=value} line per phase, for the script to read, and
 * waits for a line on standard input between the phases so that the script can measure the
 * proxy with every client connected.
 *
 * <p>Usage: {@code java -cp switchyard.jar io.switchyard.server.IdleClientsLoad HOST PORT USER
 * PASSWORD CLIENTS SOURCES IN_FLIGHT}, SOURCES being how many addresses from 127.0.0.1 up to use
 * and IN_FLIGHT how many logins (and then statements) may be under way at once. Tests
 * drive it through {@link #connect} and {@link #queryEach}.
 */
public final class IdleClientsLoad implements AutoCloseable {
    private static final long CAPABILITIES = Capability.CLIENT_MYSQL | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION | Capability.CLIENT_PLUGIN_AUTH | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_DEPRECATE_EOF;

    private final String host;
    private final int port;
    private final String user;
    private final byte[] password;
    private final boolean epoll = Epoll.isAvailable();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2,
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    private final Semaphore inFlight;
    private final List<Client> clients = new ArrayList<>();

    /**
     * What one phase did: clients that succeeded and failed, how long it took, the CPU time this
     * process spent on it, the first error.
     */
    public record Phase(long succeeded, long failed, double seconds, double cpuSeconds, String firstError) {
        public double rate() {
            return succeeded / seconds;
        }
    }

    /** A load that keeps at most {@code inFlight} logins (and later statements) under way at once. */
    public IdleClientsLoad(String host, int port, String user, String password, int inFlight) {
        this.inFlight = new Semaphore(inFlight);
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: IdleClientsLoad HOST PORT USER PASSWORD CLIENTS SOURCES IN_FLIGHT");
            System.exit(2);
        }
        try (IdleClientsLoad load = new IdleClientsLoad(args[0], Integer.parseInt(args[1]), args[2], args[3],
                Integer.parseInt(args[6]))) {
            Phase logins = load.connect(Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            System.out.printf("connected=%d failed=%d seconds=%.2f rate=%.0f cpu_seconds=%.2f first_error=%s%n",
                    logins.succeeded(), logins.failed(), logins.seconds(), logins.rate(), logins.cpuSeconds(), logins.firstError());
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            Phase statements = load.queryEach();
            System.out.printf("answered=%d failed=%d seconds=%.2f rate=%.0f cpu_seconds=%.2f first_error=%s%n",
                    statements.succeeded(), statements.failed(), statements.seconds(), statements.rate(),
                    statements.cpuSeconds(), statements.firstError());
            System.out.flush();
            System.exit(statements.failed() == 0 && logins.failed() == 0 ? 0 : 1);
        }
    }

    /**
     * Opens {@code count} connections from {@code sources} loopback addresses (127.0.0.1 up) and
     * logs each in, at most the load's in-flight count at a time; returns once every login ended.
     */
    public Phase connect(int count, int sources) throws InterruptedException {
        List<Client> opened = new ArrayList<>(count);
        long started = System.nanoTime();
        long cpuStarted = processCpuNanos();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            Client c = new Client();
            opened.add(c);
            c.loggedIn.whenComplete((ok, failure) -> inFlight.release());
            Bootstrap bootstrap = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
            if (epoll) {
                // The port is chosen at connect, not at bind: a bind to port 0 searches the
                // ports in use, which grows with every client already open.
                bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
            }
            bootstrap
                    .localAddress(new InetSocketAddress("127.0.0." + (1 + i % sources), 0))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new FrameDecoder(1 << 24), c);
                        }
                    })
                    .connect(host, port).addListener(f -> {
                        if (!f.isSuccess()) {
                            c.fail(c.loggedIn, f.cause().toString());
                        }
                    });
        }
        clients.addAll(opened);
        long ok = awaitAll(opened, c -> c.loggedIn);
        return new Phase(ok, count - ok, (System.nanoTime() - started) / 1e9, (processCpuNanos() - cpuStarted) / 1e9,
                firstError(opened));
    }

    /** Runs one {@code SELECT 1} on each logged-in client, at most the load's in-flight count at a time. */
    public Phase queryEach() throws InterruptedException {
        long started = System.nanoTime();
        long cpuStarted = processCpuNanos();
        for (Client c : clients) {
            if (c.channel != null && c.loggedIn.isDone() && !c.loggedIn.isCompletedExceptionally()) {
                inFlight.acquire();
                c.answered.whenComplete((ok, failure) -> inFlight.release());
                c.channel.eventLoop().execute(c::query);
            } else {
                c.answered.completeExceptionally(new IllegalStateException("not logged in"));
            }
        }
        long ok = awaitAll(clients, c -> c.answered);
        return new Phase(ok, clients.size() - ok, (System.nanoTime() - started) / 1e9,
                (processCpuNanos() - cpuStarted) / 1e9, firstError(clients));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Closes every client connection and the event loops. */
    @Override
    public void close() {
        for (Client c : clients) {
            if (c.channel != null) {
                c.channel.close();
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static long awaitAll(List<Client> all, Function<Client, CompletableFuture<Boolean>> phase) {
        long ok = 0;
        for (Client c : all) {
            try {
                if (phase.apply(c).get(120, TimeUnit.SECONDS)) {
                    ok++;
                }
            } catch (Exception e) {
                // counted as failed
            }
        }
        return ok;
    }

    private static String firstError(List<Client> all) {
        for (Client c : all) {
            if (c.error != null) {
                return c.error.replace(' ', '_').replace('\n', '_');
            }
        }
        return "none";
    }

    /** One client: logs in when the server greets it, then waits for {@link #query}. */
    private final class Client extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Boolean> loggedIn = new CompletableFuture<>();
        final CompletableFuture<Boolean> answered = new CompletableFuture<>();
        volatile Channel channel;
        volatile String error;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame frame = (Frame) msg;
            try {
                ByteBuf payload = frame.payload();
                int first = payload.getUnsignedByte(payload.readerIndex());
                if (!loggedIn.isDone()) {
                    login(ctx, frame.sequenceId(), payload, first);
                } else if (first == 0xff) {
                    fail(answered, "ERR " + payload.toString(StandardCharsets.UTF_8));
                } else if (first == 0xfe) {
                    answered.complete(true);
                }
            } finally {
                frame.release();
            }
        }

        private void login(ChannelHandlerContext ctx, int seq, ByteBuf payload, int first) {
            if (seq == 0) {
                HandshakeV10 greeting = HandshakeV10.decode(payload);
                HandshakeResponse41 hello = new HandshakeResponse41(CAPABILITIES, 1 << 24, 45, user,
                        NativePassword.scramble(password, greeting.seed()), null, "mysql_native_password", Map.of());
                ByteBuf body = ctx.alloc().buffer();
                hello.encode(body);
                ctx.writeAndFlush(Packets.split(ctx.alloc(), body, seq + 1));
                body.release();
            } else if (first == 0x00) {
                loggedIn.complete(true);
            } else if (first == AuthSwitchRequest.HEADER) {
                AuthSwitchRequest change = AuthSwitchRequest.decode(payload, "mysql_native_password");
                ByteBuf body = ctx.alloc().buffer().writeBytes(NativePassword.scramble(password, change.seed()));
                ctx.writeAndFlush(Packets.split(ctx.alloc(), body, seq + 1));
                body.release();
            } else {
                fail(loggedIn, "login: " + payload.toString(StandardCharsets.UTF_8));
                ctx.close();
            }
        }

        void query() {
            channel.writeAndFlush(Packets.command(channel.alloc(), Command.QUERY, "SELECT 1"));
        }

        private void fail(CompletableFuture<Boolean> phase, String why) {
            if (error == null) {
                error = why;
            }
            phase.completeExceptionally(new IllegalStateException(why));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(loggedIn.isDone() ? answered : loggedIn, "connection closed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(loggedIn.isDone() ? answered : loggedIn, cause.toString());
            ctx.close();
        }
    }
}
