package io.switchyard.monitor;

import com.mysql.cj.jdbc.Driver;
import com.mysql.cj.jdbc.MysqlDataSource;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.pool.HikariPool;
import io.switchyard.backend.ServerAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The monitor's JDBC side for one server: a tiny HikariCP pool of Connector/J connections as
 * the monitor user, and the probes run on it. Every call blocks its caller (a monitor worker
 * thread, never an event loop) for a bounded time: getting a pooled connection takes at most
 * the check's timeout when one is idle, or the connect timeout when one must be opened; the
 * statement then runs under a network timeout, so a server that stopped answering (SIGSTOP)
 * cannot hang a probe.
 *
 * <p>Thread-safe: HikariCP hands each caller its own connection.
 */
final class ServerProbe implements AutoCloseable {
    /** HikariCP refuses connection and validation timeouts below this. */
    private static final long HIKARI_MIN_TIMEOUT_MILLIS = 250;
    private static final Driver DRIVER = newDriver();
    /** Connector/J only uses the executor to apply a network timeout; running it in place is enough. */
    private static final Executor DIRECT = Runnable::run;

    private final ServerAddress address;
    private final String user;
    private final String password;
    private final long connectTimeoutMillis;
    private final boolean tls;
    private final Set<Thread> poolThreads = ConcurrentHashMap.newKeySet();
    private final HikariPool pool;

    /**
     * @param connectTimeoutMillis how long opening a connection may take (a probe is replaced
     *                             when it changes: the pool's connections are opened with it)
     * @param tls true to require TLS ({@code use_ssl=1} on the server's row), false for none
     */
    ServerProbe(ServerAddress address, String user, String password, long connectTimeoutMillis, boolean tls,
                ScheduledExecutorService housekeeping, ThreadFactory threads) {
        this.address = address;
        this.user = user;
        this.password = password;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.tls = tls;
        // A DataSource rather than a JDBC URL: given a URL, HikariCP sets DriverManager's
        // login timeout, which is JVM-wide and would cut short every other JDBC login.
        MysqlDataSource dataSource = new ProbeDataSource();
        dataSource.setURL(url(driverProperties(connectTimeoutMillis, tls)));
        dataSource.setUser(user);
        dataSource.setPassword(password);
        HikariConfig config = new HikariConfig();
        config.setPoolName("switchyard-monitor-" + address);
        config.setDataSource(dataSource);
        config.setMaximumPoolSize(3);
        config.setMinimumIdle(0);
        config.setIdleTimeout(TimeUnit.SECONDS.toMillis(30));
        config.setMaxLifetime(TimeUnit.MINUTES.toMillis(30));
        config.setConnectionTimeout(Math.max(HIKARI_MIN_TIMEOUT_MILLIS, connectTimeoutMillis));
        config.setValidationTimeout(HIKARI_MIN_TIMEOUT_MILLIS);
        config.setInitializationFailTimeout(-1);
        config.setScheduledExecutor(housekeeping);
        config.setThreadFactory(r -> {
            Thread thread = threads.newThread(r);
            poolThreads.removeIf(t -> !t.isAlive());
            poolThreads.add(thread);
            return thread;
        });
        config.validate();
        this.pool = new HikariPool(config);
    }

    /** True when this probe logs in as {@code otherUser} with {@code otherPassword} and connects within {@code otherConnectTimeout}. */
    boolean matches(String otherUser, String otherPassword, long otherConnectTimeout) {
        return user.equals(otherUser) && password.equals(otherPassword) && connectTimeoutMillis == otherConnectTimeout;
    }

    /** Opens and closes a fresh, unpooled connection; returns how long opening took, in microseconds. */
    long connect(long timeoutMillis) throws SQLException {
        long start = System.nanoTime();
        Connection c = open(timeoutMillis, timeoutMillis);
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        c.close();
        return micros;
    }

    /** Pings the server on a pooled connection; returns the round trip of the ping itself, in microseconds. */
    long ping(long timeoutMillis) throws SQLException {
        try (Connection c = borrow(timeoutMillis)) {
            return ping(c);
        }
    }

    /**
     * Pings the server on a fresh connection, to confirm a failed ping without waiting for the
     * pool: a refused connection fails at once, a silent server within {@code timeoutMillis}.
     */
    long pingFresh(long timeoutMillis) throws SQLException {
        try (Connection c = open(connectTimeoutMillis, timeoutMillis)) {
            return ping(c);
        }
    }

    private static long ping(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            long start = System.nanoTime();
            s.execute("/* ping */ SELECT 1");
            return TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        }
    }

    private Connection open(long connectTimeout, long socketTimeout) throws SQLException {
        Properties props = driverProperties(connectTimeout, tls);
        props.setProperty("socketTimeout", Long.toString(socketTimeout));
        props.setProperty("user", user);
        props.setProperty("password", password);
        Connection c = DRIVER.connect(url(new Properties()), props);
        if (c == null) {
            throw new SQLException("Connector/J did not accept " + url(new Properties()));
        }
        return c;
    }

    /** A read_only check's result: the variable, and the GTID position applied (null where the server has none: MySQL). */
    record ReadOnlyCheck(boolean readOnly, String gtidPosition) {}

    /**
     * The global value of {@code variable} (read_only, super_read_only or innodb_read_only), and
     * on MariaDB in the same query {@code @@global.gtid_current_pos}.
     */
    ReadOnlyCheck readOnly(String variable, long timeoutMillis) throws SQLException {
        if (!variable.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a variable name: " + variable);
        }
        try (Connection c = borrow(timeoutMillis); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT @@global." + variable + ", @@global.gtid_current_pos")) {
                if (!rs.next()) {
                    throw new SQLException("SELECT @@global." + variable + " returned no row");
                }
                return new ReadOnlyCheck(rs.getLong(1) != 0, rs.getString(2));
            } catch (SQLException e) {
                if (e.getErrorCode() != 1193) {
                    throw e;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT @@global." + variable)) {
                if (!rs.next()) {
                    throw new SQLException("SELECT @@global." + variable + " returned no row");
                }
                return new ReadOnlyCheck(rs.getLong(1) != 0, null);
            }
        }
    }

    /**
     * The variables with a session value the server has (MariaDB's
     * {@code information_schema.SYSTEM_VARIABLES}) whose global the proxy watches
     * ({@link io.switchyard.backend.GlobalValues#watchable}); read once.
     */
    private volatile List<String> sessionVariables;

    /**
     * The server's global values of every variable that has a session value and that the proxy
     * watches: lower-case name to {@code CAST(@@GLOBAL.x AS CHAR)} (null for SQL NULL). Fails on servers without
     * {@code information_schema.SYSTEM_VARIABLES} (MySQL).
     */
    Map<String, String> sessionGlobals(long timeoutMillis) throws SQLException {
        try (Connection c = borrow(timeoutMillis); Statement s = c.createStatement()) {
            // A session memory limit in the server's configuration applies to the monitor too, and
            // these reads (information_schema, hundreds of columns) need more than a small one.
            s.execute("SET SESSION max_session_mem_used = " + Long.MAX_VALUE);
            List<String> names = sessionVariables;
            if (names == null) {
                List<String> read = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT LOWER(VARIABLE_NAME) FROM information_schema.SYSTEM_VARIABLES"
                        + " WHERE VARIABLE_SCOPE = 'SESSION' ORDER BY 1")) {
                    while (rs.next()) {
                        String name = rs.getString(1);
                        if (io.switchyard.backend.GlobalValues.watchable(name)) {
                            read.add(name);
                        }
                    }
                }
                names = List.copyOf(read);
                sessionVariables = names;
            }
            if (names.isEmpty()) {
                return Map.of();
            }
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < names.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("CAST(@@GLOBAL.").append(names.get(i)).append(" AS CHAR)");
            }
            try (ResultSet rs = s.executeQuery(sql.toString())) {
                if (!rs.next()) {
                    throw new SQLException("the read of the global defaults returned no row");
                }
                Map<String, String> values = new HashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    values.put(names.get(i), rs.getString(i + 1));
                }
                return values;
            } catch (SQLException e) {
                // A variable went away with its plugin: the names are read again next time.
                sessionVariables = null;
                throw e;
            }
        }
    }

    /** The server's replication state: {@code SHOW SLAVE STATUS}, or {@code SHOW REPLICA STATUS} where the former is gone. */
    ReplicaStatus replicaStatus(long timeoutMillis) throws SQLException {
        try (Connection c = borrow(timeoutMillis); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
                return ReplicaStatus.read(rs);
            } catch (SQLException e) {
                if (e.getErrorCode() != 1064) {
                    throw e;
                }
            }
            try (ResultSet rs = s.executeQuery("SHOW REPLICA STATUS")) {
                return ReplicaStatus.read(rs);
            }
        }
    }

    /** Runs {@code KILL QUERY threadId}. */
    void killQuery(long threadId, long timeoutMillis) throws SQLException {
        try (Connection c = borrow(timeoutMillis); Statement s = c.createStatement()) {
            s.execute("KILL QUERY " + threadId);
        }
    }

    /**
     * A pooled connection with a network timeout of {@code timeoutMillis}; waits that long for
     * an idle one, or the connect timeout when one has to be opened.
     */
    private Connection borrow(long timeoutMillis) throws SQLException {
        long wait = pool.getIdleConnections() > 0 ? timeoutMillis : Math.max(timeoutMillis, connectTimeoutMillis);
        Connection c = pool.getConnection(Math.max(HIKARI_MIN_TIMEOUT_MILLIS, wait));
        try {
            c.setNetworkTimeout(DIRECT, (int) Math.max(1, timeoutMillis));
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The server's Connector/J URL, with {@code properties} in its query string. */
    private String url(Properties properties) {
        String host = address.host().contains(":") ? "[" + address.host() + "]" : address.host();
        StringBuilder url = new StringBuilder("jdbc:mysql://").append(host).append(':').append(address.port()).append('/');
        char separator = '?';
        for (String name : properties.stringPropertyNames()) {
            url.append(separator).append(name).append('=').append(URLEncoder.encode(properties.getProperty(name), StandardCharsets.UTF_8));
            separator = '&';
        }
        return url.toString();
    }

    private static Properties driverProperties(long timeoutMillis, boolean tls) {
        Properties p = new Properties();
        p.setProperty("connectTimeout", Long.toString(timeoutMillis));
        p.setProperty("socketTimeout", Long.toString(timeoutMillis));
        p.setProperty("sslMode", tls ? "REQUIRED" : "DISABLED");
        p.setProperty("allowPublicKeyRetrieval", "true");
        p.setProperty("useLocalSessionState", "true");
        p.setProperty("cacheServerConfiguration", "true");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("connectionAttributes", "program_name:switchyard-monitor");
        return p;
    }

    private static Driver newDriver() {
        try {
            return new Driver();
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Closes the pool's connections. HikariCP's shutdown first waits for its connection adder,
     * which sleeps between failed attempts (a refused login, a server down) for up to seconds
     * and is not woken by the shutdown: its threads are interrupted first, so that it sees the
     * pool closing at once.
     */
    @Override
    public void close() {
        poolThreads.forEach(Thread::interrupt);
        try {
            pool.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Connector/J's data source, keeping the login timeout HikariCP gives it. Connector/J's own
     * ignores it and reports 0, and HikariCP's shutdown waits that long for its connection adder
     * thread: it would give up at once and warn "Timed-out waiting for add connection executor to
     * shutdown" whenever the adder had run in the last seconds (always, while logins fail).
     */
    private static final class ProbeDataSource extends MysqlDataSource {
        private static final long serialVersionUID = 1L;
        private volatile int loginTimeoutSeconds;

        @Override
        public void setLoginTimeout(int seconds) {
            loginTimeoutSeconds = seconds;
        }

        @Override
        public int getLoginTimeout() {
            return loginTimeoutSeconds;
        }
    }

    /**
     * What {@code SHOW SLAVE STATUS} says about a server's replication. Immutable.
     *
     * @param replica false when the server replicates from nobody (no row)
     * @param ioRunning {@code Slave_IO_Running} (or {@code Replica_IO_Running}) is Yes
     * @param sqlRunning {@code Slave_SQL_Running} (or {@code Replica_SQL_Running}) is Yes
     * @param secondsBehind {@code Seconds_Behind_Master} (or {@code _Source}); null when the server reports none
     */
    record ReplicaStatus(boolean replica, boolean ioRunning, boolean sqlRunning, Long secondsBehind) {
        static final ReplicaStatus NOT_A_REPLICA = new ReplicaStatus(false, false, false, null);

        /** True when both replication threads run. */
        boolean running() {
            return ioRunning && sqlRunning;
        }

        static ReplicaStatus read(ResultSet rs) throws SQLException {
            if (!rs.next()) {
                return NOT_A_REPLICA;
            }
            ResultSetMetaData meta = rs.getMetaData();
            Set<String> columns = new HashSet<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnLabel(i).toLowerCase(Locale.ROOT));
            }
            String io = rs.getString(columns.contains("slave_io_running") ? "Slave_IO_Running" : "Replica_IO_Running");
            String sql = rs.getString(columns.contains("slave_sql_running") ? "Slave_SQL_Running" : "Replica_SQL_Running");
            String lagColumn = columns.contains("seconds_behind_master") ? "Seconds_Behind_Master" : "Seconds_Behind_Source";
            long lag = rs.getLong(lagColumn);
            return new ReplicaStatus(true, "Yes".equalsIgnoreCase(io), "Yes".equalsIgnoreCase(sql), rs.wasNull() ? null : lag);
        }
    }
}
