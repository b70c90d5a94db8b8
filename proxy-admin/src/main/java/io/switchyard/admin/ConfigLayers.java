package io.switchyard.admin;

import io.switchyard.runtime.InvalidConfigException;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.runtime.RuntimeRows;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration layers (memory and disk) and the one thread that touches them. Opened
 * before the proxy starts, because the disk layer decides the configuration it starts with:
 * on the first start (no disk file) or with {@code --initial} the configuration file's rows
 * seed the disk layer; otherwise the disk layer wins. Start-up then goes disk → memory →
 * runtime. Thread-safe: every use of the database is queued to the SQL thread.
 */
public final class ConfigLayers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigLayers.class);

    private final ExecutorService thread;
    private final AdminDatabase db;
    private final RuntimeRows startupRows;

    private ConfigLayers(ExecutorService thread, AdminDatabase db, RuntimeRows startupRows) {
        this.thread = thread;
        this.db = db;
        this.startupRows = startupRows;
    }

    /**
     * Opens the layers in {@code diskFile}'s directory (created when missing) and prepares the
     * start-up configuration.
     *
     * @param initial rebuild the disk layer from {@code configFileRows}
     * @param configFileRows the rows of the configuration file
     * @throws IllegalStateException naming the file and the bad row when the disk layer cannot be used
     */
    public static ConfigLayers open(Path diskFile, boolean initial, RuntimeRows configFileRows) {
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "switchyard-admin-sql");
            t.setDaemon(true);
            return t;
        });
        try {
            return thread.submit(() -> {
                AdminDatabase db = AdminDatabase.open(diskFile);
                try {
                    if (initial || db.diskWasEmpty()) {
                        log.info("admin: {} the disk layer {} from the configuration file", initial ? "rebuilding" : "creating", diskFile);
                        db.writeLayer("disk", configFileRows);
                    } else {
                        log.info("admin: starting from the disk layer {} (the configuration file's rows are not used; --initial rebuilds it)",
                                diskFile);
                    }
                    for (ConfigPart part : ConfigPart.values()) {
                        db.copy(part, "disk", "main");
                    }
                    RuntimeRows rows = db.readLayer("main");
                    RuntimeConfig.check(rows);
                    for (ConfigPart part : ConfigPart.values()) {
                        db.memoryBase(part, rows);
                    }
                    return new ConfigLayers(thread, db, rows);
                } catch (ConfigRows.BadRow | InvalidConfigException | SQLException e) {
                    db.close();
                    throw new IllegalStateException("disk layer " + diskFile + ": " + e.getMessage()
                            + "; fix it through the admin or start with --initial to rebuild it from the configuration file", e);
                } catch (RuntimeException e) {
                    db.close();
                    throw e;
                }
            }).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            thread.shutdownNow();
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the admin database", e);
        } catch (java.util.concurrent.TimeoutException e) {
            thread.shutdownNow();
            throw new IllegalStateException("the admin database " + diskFile + " did not open within 60 s", e);
        }
    }

    /** The configuration the proxy starts with: the memory layer after loading the disk layer. */
    public RuntimeRows startupRows() {
        return startupRows;
    }

    /**
     * The fleet put {@code next} in force (fleet mode). Each part that differs from
     * {@code previous}, the configuration in force before, replaces that part of the disk layer,
     * so that a start without the fleet begins from it; and, with {@code memory}, of the memory
     * layer, so that the admin tables of every node show the fleet's configuration, unless an
     * operator is editing that part there (a {@code LOAD} of the edit is then refused once, see
     * {@link FleetLink#load}).
     */
    public CompletableFuture<Void> adopt(RuntimeRows previous, RuntimeRows next, boolean memory) {
        return submit(db -> {
            try {
                for (ConfigPart part : ConfigPart.values()) {
                    RuntimeRows before = ConfigTables.comparable(part.take(RuntimeRows.empty(), previous));
                    if (before.equals(ConfigTables.comparable(part.take(RuntimeRows.empty(), next)))) {
                        continue;
                    }
                    boolean overwrite = memory && !db.memoryEdited(part);
                    db.inTransaction(() -> {
                        if (overwrite) {
                            ConfigRows.write(db.connection(), "main", "", part, next);
                        }
                        ConfigRows.write(db.connection(), "disk", "", part, next);
                    });
                    if (overwrite) {
                        db.memoryBase(part, next);
                    }
                }
                return null;
            } catch (SQLException | ConfigRows.BadRow e) {
                throw new IllegalStateException("the fleet's configuration could not be written to the admin layers: " + e.getMessage(), e);
            }
        });
    }

    /** Runs {@code work} on the SQL thread. */
    <T> CompletableFuture<T> submit(Function<AdminDatabase, T> work) {
        return CompletableFuture.supplyAsync(() -> work.apply(db), thread);
    }

    /** Closes the database on its thread and stops the thread (waiting up to 5 s for a running statement). */
    @Override
    public void close() {
        thread.execute(db::close);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
