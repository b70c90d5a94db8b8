package io.switchyard.server.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real {@code mariadbd} process with its own data directory, directory for temporary
 * files, socket, pid file, error log and loopback port, started by a {@link MariaDbCluster}. It
 * can be killed, paused, resumed, stopped and restarted on the same port and data directory,
 * promoted to primary, or pointed at another primary, the way an operator or a failure would.
 *
 * <p>Thread-safe: lifecycle methods are synchronized, state reads are volatile. The SQL helpers
 * open a fresh root connection over TCP per call, so they work across restarts.
 *
 * <p>Longer than the house limit on purpose: every lifecycle step (start, kill, pause, restart,
 * promote, repoint) changes the same process and data directory, and reads best as one list.
 */
public final class MariaDbServer {
    private static final Logger log = LoggerFactory.getLogger(MariaDbServer.class);
    private static final int PORT_ATTEMPTS = 5;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(60);

    private final MariaDbBinaries binaries;
    private final Path dir;
    private final int serverId;
    private final Duration semiSyncTimeout;
    private final Duration startTimeout;
    private final Consumer<MariaDbServer> onPromote;
    private final List<String> extraOptions;
    private volatile int port;
    private volatile Process process;
    private volatile boolean paused;
    private volatile boolean readOnly;
    private volatile MariaDbServer source;

    /** {@code semiSyncTimeout} is null for asynchronous replication. */
    MariaDbServer(MariaDbBinaries binaries, Path dir, int serverId, boolean readOnly,
            Duration semiSyncTimeout, Duration startTimeout, Consumer<MariaDbServer> onPromote, List<String> extraOptions) {
        this.binaries = binaries;
        this.dir = dir;
        this.serverId = serverId;
        this.readOnly = readOnly;
        this.semiSyncTimeout = semiSyncTimeout;
        this.startTimeout = startTimeout;
        this.onPromote = onPromote;
        this.extraOptions = List.copyOf(extraOptions);
    }

    /** Always the loopback address: servers listen on 127.0.0.1 only. */
    public String host() {
        return "127.0.0.1";
    }

    /** The TCP port, kept across {@link #restart()}. */
    public int port() {
        return port;
    }

    /** The {@code server_id}: 1 for the original primary, 2 and up for replicas. */
    public int serverId() {
        return serverId;
    }

    /** The process id, or -1 before the first start. */
    public long pid() {
        Process current = process;
        return current == null ? -1 : current.pid();
    }

    /** True while the process is alive, including while it is paused. */
    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** True between {@link #pause()} and {@link #resume()}. */
    public boolean isPaused() {
        return paused;
    }

    /** The primary this server replicates from, or null if it is not a replica. */
    public MariaDbServer source() {
        return source;
    }

    /** The server's error log, for diagnostics. */
    public Path logFile() {
        return dir.resolve("error.log");
    }

    /** A MySQL Connector/J URL; {@code database} may be null for none. */
    public String jdbcUrl(String database) {
        return "jdbc:mysql://" + host() + ":" + port + "/" + (database == null ? "" : database)
                + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    /** A MariaDB Connector/J URL; {@code database} may be null for none. */
    public String mariaDbJdbcUrl(String database) {
        return "jdbc:mariadb://" + host() + ":" + port + "/" + (database == null ? "" : database);
    }

    /** Opens a connection as the given user; the caller closes it. */
    public Connection connect(String user, String password) throws SQLException {
        return DriverManager.getConnection(mariaDbJdbcUrl(null) + "?connectTimeout=5000&socketTimeout="
                + SQL_TIMEOUT.toMillis(), user, password);
    }

    /** Runs statements as root, in order, on one connection. */
    public void execute(String... sql) {
        try (Connection connection = connect(MariaDbCluster.ROOT_USER, MariaDbCluster.ROOT_PASSWORD);
                Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        } catch (SQLException e) {
            throw new MariaDbLaunchException(this + ": " + String.join("; ", sql) + " failed: " + e.getMessage(), e);
        }
    }

    /** Runs a query as root and returns its rows, each keyed by column label in column order. */
    public List<Map<String, Object>> query(String sql) {
        try (Connection connection = connect(MariaDbCluster.ROOT_USER, MariaDbCluster.ROOT_PASSWORD);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            ResultSetMetaData meta = rows.getMetaData();
            List<Map<String, Object>> result = new ArrayList<>();
            while (rows.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i), rows.getObject(i));
                }
                result.add(row);
            }
            return result;
        } catch (SQLException e) {
            throw new MariaDbLaunchException(this + ": " + sql + " failed: " + e.getMessage(), e);
        }
    }

    /** The first column of the first row as a string, or null if there is no row or it is NULL. */
    public String queryString(String sql) {
        List<Map<String, Object>> rows = query(sql);
        if (rows.isEmpty()) {
            return null;
        }
        Object value = rows.get(0).values().iterator().next();
        return value == null ? null : value.toString();
    }

    /** Kills the process with SIGKILL and waits for it to exit. */
    public synchronized void kill() {
        Process current = process;
        if (current != null && current.isAlive()) {
            log.info("killing {}", this);
            current.destroyForcibly();
            awaitExit(current, Duration.ofSeconds(10));
        }
        paused = false;
    }

    /** Freezes the process with SIGSTOP: its sockets stay open but nothing answers. */
    public synchronized void pause() {
        signal("STOP");
        paused = true;
    }

    /** Thaws a paused process with SIGCONT. */
    public synchronized void resume() {
        signal("CONT");
        paused = false;
    }

    /** Shuts the server down cleanly (SIGTERM), killing it if that takes longer than 30 s. */
    public void stop() {
        stop(STOP_TIMEOUT);
    }

    synchronized void stop(Duration grace) {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        if (paused) {
            resume();
        }
        log.info("stopping {}", this);
        current.destroy();
        if (!awaitExit(current, grace)) {
            log.warn("{} did not stop within {} ms; killing it", this, grace.toMillis());
            kill();
        }
    }

    /**
     * Starts the server again on the same port and data directory, stopping it first if it is
     * running. A replica resumes replication from its GTID position.
     */
    public synchronized void restart() {
        stop();
        try {
            launch(port);
        } catch (PortClash e) {
            throw new MariaDbLaunchException(this + " cannot restart: another process took port " + port, e);
        }
    }

    /**
     * Turns a replica into a primary: stops replication, forgets its source, allows writes and,
     * in a semi-sync cluster, starts waiting for its replicas' acknowledgements.
     */
    public synchronized void promote() {
        execute("STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only=0");
        if (semiSyncTimeout != null) {
            execute("SET GLOBAL rpl_semi_sync_master_enabled=ON");
        }
        source = null;
        readOnly = false;
        log.info("promoted {} to primary", this);
        onPromote.accept(this);
    }

    /**
     * Makes this server a read-only replica of {@code primary} using GTID ({@code slave_pos}).
     * A former primary first adopts its own GTID position as its replication position.
     */
    public synchronized void repointTo(MariaDbServer primary) {
        List<String> sql = new ArrayList<>(List.of("STOP SLAVE"));
        if (semiSyncTimeout != null) {
            // A replica that waited for acknowledgements would stall every event it applies.
            sql.add("SET GLOBAL rpl_semi_sync_master_enabled=OFF");
        }
        if (source == null) {
            sql.add("SET GLOBAL gtid_slave_pos = @@gtid_current_pos");
        }
        sql.add("CHANGE MASTER TO MASTER_HOST='" + primary.host() + "', MASTER_PORT=" + primary.port()
                + ", MASTER_USER='" + MariaDbCluster.REPLICATION_USER + "', MASTER_PASSWORD='"
                + MariaDbCluster.REPLICATION_PASSWORD + "', MASTER_USE_GTID=slave_pos,"
                + " MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1");
        sql.add("START SLAVE");
        sql.add("SET GLOBAL read_only=1");
        execute(sql.toArray(String[]::new));
        source = primary;
        readOnly = true;
        log.info("{} now replicates from {}", this, primary);
    }

    /** First start: picks a free port, retrying on a clash with another process. */
    synchronized void start() {
        for (int attempt = 1; ; attempt++) {
            try {
                launch(freePort());
                return;
            } catch (PortClash e) {
                if (attempt == PORT_ATTEMPTS) {
                    throw new MariaDbLaunchException(this + ": no free port after " + attempt + " attempts", e);
                }
                log.info("{}: port {} was taken; retrying on another", this, e.port);
            }
        }
    }

    private void launch(int newPort) {
        port = newPort;
        // A directory of its own for temporary files: at start mariadbd deletes every '#sql*' file
        // in its tmpdir, which in a shared /tmp are the temporary tables of other running servers.
        Path tmp = dir.resolve("tmp");
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new MariaDbLaunchException(this + ": cannot create " + tmp, e);
        }
        List<String> command = new ArrayList<>(List.of(binaries.server().toString(), "--no-defaults"));
        command.addAll(userOption());
        command.addAll(List.of("--datadir=" + dir.resolve("data"), "--tmpdir=" + tmp, "--port=" + port,
                "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mariadbd.sock"),
                "--pid-file=" + dir.resolve("mariadbd.pid"), "--log-error=" + logFile(),
                "--server-id=" + serverId, "--log-bin=mariadb-bin", "--relay-log=relay-bin",
                "--log-slave-updates", "--binlog-format=ROW", "--gtid-strict-mode=ON",
                "--read-only=" + (readOnly ? "ON" : "OFF"), "--slave-net-timeout=10",
                "--skip-name-resolve", "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0",
                "--performance-schema=OFF", "--max-connections=3000", "--max-allowed-packet=1G",
                "--local-infile=1", "--character-set-server=utf8mb4"));
        command.addAll(MariaDbTemplate.INNODB_OPTIONS);
        command.addAll(extraOptions);
        if (semiSyncTimeout != null) {
            command.addAll(List.of("--rpl-semi-sync-master-enabled=" + (readOnly ? "OFF" : "ON"),
                    "--rpl-semi-sync-slave-enabled=ON", "--rpl-semi-sync-master-wait-point=AFTER_SYNC",
                    "--rpl-semi-sync-master-timeout=" + semiSyncTimeout.toMillis()));
        }
        long started = System.nanoTime();
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console.log").toFile())).start();
        } catch (IOException e) {
            throw new MariaDbLaunchException("cannot start " + binaries.server(), e);
        }
        paused = false;
        awaitReady(process, System.nanoTime() + startTimeout.toNanos());
        log.info("started {} (pid {}) in {} ms", this, process.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void awaitReady(Process current, long deadline) {
        SQLException lastError = null;
        while (System.nanoTime() < deadline) {
            if (!current.isAlive()) {
                String tail = tail(logFile(), 30);
                if (tail.contains("Address already in use") || tail.contains("Bind on TCP/IP port")) {
                    throw new PortClash(port);
                }
                throw new MariaDbLaunchException(this + " exited with code " + current.exitValue()
                        + " while starting; error log " + logFile() + " ends with:\n" + tail);
            }
            if (acceptsTcp()) {
                try (Connection connection = connect(MariaDbCluster.ROOT_USER, MariaDbCluster.ROOT_PASSWORD);
                        Statement statement = connection.createStatement();
                        java.sql.ResultSet rs = statement.executeQuery("SELECT @@server_id")) {
                    rs.next();
                    if (rs.getLong(1) != serverId()) {
                        // Another server of ours took the same free port first; this one will fail to bind.
                        current.destroyForcibly();
                        throw new PortClash(port);
                    }
                    return;
                } catch (SQLException e) {
                    lastError = e;
                }
            }
            pollPause();
        }
        current.destroyForcibly();
        throw new MariaDbLaunchException(this + " was not ready within " + startTimeout.toSeconds() + " s"
                + (lastError == null ? "" : " (last error: " + lastError.getMessage() + ")")
                + "; error log " + logFile() + " ends with:\n" + tail(logFile(), 30));
    }

    private boolean acceptsTcp() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void signal(String name) {
        Process current = process;
        if (current == null || !current.isAlive()) {
            throw new MariaDbLaunchException(this + " is not running; cannot send SIG" + name);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(current.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new MariaDbLaunchException("kill -" + name + " " + current.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new MariaDbLaunchException("cannot run kill -" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MariaDbLaunchException("interrupted while sending SIG" + name + " to " + this, e);
        }
        log.info("sent SIG{} to {}", name, this);
    }

    private static boolean awaitExit(Process current, Duration timeout) {
        try {
            return current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !current.isAlive();
        }
    }

    private static void pollPause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MariaDbLaunchException("interrupted while waiting for MariaDB to start", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new MariaDbLaunchException("cannot find a free loopback port", e);
        }
    }

    /** {@code --user=root} when running as root (mariadbd refuses root otherwise), else nothing. */
    static List<String> userOption() {
        return "root".equals(System.getProperty("user.name")) ? List.of("--user=root") : List.of();
    }

    /** The last {@code lines} lines of a text file, or a note that it cannot be read. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return "mariadb#" + serverId + "@" + host() + ":" + port;
    }

    /** The chosen port was taken between probing and binding; the caller retries on another. */
    private static final class PortClash extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient int port;

        PortClash(int port) {
            super("port " + port + " is in use", null, false, false);
            this.port = port;
        }
    }
}
