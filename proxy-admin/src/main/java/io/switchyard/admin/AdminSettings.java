package io.switchyard.admin;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the admin port listens, who may log in, and where the disk layer lives. Immutable.
 *
 * @param bind address of the admin listener (loopback unless the password is changed)
 * @param port port of the admin listener (0: any free port)
 * @param username the admin user
 * @param password the admin user's password, clear text
 * @param dataDir directory holding {@value #DISK_FILE}
 */
public record AdminSettings(String bind, int port, String username, String password, Path dataDir) {
    /** Name of the disk layer's SQLite file in the data directory. */
    public static final String DISK_FILE = "switchyard.db";

    public AdminSettings {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(dataDir, "dataDir");
    }

    public Path diskFile() {
        return dataDir.resolve(DISK_FILE);
    }
}
