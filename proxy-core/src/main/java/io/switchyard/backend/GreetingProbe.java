package io.switchyard.backend;

import io.netty.buffer.Unpooled;
import io.switchyard.protocol.HandshakeV10;
import io.switchyard.protocol.Wire;
import io.switchyard.topology.ServerAddress;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;

/**
 * Reads a server's greeting over a short-lived blocking socket, so the proxy can present the
 * backend's real version and capabilities to its first clients. Used at start-up, off the event
 * loops. Stateless.
 */
public final class GreetingProbe {
    private GreetingProbe() {}

    /** The server's handshake, or empty when it cannot be read within {@code timeoutMillis}. */
    public static Optional<HandshakeV10> read(ServerAddress address, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.host(), address.port()), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] header = new byte[Wire.HEADER_SIZE];
            in.readFully(header);
            int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
            if (length > 64 * 1024) {
                return Optional.empty();
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            return Optional.of(HandshakeV10.decode(Unpooled.wrappedBuffer(payload)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
