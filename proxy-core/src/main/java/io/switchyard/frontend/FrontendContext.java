package io.switchyard.frontend;

import io.switchyard.routing.Router;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.runtime.GlobalVariables;
import io.switchyard.stats.ProxyStats;
import io.switchyard.topology.UserConfig;

/**
 * What every client session shares: settings, the presented server identity, the configuration
 * in force, the router, the session registry, the statistics, the out-of-band query killer and
 * the newest write position. Each part is immutable or
 * thread-safe.
 */
public record FrontendContext(FrontendSettings settings, ServerIdentity identity, ConfigRuntime runtime,
                              Router router, SessionRegistry sessions, ProxyStats stats, QueryKiller killer,
                              WritePositions writes) {

    /** The user named {@code name} in the configuration in force, or null. */
    public UserConfig user(String name) {
        return runtime.current().users().get(name);
    }

    /** The variables in force. */
    public GlobalVariables variables() {
        return runtime.current().variables();
    }
}
