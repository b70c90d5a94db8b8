package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.switchyard.backend.GreetingProbe;
import io.switchyard.testing.FakeMysqlServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The fake server greets as the MariaDB 10.11.19 whose greeting {@link CapturedPackets} holds:
 * the same version, capabilities, collation, status and plugin, so what the proxy negotiates with
 * it is what it negotiates with the real server.
 */
class FakeMysqlServerGreetingTest {
    @AutoClose
    private final FakeMysqlServer server = FakeMysqlServer.start("app", "app-pass");

    FakeMysqlServerGreetingTest() throws InterruptedException {
    }

    @Test
    void greetsWithTheVersionCapabilitiesAndCollationOfTheCapturedMariaDbGreeting() {
        ByteBuf captured = Unpooled.wrappedBuffer(CapturedPackets.bytes(CapturedPackets.HANDSHAKE)).skipBytes(Wire.HEADER_SIZE);
        HandshakeV10 real = HandshakeV10.decode(captured);
        captured.release();

        HandshakeV10 fake = GreetingProbe.read(server.address(), 2000).orElseThrow();

        assertThat(fake.serverVersion()).isEqualTo(real.serverVersion());
        assertThat(Long.toHexString(fake.capabilities())).isEqualTo(Long.toHexString(real.capabilities()));
        assertThat(fake.collation()).isEqualTo(real.collation());
        assertThat(fake.statusFlags()).isEqualTo(real.statusFlags());
        assertThat(fake.authPluginName()).isEqualTo(real.authPluginName());
        assertThat(fake.seed()).hasSize(real.seed().length).doesNotContain((byte) 0);
    }
}
