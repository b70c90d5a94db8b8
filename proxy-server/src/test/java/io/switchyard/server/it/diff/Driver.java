package io.switchyard.server.it.diff;

/**
 * The JDBC driver and connection options a session uses; the same on both sides of the
 * comparison, so only the server path (direct or through the proxy) differs.
 */
public enum Driver {
    CONNECTOR_J("jdbc:mysql", "sslMode=DISABLED&allowPublicKeyRetrieval=true&connectTimeout=5000&socketTimeout=30000"),
    CONNECTOR_J_SERVER_PREPARED("jdbc:mysql", CONNECTOR_J.options + "&useServerPrepStmts=true"),
    CONNECTOR_J_AFFECTED_ROWS("jdbc:mysql", CONNECTOR_J.options + "&useAffectedRows=true"),
    MARIADB("jdbc:mariadb", "connectTimeout=5000&socketTimeout=30000"),
    MARIADB_SERVER_PREPARED("jdbc:mariadb", MARIADB.options + "&useServerPrepStmts=true");

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

    /** Whether this is MariaDB Connector/J. */
    public boolean isMariaDb() {
        return scheme.equals("jdbc:mariadb");
    }

    @Override
    public String toString() {
        return name() + " (" + scheme + ", " + options + ")";
    }
}
