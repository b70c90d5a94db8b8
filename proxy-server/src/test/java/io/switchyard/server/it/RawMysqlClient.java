package io.switchyard.server.it;

import static io.switchyard.protocol.Capability.CLIENT_CONNECT_WITH_DB;
import static io.switchyard.protocol.Capability.CLIENT_MULTI_RESULTS;
import static io.switchyard.protocol.Capability.CLIENT_MYSQL;
import static io.switchyard.protocol.Capability.CLIENT_PLUGIN_AUTH;
import static io.switchyard.protocol.Capability.CLIENT_PROTOCOL_41;
import static io.switchyard.protocol.Capability.CLIENT_SECURE_CONNECTION;
import static io.switchyard.protocol.Capability.CLIENT_TRANSACTIONS;

import io.switchyard.protocol.auth.NativePassword;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

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

    private final Socket socket;
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

    private RawMysqlClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects; every later read fails with {@link java.net.SocketTimeoutException} after {@code readTimeout}. */
    static RawMysqlClient connect(String host, int port, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
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
        byte[] seed = seedOf(greeting.payload());
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
        write(greeting.sequence() + 1, response.toByteArray());

        Packet answer = read();
        if (answer.type() == AUTH_SWITCH) {
            byte[] payload = answer.payload();
            int nameEnd = indexOf(payload, (byte) 0, 1);
            byte[] newSeed = Arrays.copyOfRange(payload, nameEnd + 1, nameEnd + 1 + NativePassword.SCRAMBLE_LENGTH);
            write(answer.sequence() + 1, NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), newSeed));
            answer = read();
        }
        return answer;
    }

    /** Reads the greeting without answering it. */
    Packet readGreeting() throws IOException {
        return read();
    }

    /** Sends {@code sql} as COM_QUERY with sequence id {@code sequence} (0 is correct). */
    void query(String sql, int sequence) throws IOException {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[text.length + 1];
        payload[0] = COM_QUERY;
        System.arraycopy(text, 0, payload, 1, text.length);
        write(sequence, payload);
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
