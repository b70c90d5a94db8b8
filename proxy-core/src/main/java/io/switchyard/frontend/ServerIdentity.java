package io.switchyard.frontend;

import io.switchyard.protocol.Capability;
import io.switchyard.protocol.HandshakeV10;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the proxy tells clients it is: the backends' real version string, capabilities and
 * default collation, learned from each backend handshake so clients pick the features of the
 * server they actually reach. Until a backend has answered, a configured fallback is used.
 * Thread-safe (one atomic reference).
 */
public final class ServerIdentity {

    /** One consistent view. */
    public record View(String serverVersion, long capabilities, int collation) {}

    private final AtomicReference<View> current;
    private final String versionOverride;

    /**
     * @param fallbackVersion version shown until a backend has answered
     * @param fallbackCollation collation id shown until a backend has answered
     * @param versionOverride version always shown instead of the backend's, or null
     */
    public ServerIdentity(String fallbackVersion, int fallbackCollation, String versionOverride) {
        this.versionOverride = versionOverride == null || versionOverride.isBlank() ? null : versionOverride;
        if (this.versionOverride != null) {
            fallbackVersion = this.versionOverride;
        }
        boolean mariadb = fallbackVersion.toLowerCase(java.util.Locale.ROOT).contains("mariadb");
        long caps = Capability.PROXY_SUPPORTED;
        caps = mariadb ? caps & ~Capability.CLIENT_MYSQL : caps & 0xFFFFFFFFL;
        current = new AtomicReference<>(new View(fallbackVersion, caps, fallbackCollation));
    }

    public View view() {
        return current.get();
    }

    /** Learns from a backend's greeting. */
    public void learn(HandshakeV10 handshake) {
        long caps = handshake.capabilities() & Capability.PROXY_SUPPORTED;
        View next = new View(versionOverride != null ? versionOverride : handshake.serverVersion(), caps, handshake.collation());
        View prev = current.getAndSet(next);
        if (!next.equals(prev)) {
            org.slf4j.LoggerFactory.getLogger(ServerIdentity.class)
                    .info("presenting backend identity to clients: version {}, collation {}", next.serverVersion(), next.collation());
        }
    }
}
