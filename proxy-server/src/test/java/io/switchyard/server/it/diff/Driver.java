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
    MARIADB_SERVER_PREPARED("jdbc:mariadb", MARIADB.options + "&useServerPrepStmts=true"),
    // The same with protocol compression (CLIENT_COMPRESS).
    CONNECTOR_J_COMPRESSED("jdbc:mysql", CONNECTOR_J.options + "&useCompression=true"),
    CONNECTOR_J_SERVER_PREPARED_COMPRESSED("jdbc:mysql", CONNECTOR_J_SERVER_PREPARED.options + "&useCompression=true"),
    CONNECTOR_J_AFFECTED_ROWS_COMPRESSED("jdbc:mysql", CONNECTOR_J_AFFECTED_ROWS.options + "&useCompression=true"),
    MARIADB_COMPRESSED("jdbc:mariadb", MARIADB.options + "&useCompression=true"),
    MARIADB_SERVER_PREPARED_COMPRESSED("jdbc:mariadb", MARIADB_SERVER_PREPARED.options + "&useCompression=true");

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

    /** The same driver and options with protocol compression. */
    public Driver compressed() {
        return name().endsWith("_COMPRESSED") ? this : valueOf(name() + "_COMPRESSED");
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
