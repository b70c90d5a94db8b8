package io.switchyard.frontend;

import io.switchyard.backend.BackendCredentials;
import io.switchyard.backend.ConnectionKey;
import io.switchyard.protocol.Capability;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.topology.UserConfig;

/**
 * Who a client session is and where its last statement left it: the client's address, the
 * logged-in user and the backend login that serves it, the capabilities and character set the
 * client negotiated, the default schema and the server status flags of the last reply.
 *
 * <p>Written on the session's event loop; user and schema are also read by the process list
 * from other threads (volatile).
 */
final class SessionInfo {
    private final long id;
    private String clientHost = "";
    private int clientPort;
    private volatile UserConfig user;
    private BackendCredentials credentials;
    private long clientCaps;
    private int collation;
    private volatile String schema;
    private int statusFlags = ServerStatus.AUTOCOMMIT;

    SessionInfo(long id) {
        this.id = id;
    }

    long id() {
        return id;
    }

    String clientHost() {
        return clientHost;
    }

    int clientPort() {
        return clientPort;
    }

    void client(String host, int port) {
        this.clientHost = host;
        this.clientPort = port;
    }

    /** The authenticated user, or null during the first login. */
    UserConfig user() {
        return user;
    }

    /** The authenticated user's name, or null during the first login. */
    String username() {
        UserConfig u = user;
        return u == null ? null : u.username();
    }

    void loggedIn(UserConfig user, BackendCredentials credentials) {
        this.user = user;
        this.credentials = credentials;
    }

    long clientCaps() {
        return clientCaps;
    }

    void clientCaps(long caps) {
        this.clientCaps = caps;
    }

    /** True when the client asked for session-state information in its OK packets. */
    boolean clientTracks() {
        return Capability.has(clientCaps, Capability.CLIENT_SESSION_TRACK);
    }

    void collation(int collation) {
        this.collation = collation;
    }

    /** The collation id the client logged in with (or its last COM_CHANGE_USER named). */
    int collation() {
        return collation;
    }

    /** The default schema, or null for none. */
    String schema() {
        return schema;
    }

    void schema(String schema) {
        this.schema = schema;
    }

    /** The server status flags of the last reply (transaction, autocommit), without SESSION_STATE_CHANGED. */
    int statusFlags() {
        return statusFlags;
    }

    void statusFlags(int flags) {
        this.statusFlags = flags;
    }

    /** What makes a pooled connection fit this session: login, wire-affecting capabilities, character set. */
    ConnectionKey connectionKey() {
        return new ConnectionKey(credentials, clientCaps & Capability.WIRE_AFFECTING, collation);
    }
}
