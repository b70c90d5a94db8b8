package io.switchyard.server.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of a server, between the proxy and MariaDB, that can cut a
 * connection at a chosen command: once armed ({@link #cutNext}), the next command packet (sequence
 * 0) with that command byte sent towards the server is not forwarded (or forwarded first, so that
 * the server may run it), and both sides of its connection are closed, as when the network or the
 * server fails just then. Connections logged in as the {@link #spare spared} user (the proxy's
 * monitor) are never cut. Everything else passes unchanged (no TLS or compression on the relayed
 * connections). {@link #close} stops it and every relayed connection.
 *
 * <p>As a JUnit extension ({@code @RegisterExtension}, declared before the {@link ProxyFixture}
 * whose configuration names it, see {@link #beforePrimary}) it is disarmed after each test and
 * closed after the class.
 */
final class CommandCuttingRelay implements AutoCloseable, org.junit.jupiter.api.extension.AfterEachCallback,
        org.junit.jupiter.api.extension.AfterAllCallback {
    private static final int NONE = -1;

    private volatile int targetPort;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger armed = new AtomicInteger(NONE);
    private volatile boolean forwardFirst;
    private volatile String spared = "";
    private final AtomicInteger cuts = new AtomicInteger();
    private final Thread acceptor;

    private CommandCuttingRelay() throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("relay-accept").start(this::acceptLoop);
    }

    /** A relay listening on a free port of 127.0.0.1, to a server named later ({@link #beforePrimary}). */
    static CommandCuttingRelay start() {
        try {
            return new CommandCuttingRelay();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Relays to {@code cluster}'s primary from now on, never cutting the proxy's monitor; returns
     * the proxy's configuration lines that make the relay its only server (hostgroup 0).
     */
    String beforePrimary(io.switchyard.server.launcher.MariaDbCluster cluster) {
        targetPort = cluster.primary().port();
        spare(io.switchyard.server.launcher.MariaDbCluster.MONITOR_USER);
        return "servers = [ { hostgroup = 0, host = \"127.0.0.1\", port = " + port() + " } ]\n";
    }

    @Override
    public void afterEach(org.junit.jupiter.api.extension.ExtensionContext context) {
        disarm();
    }

    @Override
    public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context) {
        close();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The next packet of command {@code command} towards the server cuts its connection (once), before it reaches the server. */
    void cutNext(int command) {
        cutNext(command, false);
    }

    /** The same; with {@code forwarded}, the packet reaches the server before the cut. */
    void cutNext(int command, boolean forwarded) {
        forwardFirst = forwarded;
        armed.set(command);
    }

    /** Connections that log in as {@code user} are never cut. */
    void spare(String user) {
        spared = user;
    }

    /** Disarms a cut that has not happened. */
    void disarm() {
        armed.set(NONE);
    }

    /** Connections cut so far. */
    int cuts() {
        return cuts.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                Thread.ofPlatform().daemon().name("relay-up").start(() -> upstream(client, server));
                Thread.ofPlatform().daemon().name("relay-down").start(() -> downstream(server, client));
            } catch (IOException e) {
                // closed, or the server refused: the proxy sees a refused or closed connection
            }
        }
    }

    /** Towards the server, packet by packet, so that a command can be recognised and cut. */
    private void upstream(Socket from, Socket to) {
        try (DataInputStream in = new DataInputStream(from.getInputStream())) {
            OutputStream out = to.getOutputStream();
            byte[] header = new byte[4];
            boolean spare = false;
            boolean loggedIn = false;
            while (true) {
                in.readFully(header);
                int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (!loggedIn) {
                    // The handshake response (protocol 4.1): the user name starts at byte 32, ends with NUL.
                    loggedIn = true;
                    spare = loginUser(payload).equals(spared);
                }
                int command = armed.get();
                boolean cut = !spare && header[3] == 0 && length > 0 && command != NONE && (payload[0] & 0xff) == command
                        && armed.compareAndSet(command, NONE);
                if (!cut || forwardFirst) {
                    out.write(header);
                    out.write(payload);
                    out.flush();
                }
                if (cut) {
                    cuts.incrementAndGet();
                    closeBoth(from, to);
                    return;
                }
            }
        } catch (IOException e) {
            closeBoth(from, to);
        }
    }

    private static String loginUser(byte[] handshakeResponse) {
        if (handshakeResponse.length <= 32) {
            return "";
        }
        int end = 32;
        while (end < handshakeResponse.length && handshakeResponse[end] != 0) {
            end++;
        }
        return new String(handshakeResponse, 32, end - 32, java.nio.charset.StandardCharsets.UTF_8);
    }

    private void downstream(Socket from, Socket to) {
        try (InputStream in = from.getInputStream()) {
            in.transferTo(to.getOutputStream());
        } catch (IOException e) {
            // closed on either side
        } finally {
            closeBoth(from, to);
        }
    }

    private void closeBoth(Socket a, Socket b) {
        close(a);
        close(b);
    }

    private void close(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.forEach(this::close);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
