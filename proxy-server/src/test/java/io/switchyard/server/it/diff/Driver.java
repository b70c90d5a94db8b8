package io.switchyard.server.it.diff;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The JDBC driver and connection options a session uses; the same on both sides of the
 * comparison, so only the server path (direct or through the proxy) differs.
 *
 * <p>The {@code CONNECTOR_J_5} drivers are Connector/J 5.1, which does not negotiate
 * {@code CLIENT_DEPRECATE_EOF}: it reads EOF packets after column definitions and at the end of
 * results, which the proxy writes for it from what its backend connections (which always negotiate
 * the flag) send. Its classes clash with Connector/J 8's, so it is loaded from its own jar (the
 * system property {@code switchyard.connectorJ5}, set by the build) in a class loader of its own.
 */
public enum Driver {
    CONNECTOR_J("jdbc:mysql", "sslMode=DISABLED&allowPublicKeyRetrieval=true&connectTimeout=5000&socketTimeout=30000"
            + "&allowMultiQueries=true"),
    CONNECTOR_J_SERVER_PREPARED("jdbc:mysql", CONNECTOR_J.options + "&useServerPrepStmts=true"),
    CONNECTOR_J_AFFECTED_ROWS("jdbc:mysql", CONNECTOR_J.options + "&useAffectedRows=true"),
    // Results of prepared statements read through a server cursor, two rows per COM_STMT_FETCH.
    CONNECTOR_J_CURSOR("jdbc:mysql", CONNECTOR_J.options + "&useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=2"),
    // Latin1 clients: their statements' non-ASCII characters are single bytes, not UTF-8.
    CONNECTOR_J_LATIN1("jdbc:mysql", CONNECTOR_J.options + "&characterEncoding=ISO-8859-1&connectionCollation=latin1_swedish_ci"),
    CONNECTOR_J_LATIN1_SERVER_PREPARED("jdbc:mysql", CONNECTOR_J_SERVER_PREPARED.options
            + "&characterEncoding=ISO-8859-1&connectionCollation=latin1_swedish_ci"),
    MARIADB("jdbc:mariadb", "connectTimeout=5000&socketTimeout=30000&allowMultiQueries=true"),
    MARIADB_SERVER_PREPARED("jdbc:mariadb", MARIADB.options + "&useServerPrepStmts=true"),
    CONNECTOR_J_5("jdbc:mysql", "useSSL=false&connectTimeout=5000&socketTimeout=30000&allowMultiQueries=true"),
    CONNECTOR_J_5_SERVER_PREPARED("jdbc:mysql", CONNECTOR_J_5.options + "&useServerPrepStmts=true"),
    // Results of prepared statements read through a server cursor, two rows per COM_STMT_FETCH.
    CONNECTOR_J_5_CURSOR("jdbc:mysql", CONNECTOR_J_5.options + "&useCursorFetch=true&defaultFetchSize=2"),
    // The same with protocol compression (CLIENT_COMPRESS).
    CONNECTOR_J_COMPRESSED("jdbc:mysql", CONNECTOR_J.options + "&useCompression=true"),
    CONNECTOR_J_SERVER_PREPARED_COMPRESSED("jdbc:mysql", CONNECTOR_J_SERVER_PREPARED.options + "&useCompression=true"),
    CONNECTOR_J_AFFECTED_ROWS_COMPRESSED("jdbc:mysql", CONNECTOR_J_AFFECTED_ROWS.options + "&useCompression=true"),
    CONNECTOR_J_CURSOR_COMPRESSED("jdbc:mysql", CONNECTOR_J_CURSOR.options + "&useCompression=true"),
    CONNECTOR_J_LATIN1_COMPRESSED("jdbc:mysql", CONNECTOR_J_LATIN1.options + "&useCompression=true"),
    CONNECTOR_J_LATIN1_SERVER_PREPARED_COMPRESSED("jdbc:mysql", CONNECTOR_J_LATIN1_SERVER_PREPARED.options + "&useCompression=true"),
    MARIADB_COMPRESSED("jdbc:mariadb", MARIADB.options + "&useCompression=true"),
    MARIADB_SERVER_PREPARED_COMPRESSED("jdbc:mariadb", MARIADB_SERVER_PREPARED.options + "&useCompression=true"),
    CONNECTOR_J_5_COMPRESSED("jdbc:mysql", CONNECTOR_J_5.options + "&useCompression=true"),
    CONNECTOR_J_5_SERVER_PREPARED_COMPRESSED("jdbc:mysql", CONNECTOR_J_5_SERVER_PREPARED.options + "&useCompression=true"),
    CONNECTOR_J_5_CURSOR_COMPRESSED("jdbc:mysql", CONNECTOR_J_5_CURSOR.options + "&useCompression=true");

    private static final String CONNECTOR_J_5_JAR = "switchyard.connectorJ5";

    private final String scheme;
    private final String options;

    Driver(String scheme, String options) {
        this.scheme = scheme;
        this.options = options;
    }

    /** The URL of database {@code database} on {@code 127.0.0.1:port}. */
    public String url(int port, String database) {
        return scheme + "://127.0.0.1:" + port + "/" + database + "?" + options;
    }

    /** Opens a connection to database {@code database} on {@code 127.0.0.1:port}. */
    public Connection connect(int port, String database, String user, String password) throws SQLException {
        if (deprecatesEof()) {
            return DriverManager.getConnection(url(port, database), user, password);
        }
        Properties credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        return ConnectorJ5.DRIVER.connect(url(port, database), credentials);
    }

    /** The same driver and options with protocol compression. */
    public Driver compressed() {
        return name().endsWith("_COMPRESSED") ? this : valueOf(name() + "_COMPRESSED");
    }

    /**
     * The Connector/J 5.1 driver in place of a Connector/J 8 one (without {@code
     * CLIENT_DEPRECATE_EOF}): plain, server-prepared, or (for the one that reports affected rows)
     * reading through cursors; any other driver unchanged.
     */
    public Driver withoutDeprecateEof() {
        return switch (this) {
            case CONNECTOR_J -> CONNECTOR_J_5;
            case CONNECTOR_J_SERVER_PREPARED -> CONNECTOR_J_5_SERVER_PREPARED;
            case CONNECTOR_J_AFFECTED_ROWS -> CONNECTOR_J_5_CURSOR;
            default -> this;
        };
    }

    /** Connector/J 8 as a latin1 client, plain or server-prepared; any other driver unchanged. */
    public Driver latin1() {
        return switch (this) {
            case CONNECTOR_J -> CONNECTOR_J_LATIN1;
            case CONNECTOR_J_SERVER_PREPARED -> CONNECTOR_J_LATIN1_SERVER_PREPARED;
            default -> this;
        };
    }

    /** Connector/J 8 reading through cursors in place of its server-prepared driver; any other driver unchanged. */
    public Driver withCursors() {
        return this == CONNECTOR_J_SERVER_PREPARED ? CONNECTOR_J_CURSOR : this;
    }

    /** Whether this is MariaDB Connector/J. */
    public boolean isMariaDb() {
        return scheme.equals("jdbc:mariadb");
    }

    /** Whether this is MariaDB Connector/J with server-side prepared statements. */
    public boolean isMariaDbServerPrepared() {
        return isMariaDb() && options.contains("useServerPrepStmts=true");
    }

    /** Whether the driver negotiates {@code CLIENT_DEPRECATE_EOF} (all but Connector/J 5.1). */
    public boolean deprecatesEof() {
        return !name().startsWith("CONNECTOR_J_5");
    }

    @Override
    public String toString() {
        return name() + " (" + scheme + ", " + options + ")";
    }

    /** Connector/J 5.1's driver, loaded once. */
    private static final class ConnectorJ5 {
        static final java.sql.Driver DRIVER = load();

        private static java.sql.Driver load() {
            String jar = System.getProperty(CONNECTOR_J_5_JAR);
            if (jar == null || !Files.isRegularFile(Path.of(jar))) {
                throw new IllegalStateException("Connector/J 5.1 not found: the system property " + CONNECTOR_J_5_JAR
                        + " must name its jar (the build copies it to proxy-server/target/legacy-jdbc), but is " + jar);
            }
            try {
                URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()},
                        ClassLoader.getPlatformClassLoader());
                return (java.sql.Driver) Class.forName("com.mysql.jdbc.Driver", true, loader).getDeclaredConstructor().newInstance();
            } catch (MalformedURLException | ReflectiveOperationException e) {
                throw new IllegalStateException("cannot load Connector/J 5.1 from " + jar, e);
            }
        }
    }
}
