package io.switchyard.server.launcher;

import static io.switchyard.server.launcher.MariaDbCluster.APP_DATABASE;
import static io.switchyard.server.launcher.MariaDbCluster.APP_PASSWORD;
import static io.switchyard.server.launcher.MariaDbCluster.APP_USER;
import static io.switchyard.server.launcher.MariaDbCluster.MONITOR_PASSWORD;
import static io.switchyard.server.launcher.MariaDbCluster.MONITOR_USER;
import static io.switchyard.server.launcher.MariaDbCluster.REPLICATION_PASSWORD;
import static io.switchyard.server.launcher.MariaDbCluster.REPLICATION_USER;
import static io.switchyard.server.launcher.MariaDbCluster.ROOT_PASSWORD;
import static io.switchyard.server.launcher.MariaDbCluster.ROOT_USER;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An initialised MariaDB data directory, holding the launcher's users and the {@code app}
 * database, that every server starts from as a copy. {@code mariadb-install-db} runs at most
 * once per MariaDB version and bootstrap script: the result is cached under the system temp
 * directory and guarded by a file lock, so concurrent JVMs (parallel builds) build it once.
 * Thread-safe.
 */
final class MariaDbTemplate {
    private static final Logger log = LoggerFactory.getLogger(MariaDbTemplate.class);

    /** Applied during bootstrap; FLUSH PRIVILEGES loads the grant tables that bootstrap skips. */
    static final String BOOTSTRAP_SQL = String.join("\n",
            "FLUSH PRIVILEGES;",
            "CREATE DATABASE `" + APP_DATABASE + "`;",
            "CREATE USER '" + ROOT_USER + "'@'127.0.0.1' IDENTIFIED BY '" + ROOT_PASSWORD + "';",
            "GRANT ALL PRIVILEGES ON *.* TO '" + ROOT_USER + "'@'127.0.0.1' WITH GRANT OPTION;",
            "CREATE USER '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "';",
            "GRANT ALL PRIVILEGES ON *.* TO '" + APP_USER + "'@'%';",
            // Without READ_ONLY ADMIN the application user is refused writes on read-only replicas.
            "REVOKE READ_ONLY ADMIN ON *.* FROM '" + APP_USER + "'@'%';",
            "CREATE USER '" + MONITOR_USER + "'@'%' IDENTIFIED BY '" + MONITOR_PASSWORD + "';",
            "GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR, CONNECTION ADMIN, REPLICATION SLAVE ADMIN, SUPER"
                    + " ON *.* TO '" + MONITOR_USER + "'@'%';",
            "CREATE USER '" + REPLICATION_USER + "'@'%' IDENTIFIED BY '" + REPLICATION_PASSWORD + "';",
            "GRANT REPLICATION SLAVE ON *.* TO '" + REPLICATION_USER + "'@'%';",
            "");

    /** Options shared by install-db and every server, so InnoDB files match their size settings. */
    static final List<String> INNODB_OPTIONS = List.of(
            "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M");

    private static Path ready;

    private MariaDbTemplate() {}

    /** Returns the template data directory, building it first if no JVM has done so. */
    static synchronized Path dataDir(MariaDbBinaries binaries) {
        if (ready == null) {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            Path dir = tmp.resolve("switchyard-mariadb-template-" + cacheKey(binaries));
            try (FileChannel lockChannel = FileChannel.open(tmp.resolve(dir.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = lockChannel.lock()) {
                if (!Files.exists(dir.resolve("READY"))) {
                    build(binaries, dir);
                }
            } catch (IOException e) {
                throw new MariaDbLaunchException("cannot prepare the MariaDB template in " + dir, e);
            }
            ready = dir.resolve("data");
        }
        return ready;
    }

    /** Copies the template data directory to {@code target}, which must not exist. */
    static void copyTo(MariaDbBinaries binaries, Path target) {
        Path source = dataDir(binaries);
        try (Stream<Path> files = Files.walk(source)) {
            files.forEach(file -> {
                try {
                    Files.copy(file, target.resolve(source.relativize(file).toString()),
                            StandardCopyOption.COPY_ATTRIBUTES);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new MariaDbLaunchException("cannot copy the MariaDB template to " + target, e);
        }
    }

    private static void build(MariaDbBinaries binaries, Path dir) throws IOException {
        long started = System.nanoTime();
        deleteTree(dir);
        Files.createDirectories(dir);
        Path script = dir.resolve("bootstrap.sql");
        Files.writeString(script, BOOTSTRAP_SQL);
        Path logFile = dir.resolve("install-db.log");
        List<String> command = new ArrayList<>(List.of(binaries.installDb().toString(), "--no-defaults",
                "--datadir=" + dir.resolve("data"), "--auth-root-authentication-method=socket",
                "--skip-test-db", "--extra-file=" + script));
        command.addAll(MariaDbServer.userOption());
        command.addAll(INNODB_OPTIONS);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new MariaDbLaunchException("mariadb-install-db did not finish within 120 s; see " + logFile);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new MariaDbLaunchException("interrupted while running mariadb-install-db", e);
        }
        if (process.exitValue() != 0) {
            throw new MariaDbLaunchException("mariadb-install-db failed with exit code " + process.exitValue()
                    + ":\n" + MariaDbServer.tail(logFile, 30));
        }
        Files.createFile(dir.resolve("READY"));
        log.info("built MariaDB template {} ({}) in {} ms", dir, binaries.version(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static String cacheKey(MariaDbBinaries binaries) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((binaries.server() + "\n" + binaries.version() + "\n" + BOOTSTRAP_SQL + "\n"
                    + INNODB_OPTIONS + "\n" + System.getProperty("user.name")).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a directory tree if it exists; used for templates and cluster directories. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
