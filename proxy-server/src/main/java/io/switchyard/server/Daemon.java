package io.switchyard.server;

import io.switchyard.admin.AdminServer;
import io.switchyard.admin.AdminSettings;
import io.switchyard.admin.ConfigLayers;
import io.switchyard.admin.ProxyHandles;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.server.config.SwitchyardConfig;
import io.switchyard.server.fleet.Fleet;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The daemon: the configuration layers, the proxy and its admin port, started in that order
 * because the disk layer decides what the proxy starts with (disk → memory → runtime), and
 * stopped in reverse. In fleet mode the node joins its fleet before the proxy starts (the fleet's
 * configuration is the one it starts with) and leaves it first. Thread-safe.
 */
public final class Daemon implements AutoCloseable {
    private final ConfigLayers layers;
    private final Switchyard proxy;
    private final AdminServer admin;
    private final Fleet fleet;

    private Daemon(ConfigLayers layers, Switchyard proxy, AdminServer admin, Fleet fleet) {
        this.layers = layers;
        this.proxy = proxy;
        this.admin = admin;
        this.fleet = fleet;
    }

    /**
     * Starts everything.
     *
     * @param config the parsed configuration file; its rows seed the disk layer on the first start or with {@code initial}
     * @param dataDir directory of the disk layer, created when missing
     * @param initial rebuild the disk layer from the configuration file
     * @param configFile re-reads the configuration file's rows ({@code LOAD … FROM CONFIG})
     */
    public static Daemon start(SwitchyardConfig config, Path dataDir, boolean initial, Supplier<RuntimeRows> configFile) {
        SwitchyardConfig.Admin a = config.admin();
        AdminSettings settings = new AdminSettings(a.bind(), a.port(), a.username(), a.password(), dataDir);
        ConfigLayers layers = ConfigLayers.open(settings.diskFile(), initial, config.rows());
        Fleet fleet = null;
        Switchyard proxy;
        try {
            RuntimeRows start = layers.startupRows();
            if (config.fleet().enabled()) {
                SwitchyardConfig.Frontend f = config.frontend();
                fleet = Fleet.join(config.fleet(), f.bind() + ":" + f.port());
                start = fleet.startRows(start);
                layers.adopt(layers.startupRows(), start, true).join();
            }
            proxy = Switchyard.start(config.withRows(start));
        } catch (RuntimeException e) {
            if (fleet != null) {
                fleet.close();
            }
            layers.close();
            throw e;
        }
        try {
            if (fleet != null) {
                fleet.attach(proxy, layers);
                Fleet f = fleet;
                proxy.metrics().ifPresent(m -> m.bindFleet(f));
            }
            AdminServer admin = AdminServer.start(settings, layers,
                    new ProxyHandles(proxy.runtime(), proxy.stats(), proxy.sessions(), configFile, proxy.monitor(), fleet));
            if (fleet != null) {
                fleet.adminPort(admin.port());
            }
            return new Daemon(layers, proxy, admin, fleet);
        } catch (RuntimeException e) {
            if (fleet != null) {
                fleet.close();
            }
            proxy.close();
            layers.close();
            throw e;
        }
    }

    public Switchyard proxy() {
        return proxy;
    }

    public AdminServer admin() {
        return admin;
    }

    /** The fleet the node belongs to; empty when it runs alone. */
    public java.util.Optional<Fleet> fleet() {
        return java.util.Optional.ofNullable(fleet);
    }

    /** Closes the admin port, stops the proxy (waiting up to {@code graceMillis} for sessions), then closes the layers. */
    public void shutdown(long graceMillis) {
        try {
            admin.close();
            if (fleet != null) {
                fleet.close();
            }
        } finally {
            try {
                proxy.shutdown(graceMillis);
            } finally {
                layers.close();
            }
        }
    }

    @Override
    public void close() {
        shutdown(0);
    }
}
