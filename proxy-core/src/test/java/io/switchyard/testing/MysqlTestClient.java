package io.switchyard.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.Packets;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.Wire;
import io.switchyard.protocol.auth.NativePassword;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A blocking MySQL client for tests, on a plain socket: logs in with {@code mysql_native_password},
 * sends text statements (several at once to pipeline them) or prepares and executes statements
 * without parameters, and reads each response whole, the way a driver would, using the proxy's
 * {@link ResponseTracker} to find where a response ends.
 * Every read waits at most {@link #READ_TIMEOUT_MILLIS}.
 *
 * <p>Not thread-safe: one test thread drives it. {@link #close()} closes the socket.
 */
public final class MysqlTestClient implements AutoCloseable {
    public static final int READ_TIMEOUT_MILLIS = 5000;
    /** What the client negotiates: protocol 4.1 with plugin authentication, multi-results and CLIENT_DEPRECATE_EOF. */
    public static final long CAPABILITIES = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_TRANSACTIONS | Capability.CLIENT_LONG_FLAG | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_DEPRECATE_EOF;
    private static final int UTF8MB4_GENERAL_CI = 45;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteBuf received = Unpooled.buffer();

    private MysqlTestClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects and logs in; throws with the server's error when the login is refused. */
    public static MysqlTestClient login(String host, int port, String user, String password) throws IOException {
        MysqlTestClient client = new MysqlTestClient(new Socket(host, port));
        try {
            HandshakeV10 greeting = HandshakeV10.decode(Unpooled.wrappedBuffer(client.readPacket()));
            byte[] scramble = NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), greeting.seed());
            HandshakeResponse41 hello = new HandshakeResponse41(CAPABILITIES, Wire.MAX_PAYLOAD, UTF8MB4_GENERAL_CI, user,
                    scramble, null, "mysql_native_password", Map.of());
            client.write(Packets.build(ByteBufAllocator.DEFAULT, 1, hello::encode));
            byte[] reply = client.readPacket();
            if ((reply[0] & 0xff) == ErrPacket.HEADER) {
                throw new IOException("login refused: " + ErrPacket.decode(Unpooled.wrappedBuffer(reply)));
            }
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Sends {@code statements} as COM_QUERY packets in one write, without waiting for any answer. */
    public void send(String... statements) throws IOException {
        for (String sql : statements) {
            write(Packets.command(ByteBufAllocator.DEFAULT, Command.QUERY, sql));
        }
        out.flush();
    }

    /** Reads the next response to a text statement, headers included, exactly as it arrived. */
    public byte[] readResponse() throws IOException {
        return readResponse(Command.QUERY);
    }

    /**
     * Prepares {@code sql} (COM_STMT_PREPARE) and returns the statement id the reply gives, or
     * throws with the error the reply is.
     */
    public int prepare(String sql) throws IOException {
        write(Packets.command(ByteBufAllocator.DEFAULT, Command.STMT_PREPARE, sql));
        out.flush();
        byte[] reply = readResponse(Command.STMT_PREPARE);
        ErrPacket err = error(reply);
        if (err != null) {
            throw new IOException("prepare refused: " + err);
        }
        return Unpooled.wrappedBuffer(reply).getIntLE(Wire.HEADER_SIZE + 1);
    }

    /** Executes a statement without parameters (COM_STMT_EXECUTE, no cursor) and returns the response. */
    public byte[] execute(int statementId) throws IOException {
        write(Packets.build(ByteBufAllocator.DEFAULT, 0, b -> b.writeByte(Command.STMT_EXECUTE.code)
                .writeIntLE(statementId).writeByte(0).writeIntLE(1)));
        out.flush();
        return readResponse(Command.STMT_EXECUTE);
    }

    private byte[] readResponse(Command command) throws IOException {
        ResponseTracker tracker = new ResponseTracker();
        tracker.begin(command, CAPABILITIES);
        ByteBuf response = Unpooled.buffer();
        try {
            while (!tracker.isDone()) {
                int n = tracker.scan(received);
                if (n > 0) {
                    response.writeBytes(received, n);
                } else if (!tracker.isDone()) {
                    fill();
                }
            }
            byte[] bytes = new byte[response.readableBytes()];
            response.readBytes(bytes);
            received.discardReadBytes();
            return bytes;
        } finally {
            response.release();
        }
    }

    /** Sends one statement and reads its response. */
    public byte[] query(String sql) throws IOException {
        send(sql);
        return readResponse();
    }

    /**
     * Reads until the server closes the connection and returns what came before the close;
     * throws {@link SocketTimeoutException} when the connection stays open.
     */
    public byte[] readUntilClosed() throws IOException {
        try {
            while (true) {
                fill();
            }
        } catch (EOFException closed) {
            byte[] bytes = new byte[received.readableBytes()];
            received.readBytes(bytes);
            return bytes;
        }
    }

    private void write(ByteBuf packet) throws IOException {
        try {
            packet.readBytes(out, packet.readableBytes());
        } finally {
            packet.release();
        }
    }

    private void fill() throws IOException {
        byte[] chunk = new byte[8192];
        int n = in.read(chunk);
        if (n < 0) {
            throw new EOFException("the server closed the connection");
        }
        received.writeBytes(chunk, 0, n);
    }

    private byte[] readPacket() throws IOException {
        while (received.readableBytes() < Wire.HEADER_SIZE
                || received.readableBytes() < Wire.HEADER_SIZE + Wire.payloadLength(received, received.readerIndex())) {
            fill();
        }
        int length = Wire.payloadLength(received, received.readerIndex());
        received.skipBytes(Wire.HEADER_SIZE);
        byte[] payload = new byte[length];
        received.readBytes(payload);
        received.discardReadBytes();
        return payload;
    }

    /** The ERR a response consists of, or null when it is not an ERR. */
    public static ErrPacket error(byte[] response) {
        if (response.length <= Wire.HEADER_SIZE || (response[Wire.HEADER_SIZE] & 0xff) != ErrPacket.HEADER) {
            return null;
        }
        return ErrPacket.decode(Unpooled.wrappedBuffer(Arrays.copyOfRange(response, Wire.HEADER_SIZE, response.length)));
    }

    @Override
    public void close() throws IOException {
        try {
            socket.close();
        } finally {
            if (received.refCnt() > 0) {
                received.release();
            }
        }
    }
}
