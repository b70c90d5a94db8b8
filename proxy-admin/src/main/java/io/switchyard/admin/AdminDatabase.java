package io.switchyard.admin;

import io.switchyard.runtime.RuntimeRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The embedded SQLite database behind the admin: the memory layer ({@code main}), the disk
 * layer ({@code disk}, the file {@value AdminSettings#DISK_FILE} in the data directory) and the
 * {@code stats} and {@code monitor} schemas (in memory). One JDBC connection, confined to the
 * admin's single SQL thread; nothing here is thread-safe.
 */
final class AdminDatabase implements AutoCloseable {
    private final Connection connection;
    private final boolean diskWasEmpty;
    /**
     * Fleet mode: each part as the memory layer last had it from the runtime (at the start, after
     * a LOAD, a SAVE … TO MEMORY or the fleet's change), in {@link ConfigTables#comparable} form;
     * the memory layer differs from it when an operator edits it.
     */
    private final Map<ConfigPart, RuntimeRows> memoryBase = new java.util.EnumMap<>(ConfigPart.class);

    private AdminDatabase(Connection connection, boolean diskWasEmpty) {
        this.connection = connection;
        this.diskWasEmpty = diskWasEmpty;
    }

    /** Opens the layers, creating the data directory, the disk file and missing tables as needed. */
    static AdminDatabase open(Path diskFile) {
        try {
            Path dir = diskFile.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            boolean existed = Files.isRegularFile(diskFile) && Files.size(diskFile) > 0;
            Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
            try {
                try (PreparedStatement attach = c.prepareStatement("ATTACH DATABASE ? AS disk")) {
                    attach.setString(1, diskFile.toAbsolutePath().toString());
                    attach.execute();
                }
                try (Statement s = c.createStatement()) {
                    s.execute("ATTACH DATABASE ':memory:' AS stats");
                    s.execute("ATTACH DATABASE ':memory:' AS monitor");
                    for (Map.Entry<String, String> t : AdminSchema.CONFIG_TABLES.entrySet()) {
                        s.execute(AdminSchema.create("main." + t.getKey(), t.getValue()));
                        s.execute(AdminSchema.create("main.runtime_" + t.getKey(), t.getValue()));
                        s.execute(AdminSchema.create("disk." + t.getKey(), t.getValue()));
                    }
                    for (Map.Entry<String, String> t : AdminSchema.STATS_TABLES.entrySet()) {
                        s.execute(AdminSchema.create("stats." + t.getKey(), t.getValue()));
                    }
                    for (Map.Entry<String, String> t : AdminSchema.MONITOR_TABLES.entrySet()) {
                        s.execute(AdminSchema.create("monitor." + t.getKey(), t.getValue()));
                    }
                }
                ownerOnly(diskFile);
                return new AdminDatabase(c, !existed);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the admin database " + diskFile + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory for " + diskFile + ": " + e.getMessage(), e);
        }
    }

    /** The disk file holds passwords: only its owner may read it. */
    private static void ownerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the directory's permissions apply.
        }
    }

    Connection connection() {
        return connection;
    }

    /** True when the disk file did not exist (or was empty) when opened: the first start. */
    boolean diskWasEmpty() {
        return diskWasEmpty;
    }

    /** Every configuration table of the disk layer, as rows (validated row by row, not as a whole). */
    RuntimeRows readLayer(String schema) throws SQLException {
        RuntimeRows rows = RuntimeRows.empty();
        for (ConfigPart part : ConfigPart.values()) {
            rows = ConfigRows.read(connection, schema, part, rows);
        }
        return rows;
    }

    /** Replaces every configuration table of {@code schema} with {@code rows}. */
    void writeLayer(String schema, RuntimeRows rows) throws SQLException {
        inTransaction(() -> {
            for (ConfigPart part : ConfigPart.values()) {
                ConfigRows.write(connection, schema, "", part, rows);
            }
        });
    }

    /** Copies the tables of {@code part} from one schema to another, replacing what was there. */
    void copy(ConfigPart part, String from, String to) throws SQLException {
        inTransaction(() -> {
            try (Statement s = connection.createStatement()) {
                for (String table : part.tables) {
                    s.executeUpdate("DELETE FROM " + to + "." + table);
                    s.executeUpdate("INSERT INTO " + to + "." + table + " SELECT * FROM " + from + "." + table);
                }
            }
        });
    }

    /** The memory layer has {@code part} as the runtime {@code rows} have it. */
    void memoryBase(ConfigPart part, RuntimeRows rows) {
        memoryBase.put(part, ConfigTables.comparable(part.take(RuntimeRows.empty(), rows)));
    }

    /** True when {@code rows} have {@code part} as the memory layer last had it from the runtime. */
    boolean memoryBasedOn(ConfigPart part, RuntimeRows rows) {
        RuntimeRows base = memoryBase.get(part);
        return base == null || base.equals(ConfigTables.comparable(part.take(RuntimeRows.empty(), rows)));
    }

    /** True when the memory layer's {@code part} differs from what it last had from the runtime (an operator edited it). */
    boolean memoryEdited(ConfigPart part) throws SQLException {
        RuntimeRows base = memoryBase.get(part);
        RuntimeRows memory = ConfigTables.comparable(ConfigRows.read(connection, "main", part, RuntimeRows.empty()));
        return base != null && !base.equals(part.take(RuntimeRows.empty(), memory));
    }

    @FunctionalInterface
    interface SqlWork {
        void run() throws SQLException;
    }

    /** Runs {@code work} in one transaction: all of it or nothing. */
    void inTransaction(SqlWork work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // closing: nothing left to do with it
        }
    }
}
