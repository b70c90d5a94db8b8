package io.switchyard.server.it;

import static io.switchyard.protocol.Capability.CLIENT_CONNECT_WITH_DB;
import static io.switchyard.protocol.Capability.CLIENT_MULTI_RESULTS;
import static io.switchyard.protocol.Capability.CLIENT_MYSQL;
import static io.switchyard.protocol.Capability.CLIENT_PLUGIN_AUTH;
import static io.switchyard.protocol.Capability.CLIENT_PROTOCOL_41;
import static io.switchyard.protocol.Capability.CLIENT_SECURE_CONNECTION;
import static io.switchyard.protocol.Capability.CLIENT_SSL;
import static io.switchyard.protocol.Capability.CLIENT_TRANSACTIONS;

import io.switchyard.protocol.auth.NativePassword;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A deliberately small MySQL client over a plain socket, for sending what real drivers never
 * send. Speaks just enough of the protocol to log in with {@code mysql_native_password} and
 * write arbitrary packets; every read is bounded by the socket timeout, so a peer that stops
 * answering fails the test instead of hanging it.
 *
 * <p>Not thread-safe; one per connection. Close it.
 */
final class RawMysqlClient implements AutoCloseable {
    static final int OK = 0x00;
    static final int ERR = 0xFF;
    static final int AUTH_SWITCH = 0xFE;
    static final byte COM_QUERY = 0x03;
    static final int MAX_PAYLOAD = 0xFF_FF_FF;

    private static final long CAPABILITIES = CLIENT_MYSQL | CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41
            | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH;
    private static final int UTF8MB4_GENERAL_CI = 45;

    private final HoldingSocket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** One packet as received: its sequence id and payload. */
    record Packet(int sequence, byte[] payload) {
        int type() {
            return payload.length == 0 ? -1 : payload[0] & 0xFF;
        }

        boolean isErr() {
            return type() == ERR;
        }

        /** The error code of an ERR packet. */
        int errorCode() {
            return (payload[1] & 0xFF) | (payload[2] & 0xFF) << 8;
        }

        /** The message of an ERR packet (after the SQLSTATE marker and state). */
        String errorMessage() {
            int start = payload.length > 3 && payload[3] == '#' ? 9 : 3;
            return new String(payload, start, payload.length - start, StandardCharsets.UTF_8);
        }
    }

    /** The seed of the greeting this connection logged in with. */
    private byte[] seed = new byte[NativePassword.SCRAMBLE_LENGTH];

    private RawMysqlClient(HoldingSocket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects; every later read fails with {@link java.net.SocketTimeoutException} after {@code readTimeout}. */
    static RawMysqlClient connect(String host, int port, Duration readTimeout) throws IOException {
        HoldingSocket socket = new HoldingSocket();
        try {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.setTcpNoDelay(true);
            return new RawMysqlClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Reads the greeting and logs in; returns the server's final answer (OK or ERR), following
     * one authentication switch if asked.
     */
    Packet login(String user, String password, String database) throws IOException {
        return login(user, password, database, CAPABILITIES);
    }

    /**
     * Same, asking for {@code capabilities}; without {@code CLIENT_MYSQL}, bits 32 and up are
     * MariaDB's extended capabilities, sent at the end of the filler.
     */
    Packet login(String user, String password, String database, long capabilities) throws IOException {
        return login(user, password, database, capabilities, UTF8MB4_GENERAL_CI);
    }

    /** Same, with the handshake's collation id {@code collation}. */
    Packet login(String user, String password, String database, long capabilities, int collation) throws IOException {
        Packet greeting = read();
        if (greeting.isErr()) {
            return greeting;
        }
        seed = seedOf(greeting.payload());
        write(greeting.sequence() + 1, handshakeResponse(seed, user, password, database, capabilities, collation));
        return answerToLogin(password, in, out);
    }

    /**
     * Reads the greeting, asks for TLS and logs in over it. The SSL request is held back and
     * leaves in one TCP segment with the TLS ClientHello, as a fast client's may: the server must
     * hand the bytes after the request to TLS. Trusts any certificate.
     */
    Packet loginOverTlsInOneSegment(String user, String password, String database) throws IOException {
        Packet greeting = read();
        if (greeting.isErr()) {
            return greeting;
        }
        long capabilities = CAPABILITIES | CLIENT_SSL;
        ByteArrayOutputStream sslRequest = new ByteArrayOutputStream();
        writeInt(sslRequest, capabilities, 4);
        writeInt(sslRequest, MAX_PAYLOAD + 1L, 4);
        sslRequest.write(UTF8MB4_GENERAL_CI);
        sslRequest.writeBytes(new byte[23]);
        socket.holdUntilNextWrite(packet(greeting.sequence() + 1, sslRequest.toByteArray()));
        SSLSocket tls;
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {TRUST_ANY}, null);
            tls = (SSLSocket) context.getSocketFactory().createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), false);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        tls.startHandshake();
        OutputStream tlsOut = tls.getOutputStream();
        tlsOut.write(packet(greeting.sequence() + 2,
                handshakeResponse(seedOf(greeting.payload()), user, password, database, capabilities, UTF8MB4_GENERAL_CI)));
        tlsOut.flush();
        return answerToLogin(password, new DataInputStream(tls.getInputStream()), tlsOut);
    }

    private static byte[] handshakeResponse(byte[] seed, String user, String password, String database, long capabilities, int collation) {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        writeInt(response, capabilities & 0xFFFF_FFFFL, 4);
        writeInt(response, MAX_PAYLOAD + 1L, 4);
        response.write(collation);
        response.writeBytes(new byte[19]);
        writeInt(response, (capabilities & CLIENT_MYSQL) == 0 ? capabilities >>> 32 : 0, 4);
        writeNulTerminated(response, user);
        byte[] auth = NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), seed);
        response.write(auth.length);
        response.writeBytes(auth);
        writeNulTerminated(response, database);
        writeNulTerminated(response, "mysql_native_password");
        return response.toByteArray();
    }

    /** The server's final answer to a login (OK or ERR), following one authentication switch if asked. */
    private static Packet answerToLogin(String password, DataInputStream in, OutputStream out) throws IOException {
        Packet answer = read(in);
        if (answer.type() == AUTH_SWITCH) {
            byte[] payload = answer.payload();
            int nameEnd = indexOf(payload, (byte) 0, 1);
            byte[] newSeed = Arrays.copyOfRange(payload, nameEnd + 1, nameEnd + 1 + NativePassword.SCRAMBLE_LENGTH);
            out.write(packet(answer.sequence() + 1, NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), newSeed)));
            out.flush();
            answer = read(in);
        }
        return answer;
    }

    /**
     * Sends COM_CHANGE_USER for {@code user} with {@code password}, scrambled with the seed of
     * the greeting (zeros before a login), and returns the final answer (OK or ERR), following one
     * authentication switch if asked.
     */
    Packet changeUser(String user, String password, String database) throws IOException {
        return changeUser(user, password, database, UTF8MB4_GENERAL_CI, StandardCharsets.UTF_8);
    }

    /**
     * As {@link #changeUser(String, String, String)}, naming {@code collation} and writing the
     * user and the database in {@code names}.
     */
    Packet changeUser(String user, String password, String database, int collation, java.nio.charset.Charset names)
            throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(0x11);
        request.writeBytes(user.getBytes(names));
        request.write(0);
        byte[] auth = NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), seed);
        request.write(auth.length);
        request.writeBytes(auth);
        request.writeBytes(database.getBytes(names));
        request.write(0);
        writeInt(request, collation, 2);
        writeNulTerminated(request, "mysql_native_password");
        write(0, request.toByteArray());
        return answerToLogin(password, in, out);
    }

    /** The client side's port of the connection. */
    int localPort() {
        return socket.getLocalPort();
    }

    /** Reads the greeting without answering it. */
    Packet readGreeting() throws IOException {
        return read();
    }

    /** The payload of a command {@code command} whose argument is {@code text} (UTF-8). */
    static byte[] command(int command, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[bytes.length + 1];
        payload[0] = (byte) command;
        System.arraycopy(bytes, 0, payload, 1, bytes.length);
        return payload;
    }

    /** Sends {@code sql} as COM_QUERY with sequence id {@code sequence} (0 is correct). */
    void query(String sql, int sequence) throws IOException {
        write(sequence, command(COM_QUERY, sql));
    }

    /**
     * Runs {@code sql} (COM_QUERY) and reads its one result as this client's capabilities frame
     * it (no CLIENT_DEPRECATE_EOF: column definitions and rows each end with an EOF): the rows of
     * a result set, each value as text (null for SQL NULL), or none for an OK.
     *
     * @throws IOException on an ERR, with its code and message
     */
    java.util.List<java.util.List<String>> rows(String sql) throws IOException {
        query(sql, 0);
        Packet first = read();
        if (first.isErr()) {
            throw new IOException(first.errorCode() + " " + first.errorMessage());
        }
        java.util.List<java.util.List<String>> rows = new java.util.ArrayList<>();
        if (first.type() == OK) {
            return rows;
        }
        long columns = first.payload()[0] & 0xFF;
        for (long i = 0; i <= columns; i++) {
            read();
        }
        for (Packet row = read(); !(row.type() == 0xFE && row.payload().length < 9); row = read()) {
            if (row.isErr()) {
                throw new IOException(row.errorCode() + " " + row.errorMessage());
            }
            java.util.List<String> values = new java.util.ArrayList<>();
            byte[] p = row.payload();
            int at = 0;
            while (at < p.length) {
                int length = p[at] & 0xFF;
                if (length == 0xFB) {
                    values.add(null);
                    at++;
                    continue;
                }
                int prefix = length < 0xFB ? 1 : length == 0xFC ? 3 : length == 0xFD ? 4 : 9;
                long n = length < 0xFB ? length : 0;
                for (int k = prefix - 1; k >= 1; k--) {
                    n = n << 8 | (p[at + k] & 0xFF);
                }
                values.add(new String(p, at + prefix, (int) n, StandardCharsets.UTF_8));
                at += prefix + (int) n;
            }
            rows.add(values);
        }
        return rows;
    }

    /** Writes one packet: a header for {@code payload}'s length, then the payload. */
    void write(int sequence, byte[] payload) throws IOException {
        writeRaw(header(payload.length, sequence));
        writeRaw(payload);
    }

    /** Writes bytes as they are, whatever the framing. */
    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one packet; {@link EOFException} if the peer closed the connection. */
    Packet read() throws IOException {
        return read(in);
    }

    private static Packet read(DataInputStream in) throws IOException {
        byte[] header = new byte[4];
        in.readFully(header);
        int length = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Packet(header[3] & 0xFF, payload);
    }

    /** Reads and discards at least {@code bytes} bytes of whatever arrives. */
    void skip(long bytes) throws IOException {
        byte[] buffer = new byte[8192];
        long remaining = bytes;
        while (remaining > 0) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new EOFException("closed after " + (bytes - remaining) + " bytes");
            }
            remaining -= n;
        }
    }

    InputStream input() {
        return in;
    }

    static byte[] header(int length, int sequence) {
        return new byte[] {(byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) sequence};
    }

    private static byte[] packet(int sequence, byte[] payload) {
        byte[] packet = Arrays.copyOf(header(payload.length, sequence), 4 + payload.length);
        System.arraycopy(payload, 0, packet, 4, payload.length);
        return packet;
    }

    private static final X509TrustManager TRUST_ANY = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    /** A socket that can hold bytes back and send them in one write with the next bytes written. */
    private static final class HoldingSocket extends Socket {
        private byte[] held;
        private OutputStream stream;

        void holdUntilNextWrite(byte[] bytes) {
            held = bytes;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (stream == null) {
                stream = new FilterOutputStream(super.getOutputStream()) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (held == null) {
                            out.write(b, off, len);
                            return;
                        }
                        byte[] both = Arrays.copyOf(held, held.length + len);
                        System.arraycopy(b, off, both, held.length, len);
                        held = null;
                        out.write(both);
                    }
                };
            }
            return stream;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** The 20-byte scramble of a HandshakeV10: 8 bytes after the connection id, 12 more after the reserved bytes. */
    private static byte[] seedOf(byte[] greeting) {
        int versionEnd = indexOf(greeting, (byte) 0, 1);
        int part1 = versionEnd + 1 + 4;
        int part2 = part1 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
        byte[] seed = new byte[NativePassword.SCRAMBLE_LENGTH];
        System.arraycopy(greeting, part1, seed, 0, 8);
        System.arraycopy(greeting, part2, seed, 8, 12);
        return seed;
    }

    private static int indexOf(byte[] bytes, byte value, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        throw new IllegalArgumentException("no NUL after offset " + from);
    }

    private static void writeInt(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }

    private static void writeNulTerminated(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }
}
