package io.switchyard.server.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The locally installed MariaDB programs the launcher needs, found on {@code PATH} plus
 * {@code /usr/sbin} and {@code /usr/bin}. Immutable.
 *
 * @param server       {@code mariadbd}
 * @param installDb    {@code mariadb-install-db}
 * @param version      first line of {@code mariadbd --version}, used to key the template cache
 */
record MariaDbBinaries(Path server, Path installDb, String version) {

    private static volatile MariaDbBinaries located;

    /** Finds the binaries once per JVM; fails with a message that says what to install. */
    static MariaDbBinaries locate() {
        MariaDbBinaries result = located;
        if (result == null) {
            Path server = find("mariadbd", "mysqld");
            Path installDb = find("mariadb-install-db", "mysql_install_db");
            result = new MariaDbBinaries(server, installDb, versionOf(server));
            located = result;
        }
        return result;
    }

    private static Path find(String... names) {
        List<Path> dirs = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir));
            }
        }
        dirs.add(Path.of("/usr/sbin"));
        dirs.add(Path.of("/usr/bin"));
        for (String name : names) {
            for (Path dir : dirs) {
                Path candidate = dir.resolve(name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new MariaDbLaunchException("cannot find " + names[0] + " on PATH, /usr/sbin or /usr/bin;"
                + " install the MariaDB server (as root: apt-get install mariadb-server) and retry");
    }

    private static String versionOf(Path server) {
        try {
            Process process = new ProcessBuilder(server.toString(), "--version")
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new MariaDbLaunchException(server + " --version failed: " + output.strip());
            }
            return output.strip().lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            throw new MariaDbLaunchException("cannot run " + server + " --version", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MariaDbLaunchException("interrupted while running " + server + " --version", e);
        }
    }
}
