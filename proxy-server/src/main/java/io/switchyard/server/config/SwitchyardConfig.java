package io.switchyard.server.config;

import io.switchyard.backend.PoolSettings;
import io.switchyard.protocol.auth.AuthPlugin;
import io.switchyard.protocol.auth.TlsContexts;
import io.switchyard.routing.QueryRule;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.UserConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * The daemon's whole configuration after parsing and validation. Immutable.
 *
 * @param frontend client listener settings
 * @param backend how the proxy reaches servers
 * @param eventLoopThreads event-loop threads (0: one per core)
 * @param rows servers, users, query rules, replication hostgroups and variables, validated as a whole
 * @param metrics the Prometheus endpoint
 * @param admin admin port settings
 * @param fleet fleet mode (ZooKeeper); {@link Fleet#enabled()} false when the node runs alone
 */
public record SwitchyardConfig(Frontend frontend, Backend backend, int eventLoopThreads, RuntimeRows rows, Metrics metrics,
                               Admin admin, Fleet fleet) {

    public List<ServerRow> servers() {
        return rows.servers();
    }

    public List<UserConfig> users() {
        return rows.users();
    }

    public List<QueryRule> queryRules() {
        return rows.rules();
    }

    /** A copy with other rows (validated by whoever builds them). */
    public SwitchyardConfig withRows(RuntimeRows next) {
        return new SwitchyardConfig(frontend, backend, eventLoopThreads, next, metrics, admin, fleet);
    }

    /** Client listener settings. */
    public record Frontend(String bind, int port, long maxAllowedPacket, AuthPlugin authPlugin,
                           int maxClientConnections, long netReadTimeoutMillis, String fallbackServerVersion, String serverVersion,
                           boolean tlsEnabled, Path tlsCert, Path tlsKey, boolean tlsRequired,
                           Path rsaPrivateKey, Path rsaPublicKey) {}

    /** Admin port settings: where it listens and the admin user's credentials. */
    public record Admin(String bind, int port, String username, String password) {
        /** The password a new installation has; accepted only where nobody else can connect. */
        public static final String DEFAULT_PASSWORD = "admin";

        public boolean defaultPassword() {
            return password.equals(DEFAULT_PASSWORD);
        }
    }

    /** True for an address only this machine reaches: {@code localhost}, {@code 127.x.x.x}, {@code ::1}. */
    public static boolean isLoopback(String bind) {
        return bind.equals("localhost") || bind.startsWith("127.") || bind.equals("::1") || bind.equals("[::1]");
    }

    /**
     * Fleet mode.
     *
     * @param zookeeper ZooKeeper's connection string; empty when the node runs alone
     * @param name the fleet's name (its nodes in ZooKeeper live under {@code /switchyard/<name>})
     * @param nodeName this node's name in the fleet; empty for {@code <frontend host>:<port>}
     * @param aclDigest {@code user:password} for ZooKeeper's digest scheme, or empty
     * @param trustStore TLS to ZooKeeper when not null
     * @param keyStore client certificate for TLS, or null
     */
    public record Fleet(String zookeeper, String name, String nodeName, long sessionTimeoutMillis, long connectTimeoutMillis,
                        String aclDigest, boolean tls, Path trustStore, String trustStorePassword, Path keyStore,
                        String keyStorePassword) {
        public boolean enabled() {
            return !zookeeper.isBlank();
        }
    }

    /** Backend connection settings. */
    public record Backend(long connectTimeoutMillis, boolean tlsEnabled, TlsContexts.BackendTrust tlsTrust,
                          Path tlsCaFile, boolean tlsVerifyHostname, boolean tlsRequired, PoolSettings pool) {}

    /**
     * The Prometheus endpoint.
     *
     * @param enabled serve {@code /metrics}
     * @param bind listen address
     * @param port listen port; 0 picks a free one
     */
    public record Metrics(boolean enabled, String bind, int port) {}
}
