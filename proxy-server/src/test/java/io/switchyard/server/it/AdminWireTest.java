package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.HandshakeResponse41;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.auth.NativePassword;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin port on the wire, for what drivers never send: unknown commands, a garbled login,
 * an oversized packet. Each gets a MySQL error; the admin keeps serving everyone else.
 */
@Timeout(60)
class AdminWireTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(0, cluster -> "");

    private static final long CLIENT_CAPS = Capability.CLIENT_MYSQL | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_SECURE_CONNECTION | Capability.CLIENT_PLUGIN_AUTH | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_DEPRECATE_EOF | Capability.CLIENT_TRANSACTIONS;

    @Test
    void unknownCommandsGet1047AndTheSessionGoesOn() throws Exception {
        try (Socket socket = loggedIn()) {
            send(socket, 0, 0x12, "");
            assertThat(err(read(socket))).extracting(ErrPacket::code, ErrPacket::sqlState).containsExactly(1047, "08S01");
            send(socket, 0, 0xee, "");
            assertThat(err(read(socket)).code()).isEqualTo(1047);
            send(socket, 0, 0x0e, "");
            assertThat(read(socket)[0]).isEqualTo((byte) 0x00);
            send(socket, 0, 0x03, "SELECT 42");
            assertThat(read(socket)).containsExactly(1);
        }
    }

    @Test
    void garbledLoginGets1043AndTheAdminStaysUp() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", fixture.adminPort())) {
            socket.setSoTimeout(10_000);
            read(socket);
            socket.getOutputStream().write(new byte[] {5, 0, 0, 1, 1, 2, 3, 4, 5});
            assertThat(err(read(socket)).code()).isEqualTo(1043);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        adminStillAnswers();
    }

    @Test
    void oversizedPacketGets1153AndClosesOnlyThatConnection() throws Exception {
        try (Socket socket = loggedIn()) {
            socket.getOutputStream().write(new byte[] {0, 0, (byte) 0x50, 0, 3});
            assertThat(err(read(socket)).code()).isEqualTo(1153);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        adminStillAnswers();
    }

    private static void adminStillAnswers() throws Exception {
        try (Connection c = fixture.admin(); Statement s = c.createStatement()) {
            assertThat(AdminPortTest.rows(s, "SELECT COUNT(*) FROM mysql_servers")).containsExactly(List.of("1"));
        }
    }

    private static Socket loggedIn() throws IOException {
        Socket socket = new Socket("127.0.0.1", fixture.adminPort());
        socket.setSoTimeout(10_000);
        HandshakeV10 greeting = HandshakeV10.decode(Unpooled.wrappedBuffer(read(socket)));
        byte[] auth = NativePassword.scramble("admin".getBytes(StandardCharsets.UTF_8), greeting.seed());
        ByteBuf payload = Unpooled.buffer();
        new HandshakeResponse41(CLIENT_CAPS, 1 << 24, 45, "admin", auth, null, "mysql_native_password", Map.of()).encode(payload);
        byte[] bytes = new byte[payload.readableBytes()];
        payload.readBytes(bytes);
        write(socket, 1, bytes);
        assertThat(read(socket)[0]).isEqualTo((byte) 0x00);
        return socket;
    }

    private static void send(Socket socket, int seq, int command, String argument) throws IOException {
        byte[] arg = argument.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[arg.length + 1];
        payload[0] = (byte) command;
        System.arraycopy(arg, 0, payload, 1, arg.length);
        write(socket, seq, payload);
    }

    private static void write(Socket socket, int seq, byte[] payload) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(new byte[] {(byte) payload.length, (byte) (payload.length >> 8), (byte) (payload.length >> 16), (byte) seq});
        out.write(payload);
        out.flush();
    }

    private static byte[] read(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] header = new byte[4];
        in.readFully(header);
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    private static ErrPacket err(byte[] payload) {
        return ErrPacket.decode(Unpooled.wrappedBuffer(payload));
    }
}
