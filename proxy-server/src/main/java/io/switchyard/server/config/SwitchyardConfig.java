package io.switchyard.server.config;

import io.switchyard.backend.PoolSettings;
import io.switchyard.protocol.auth.AuthPlugin;
import io.switchyard.protocol.auth.TlsContexts;
import io.switchyard.routing.QueryRules;
import io.switchyard.topology.ServerState;
import io.switchyard.topology.UserConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * The daemon's whole configuration after parsing and validation. Immutable.
 *
 * @param frontend client listener settings
 * @param backend how the proxy reaches servers
 * @param eventLoopThreads event-loop threads (0: one per core)
 * @param servers backend server rows
 * @param users accepted users
 * @param queryRules compiled query rules (empty when none are configured)
 */
public record SwitchyardConfig(Frontend frontend, Backend backend, int eventLoopThreads,
                               List<Server> servers, List<UserConfig> users, QueryRules queryRules) {

    /** Client listener settings. */
    public record Frontend(String bind, int port, long maxAllowedPacket, AuthPlugin authPlugin,
                           int maxClientConnections, long netReadTimeoutMillis, String fallbackServerVersion, String serverVersion,
                           boolean tlsEnabled, Path tlsCert, Path tlsKey, boolean tlsRequired,
                           Path rsaPrivateKey, Path rsaPublicKey) {}

    /** Backend connection settings. */
    public record Backend(long connectTimeoutMillis, boolean tlsEnabled, TlsContexts.BackendTrust tlsTrust,
                          Path tlsCaFile, boolean tlsVerifyHostname, boolean tlsRequired, PoolSettings pool) {}

    /** A backend server row. */
    public record Server(int hostgroup, String host, int port, int weight, ServerState status, int maxConnections,
                         String comment) {}
}
