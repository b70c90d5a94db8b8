package io.switchyard.frontend;

import io.switchyard.routing.Router;
import io.switchyard.topology.UserConfig;
import java.util.function.Function;

/**
 * What every client session shares: settings, the presented server identity, the user lookup,
 * the router and the session registry. Each part is immutable or thread-safe.
 */
public record FrontendContext(FrontendSettings settings, ServerIdentity identity,
                              Function<String, UserConfig> users, Router router, SessionRegistry sessions) {}
