package io.switchyard.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.switchyard.backend.ServerAddress;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.FrameDecoder;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.Wire;
import io.switchyard.protocol.auth.NativePassword;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted MySQL server for unit tests: listens on 127.0.0.1 (an ephemeral port), greets like
 * MariaDB 10.11 (its version string, capabilities and {@code mysql_native_password}), checks one
 * user's scramble, then answers each command from a script of {@link FakeReply}s, in the order the
 * commands arrived (pipelined commands included). Without a scripted reply it answers what a
 * backend login and a pool reset send: {@code SELECT @@var, ...} from {@link FakeVariables},
 * {@code SET}, {@code SELECT DATABASE()}, COM_INIT_DB, COM_PING and COM_RESET_CONNECTION; any
 * other query gets an ERR naming it. Prepared statements (without parameters or result columns)
 * are kept per connection: COM_STMT_EXECUTE of an id the connection never prepared gets MariaDB's
 * error 1243, and is recorded with the argument {@code #id}, a known one with its SQL text.
 * {@code KILL QUERY id} ends a statement left unanswered ({@link FakeReply#none()}) on the
 * connection with that thread id with error 1317, as MariaDB does.
 *
 * <p>Every command received is recorded ({@link #received()}). Thread-safe: scripting and
 * inspection may happen from the test thread while the server's own event loop serves
 * connections. {@link #close()} shuts the event loop down.
 */
public final class FakeMysqlServer implements AutoCloseable {
    /** The version string MariaDB 10.11 from Debian 12 sends (with the {@code 5.5.5-} prefix for old clients). */
    public static final String VERSION = "5.5.5-10.11.19-MariaDB-0+deb12u1";
    /** The capabilities that server offers without TLS: MariaDB's extended flags in bits 32..63. */
    public static final long CAPABILITIES = 0x1d_81ff_f7feL;
    private static final int UTF8MB4_GENERAL_CI = 45;
    private static final int ER_ACCESS_DENIED = 1045;
    private static final int ER_UNKNOWN_COM = 1047;
    private static final int ER_UNKNOWN_ERROR = 1105;
    private static final int ER_UNKNOWN_STMT_HANDLER = 1243;
    private static final int ER_NO_SUCH_THREAD = 1094;
    private static final int ER_QUERY_INTERRUPTED = 1317;
    private static final Pattern KILL_QUERY = Pattern.compile("(?i)KILL\\s+QUERY\\s+(\\d+)");

    /** One command as the server received it: the connection's thread id, the command, its argument as text. */
    public record Received(long connectionId, Command command, String argument) {
        @Override
        public String toString() {
            return argument.isEmpty() ? command.label() : command.label() + " " + argument;
        }
    }

    private final String user;
    private final byte[] passwordHash;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel listener;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final Map<Long, Connection> byThreadId = new ConcurrentHashMap<>();
    private final AtomicLong threadIds = new AtomicLong(100);
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger pendingSends = new AtomicInteger();
    private final AtomicLong lastSendProgressNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong lastReadNanos = new AtomicLong(System.nanoTime());
    private final FakeVariables variables = new FakeVariables();

    private FakeMysqlServer(String user, String password) throws InterruptedException {
        this.user = user;
        this.passwordHash = NativePassword.stage2Hash(password);
        try {
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    lastReadNanos.set(System.nanoTime());
                                    ctx.fireChannelRead(msg);
                                }
                            }, new FrameDecoder(Wire.MAX_PAYLOAD), new Connection());
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Starts a server that accepts {@code user} with {@code password}. */
    public static FakeMysqlServer start(String user, String password) throws InterruptedException {
        return new FakeMysqlServer(user, password);
    }

    public ServerAddress address() {
        InetSocketAddress a = (InetSocketAddress) listener.localAddress();
        return new ServerAddress(a.getHostString(), a.getPort());
    }

    /**
     * Answers COM_QUERY {@code sql} (exact text) with {@code replies}, one per matching query in
     * turn; the last one answers every further match. Later scripts take precedence.
     */
    public FakeMysqlServer on(String sql, FakeReply... replies) {
        return on(r -> r.command() == Command.QUERY && r.argument().equals(sql), replies);
    }

    /** Answers any command {@code matcher} accepts with {@code replies}, as {@link #on(String, FakeReply...)} does. */
    public FakeMysqlServer on(Predicate<Received> matcher, FakeReply... replies) {
        if (replies.length == 0) {
            throw new IllegalArgumentException("a script needs at least one reply");
        }
        rules.add(0, new Rule(matcher, new ArrayDeque<>(List.of(replies))));
        return this;
    }

    /** The server's session variables, which {@code SELECT @@var} reads. */
    public FakeVariables variables() {
        return variables;
    }

    /** Every command received so far, in order of arrival, over all connections. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The text of every COM_QUERY received so far, in order. */
    public List<String> queries() {
        return received.stream().filter(r -> r.command() == Command.QUERY).map(Received::argument).toList();
    }

    /** Logins accepted since start. */
    public int logins() {
        return logins.get();
    }

    /** Client connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * True when a reply is still being sent and its peer has taken none of its bytes for
     * {@code quiet}: the peer stopped reading and the socket buffers are full.
     */
    public boolean sendStalledFor(Duration quiet) {
        return pendingSends.get() > 0 && System.nanoTime() - lastSendProgressNanos.get() > quiet.toNanos();
    }

    /** True when the server has read nothing from any connection for {@code quiet}. */
    public boolean readIdleFor(Duration quiet) {
        return System.nanoTime() - lastReadNanos.get() > quiet.toNanos();
    }

    /** Closes every client connection now, as a server that goes away or drops idle sessions does. */
    public void dropConnections() {
        for (Channel c : List.copyOf(connections)) {
            c.close().syncUninterruptibly();
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        for (Channel c : connections) {
            c.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private FakeReply scripted(Received r) {
        for (Rule rule : rules) {
            if (rule.matcher.test(r)) {
                synchronized (rule.replies) {
                    return rule.replies.size() > 1 ? rule.replies.poll() : rule.replies.peek();
                }
            }
        }
        return null;
    }

    private record Rule(Predicate<Received> matcher, Deque<FakeReply> replies) {}

    /** One client connection; confined to the server's event loop. */
    private final class Connection extends SimpleChannelInboundHandler<Frame> {
        private final long threadId = threadIds.incrementAndGet();
        private final byte[] seed = seed();
        private final ArrayDeque<Frame> waiting = new ArrayDeque<>();
        private final Map<Integer, String> statements = new HashMap<>();
        private int nextStatementId = 1;
        private boolean loggedIn;
        private boolean replying;
        private boolean silent;
        private ChannelHandlerContext context;
        private long caps;
        private String schema;

        Connection() {
            super(false);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            context = ctx;
            connections.add(ctx.channel());
            byThreadId.put(threadId, this);
            HandshakeV10 greeting = new HandshakeV10(VERSION, threadId, seed, CAPABILITIES, UTF8MB4_GENERAL_CI,
                    ServerStatus.AUTOCOMMIT, "mysql_native_password");
            ctx.writeAndFlush(Packets.build(ctx.alloc(), 0, greeting::encode));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connections.remove(ctx.channel());
            byThreadId.remove(threadId);
            waiting.forEach(Frame::release);
            waiting.clear();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (!loggedIn) {
                try {
                    login(ctx, HandshakeResponse41.decode(frame.payload()));
                } finally {
                    frame.release();
                }
                return;
            }
            waiting.addLast(frame);
            if (!replying) {
                answerNext(ctx);
            }
        }

        private void login(ChannelHandlerContext ctx, HandshakeResponse41 hello) {
            if (hello.isSslRequest()) {
                ctx.close();
                return;
            }
            if (!user.equals(hello.username()) || !NativePassword.verify(passwordHash, seed, hello.authResponse())) {
                ErrPacket denied = new ErrPacket(ER_ACCESS_DENIED, "28000",
                        "Access denied for user '" + hello.username() + "'@'127.0.0.1' (using password: YES)");
                ctx.writeAndFlush(Packets.err(ctx.alloc(), 2, denied)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            loggedIn = true;
            caps = hello.capabilities() & CAPABILITIES;
            schema = hello.database();
            logins.incrementAndGet();
            ctx.writeAndFlush(Packets.ok(ctx.alloc(), 2, OkPacket.of(ServerStatus.AUTOCOMMIT), sessionTrack()));
        }

        private boolean sessionTrack() {
            return Capability.has(caps, Capability.CLIENT_SESSION_TRACK);
        }

        private void answerNext(ChannelHandlerContext ctx) {
            Frame frame = ctx.channel().isActive() ? waiting.poll() : null;
            if (frame == null) {
                replying = false;
                return;
            }
            Received r;
            try {
                ByteBuf payload = frame.payload();
                Command command = Command.of(payload.readUnsignedByte());
                r = new Received(threadId, command, argument(command, payload));
            } finally {
                frame.release();
            }
            received.add(r);
            if (r.command() == Command.QUIT) {
                ctx.close();
                return;
            }
            if (r.command() == Command.STMT_CLOSE) {
                statements.values().remove(r.argument());
                answerNext(ctx);
                return;
            }
            FakeReply reply = scripted(r);
            if (reply == null) {
                reply = standard(r);
            }
            replying = true;
            FakeReply chosen = reply;
            if (reply.delayMillis() > 0) {
                ctx.executor().schedule(() -> send(ctx, chosen), reply.delayMillis(), TimeUnit.MILLISECONDS);
            } else {
                send(ctx, chosen);
            }
        }

        private void send(ChannelHandlerContext ctx, FakeReply reply) {
            ByteBuf bytes = reply.encode(ctx.alloc(), Capability.has(caps, Capability.CLIENT_DEPRECATE_EOF), sessionTrack());
            int cut = reply.cutAfterBytes();
            if (cut >= 0) {
                ByteBuf head = bytes.readRetainedSlice(Math.min(cut, bytes.readableBytes()));
                bytes.release();
                ctx.writeAndFlush(head).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (!bytes.isReadable()) {
                bytes.release();
                silent = true;
                return;
            }
            pendingSends.incrementAndGet();
            lastSendProgressNanos.set(System.nanoTime());
            ctx.writeAndFlush(bytes, ctx.newProgressivePromise()).addListener(new ChannelProgressiveFutureListener() {
                @Override
                public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
                    lastSendProgressNanos.set(System.nanoTime());
                }

                @Override
                public void operationComplete(ChannelProgressiveFuture future) {
                    pendingSends.decrementAndGet();
                }
            });
            if (reply.stopReading()) {
                ctx.channel().config().setAutoRead(false);
                return;
            }
            answerNext(ctx);
        }

        /**
         * A command's argument as text: the SQL of a prepared statement for the commands that
         * name one by id ({@code #id} when this connection has no such statement), else the rest
         * of the payload.
         */
        private String argument(Command command, ByteBuf payload) {
            return switch (command) {
                case STMT_EXECUTE, STMT_CLOSE, STMT_RESET, STMT_FETCH, STMT_SEND_LONG_DATA -> {
                    int id = payload.readIntLE();
                    String sql = statements.get(id);
                    yield sql != null ? sql : "#" + id;
                }
                default -> payload.toString(StandardCharsets.UTF_8);
            };
        }

        /** {@code KILL QUERY} of this connection: a statement left unanswered ends with MariaDB's error 1317. */
        private void interrupt() {
            if (!silent) {
                return;
            }
            silent = false;
            ErrPacket interrupted = new ErrPacket(ER_QUERY_INTERRUPTED, "70100", "Query execution was interrupted");
            context.writeAndFlush(Packets.err(context.alloc(), 1, interrupted));
            answerNext(context);
        }

        /** Runs {@code KILL QUERY id}: the reply to the killer, after interrupting the connection with that thread id. */
        private FakeReply kill(long id) {
            Connection target = byThreadId.get(id);
            if (target == null) {
                return FakeReply.err(ER_NO_SUCH_THREAD, "HY000", "Unknown thread id: " + id);
            }
            target.interrupt();
            return FakeReply.ok();
        }

        /** The answers a MariaDB server gives to what the proxy sends on its own behalf. */
        private FakeReply standard(Received r) {
            return switch (r.command()) {
                case PING -> FakeReply.ok();
                case RESET_CONNECTION -> {
                    statements.clear();
                    yield FakeReply.ok();
                }
                case STMT_PREPARE -> {
                    int id = nextStatementId++;
                    statements.put(id, r.argument());
                    yield FakeReply.statementPrepared(id);
                }
                case STMT_EXECUTE -> r.argument().startsWith("#")
                        ? FakeReply.err(ER_UNKNOWN_STMT_HANDLER, "HY000",
                                "Unknown prepared statement handler (" + r.argument().substring(1) + ") given to mysqld_stmt_execute")
                        : FakeReply.ok();
                case INIT_DB -> {
                    schema = r.argument();
                    yield FakeReply.ok();
                }
                case QUERY -> {
                    String sql = r.argument().strip();
                    if (sql.equalsIgnoreCase("SELECT DATABASE()")) {
                        yield FakeReply.resultSet(List.of("DATABASE()"), List.of(nullable(schema)));
                    }
                    if (sql.regionMatches(true, 0, "SET ", 0, 4)) {
                        yield FakeReply.ok();
                    }
                    Matcher kill = KILL_QUERY.matcher(sql);
                    if (kill.matches()) {
                        yield kill(Long.parseLong(kill.group(1)));
                    }
                    FakeReply read = variables.select(sql);
                    yield read != null ? read : FakeReply.err(ER_UNKNOWN_ERROR, "HY000", "no scripted reply for: " + sql);
                }
                default -> FakeReply.err(ER_UNKNOWN_COM, "08S01", "Unknown command");
            };
        }
    }

    private static List<String> nullable(String value) {
        List<String> row = new ArrayList<>(1);
        row.add(value);
        return row;
    }

    /** A 20-byte printable seed, as MariaDB makes them (no NUL, which would end it early). */
    private static byte[] seed() {
        byte[] seed = new byte[NativePassword.SCRAMBLE_LENGTH];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) ThreadLocalRandom.current().nextInt(0x21, 0x7f);
        }
        return seed;
    }
}
