package io.switchyard.server;

import io.switchyard.admin.AdminServer;
import io.switchyard.admin.AdminSettings;
import io.switchyard.admin.ConfigLayers;
import io.switchyard.admin.ProxyHandles;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.server.config.SwitchyardConfig;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The daemon: the configuration layers, the proxy and its admin port, started in that order
 * because the disk layer decides what the proxy starts with (disk → memory → runtime), and
 * stopped in reverse. Thread-safe.
 */
public final class Daemon implements AutoCloseable {
    private final ConfigLayers layers;
    private final Switchyard proxy;
    private final AdminServer admin;

    private Daemon(ConfigLayers layers, Switchyard proxy, AdminServer admin) {
        this.layers = layers;
        this.proxy = proxy;
        this.admin = admin;
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
        Switchyard proxy;
        try {
            proxy = Switchyard.start(config.withRows(layers.startupRows()));
        } catch (RuntimeException e) {
            layers.close();
            throw e;
        }
        try {
            AdminServer admin = AdminServer.start(settings, layers,
                    new ProxyHandles(proxy.runtime(), proxy.stats(), proxy.sessions(), configFile, proxy.monitor()));
            return new Daemon(layers, proxy, admin);
        } catch (RuntimeException e) {
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

    /** Closes the admin port, stops the proxy (waiting up to {@code graceMillis} for sessions), then closes the layers. */
    public void shutdown(long graceMillis) {
        try {
            admin.close();
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
