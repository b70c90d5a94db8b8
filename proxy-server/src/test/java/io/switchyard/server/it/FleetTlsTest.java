package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.Daemon;
import io.switchyard.server.config.ConfigLoader;
import io.switchyard.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.Test;

/**
 * Fleet mode over TLS: a ZooKeeper with a secure client port (a certificate
 * made for the test by the JDK's keytool), and a node configured with {@code fleet.tls} that joins
 * it and writes the fleet's configuration there. No MariaDB is needed: the node's server is
 * never reached.
 */
class FleetTlsTest {

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + ":\n" + out);
        }
    }

    @Test
    void aNodeJoinsAFleetOverTlsOnly() throws Exception {
        Path dir = Files.createTempDirectory("switchyard-fleet-tls");
        String password = "changeit-test";
        keytool(dir, "-genkeypair", "-alias", "zookeeper", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", "server.p12",
                "-storepass", password, "-keypass", password);
        keytool(dir, "-exportcert", "-alias", "zookeeper", "-keystore", "server.p12", "-storepass", password, "-file", "server.crt");
        keytool(dir, "-importcert", "-noprompt", "-alias", "zookeeper", "-file", "server.crt", "-storetype", "PKCS12",
                "-keystore", "trust.p12", "-storepass", password);
        int securePort = InstanceSpec.getRandomPort();
        Map<String, Object> tls = Map.of(
                "secureClientPort", String.valueOf(securePort),
                "serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory",
                "ssl.keyStore.location", dir.resolve("server.p12").toString(),
                "ssl.keyStore.password", password,
                "ssl.trustStore.location", dir.resolve("trust.p12").toString(),
                "ssl.trustStore.password", password,
                "ssl.clientAuth", "none");
        InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, tls);
        Path data = dir.resolve("data");
        String hocon = """
                switchyard {
                  admin { port = 0 }
                  frontend { bind = "127.0.0.1", port = 0 }
                  metrics { port = 0 }
                  servers = [ { hostgroup = 0, host = "127.0.0.1", port = 1 } ]
                  users = [ { username = "app", password = "app-pass", default-hostgroup = 0 } ]
                  fleet {
                    zookeeper = "127.0.0.1:%d", name = "tls", node-name = "node-t", connect-timeout = 10s
                    tls { enabled = true, trust-store = "%s", trust-store-password = "%s" }
                  }
                }
                """.formatted(securePort, dir.resolve("trust.p12"), password);
        try (TestingServer zookeeper = new TestingServer(spec, true);
             Daemon node = Daemon.start(ConfigLoader.fromString(hocon), data, false, () -> ConfigLoader.fromString(hocon).rows())) {
            Await.until(Duration.ofSeconds(10), "the node is connected to ZooKeeper over TLS",
                    () -> node.fleet().orElseThrow().status().connected());
            assertThat(node.fleet().orElseThrow().status().configVersion()).as("it wrote the fleet's first configuration").isZero();
            ZKClientConfig clientTls = new ZKClientConfig();
            clientTls.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
            clientTls.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
            clientTls.setProperty("zookeeper.ssl.trustStore.location", dir.resolve("trust.p12").toString());
            clientTls.setProperty("zookeeper.ssl.trustStore.password", password);
            try (CuratorFramework reader = CuratorFrameworkFactory.builder().connectString("127.0.0.1:" + securePort)
                    .retryPolicy(new RetryOneTime(100)).zkClientConfig(clientTls).build()) {
                reader.start();
                assertThat(new String(reader.getData().forPath("/switchyard/tls/config"))).contains("mysql_servers", "node-t");
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
