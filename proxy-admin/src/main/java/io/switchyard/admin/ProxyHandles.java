package io.switchyard.admin;

import io.switchyard.frontend.SessionRegistry;
import io.switchyard.monitor.Monitor;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.stats.ProxyStats;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the admin reads and changes in the running proxy. Immutable.
 *
 * @param runtime the configuration in force, changed by {@code LOAD … TO RUNTIME}
 * @param stats the data path's counters behind the {@code stats} tables
 * @param sessions live client sessions (process list, per-user counts)
 * @param configFile re-reads the configuration file's rows for {@code LOAD … FROM CONFIG};
 *                   throws {@link IllegalArgumentException} (message naming key and line) when it is invalid
 * @param monitor the health monitor, whose check logs are the {@code monitor} tables; null when
 *                the proxy runs without one (the tables are then empty)
 * @param fleet the fleet the node belongs to; null when it runs alone
 */
public record ProxyHandles(ConfigRuntime runtime, ProxyStats stats, SessionRegistry sessions,
                           Supplier<RuntimeRows> configFile, Monitor monitor, FleetLink fleet) {
    public ProxyHandles {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(configFile, "configFile");
    }
}
