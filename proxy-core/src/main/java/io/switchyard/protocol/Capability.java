package io.switchyard.protocol;

/**
 * Capability flags exchanged in the handshake. The low 32 bits are MySQL's; bits 32..63 are
 * MariaDB's extended capabilities, sent in the filler of the handshake packets when the server
 * clears {@link #CLIENT_MYSQL}.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/group__group__cs__capabilities__flags.html">Capabilities flags</a>
 * @see <a href="https://mariadb.com/kb/en/connection/#capabilities">MariaDB capabilities</a>
 */
public final class Capability {
    private Capability() {}

    /** Set by MySQL servers; MariaDB servers clear it to announce extended capabilities. */
    public static final long CLIENT_MYSQL = 1L;
    public static final long CLIENT_FOUND_ROWS = 1L << 1;
    public static final long CLIENT_LONG_FLAG = 1L << 2;
    public static final long CLIENT_CONNECT_WITH_DB = 1L << 3;
    public static final long CLIENT_NO_SCHEMA = 1L << 4;
    public static final long CLIENT_COMPRESS = 1L << 5;
    public static final long CLIENT_ODBC = 1L << 6;
    public static final long CLIENT_LOCAL_FILES = 1L << 7;
    public static final long CLIENT_IGNORE_SPACE = 1L << 8;
    public static final long CLIENT_PROTOCOL_41 = 1L << 9;
    public static final long CLIENT_INTERACTIVE = 1L << 10;
    public static final long CLIENT_SSL = 1L << 11;
    public static final long CLIENT_IGNORE_SIGPIPE = 1L << 12;
    public static final long CLIENT_TRANSACTIONS = 1L << 13;
    public static final long CLIENT_RESERVED = 1L << 14;
    public static final long CLIENT_SECURE_CONNECTION = 1L << 15;
    public static final long CLIENT_MULTI_STATEMENTS = 1L << 16;
    public static final long CLIENT_MULTI_RESULTS = 1L << 17;
    public static final long CLIENT_PS_MULTI_RESULTS = 1L << 18;
    public static final long CLIENT_PLUGIN_AUTH = 1L << 19;
    public static final long CLIENT_CONNECT_ATTRS = 1L << 20;
    public static final long CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 1L << 21;
    public static final long CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS = 1L << 22;
    public static final long CLIENT_SESSION_TRACK = 1L << 23;
    public static final long CLIENT_DEPRECATE_EOF = 1L << 24;
    public static final long CLIENT_OPTIONAL_RESULTSET_METADATA = 1L << 25;
    public static final long CLIENT_ZSTD_COMPRESSION = 1L << 26;
    public static final long CLIENT_QUERY_ATTRIBUTES = 1L << 27;
    public static final long CLIENT_MULTI_FACTOR_AUTHENTICATION = 1L << 28;
    public static final long CLIENT_SSL_VERIFY_SERVER_CERT = 1L << 30;
    public static final long CLIENT_REMEMBER_OPTIONS = 1L << 31;

    public static final long MARIADB_CLIENT_PROGRESS = 1L << 32;
    public static final long MARIADB_CLIENT_COM_MULTI = 1L << 33;
    public static final long MARIADB_CLIENT_STMT_BULK_OPERATIONS = 1L << 34;
    public static final long MARIADB_CLIENT_EXTENDED_TYPE_INFO = 1L << 35;
    public static final long MARIADB_CLIENT_CACHE_METADATA = 1L << 36;

    /**
     * Everything the proxy can relay faithfully. Compression (CLIENT_COMPRESS) the proxy ends on
     * each side ({@link CompressedProtocol}); zstd compression, optional result-set metadata,
     * query attributes, multi-factor authentication, progress reports and COM_MULTI change
     * framing the relay does not parse, so the proxy never offers them to clients. MariaDB's
     * metadata caching the proxy does itself (backend connections never negotiate it): see
     * {@code BackendSide.responseMetadata}. MariaDB's bulk execution (COM_STMT_BULK_EXECUTE,
     * which also lets MariaDB Connector/J send a prepare and its first execution together) runs
     * like COM_STMT_EXECUTE; backend connections always negotiate it.
     */
    public static final long PROXY_SUPPORTED = CLIENT_MYSQL | CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG
            | CLIENT_CONNECT_WITH_DB | CLIENT_NO_SCHEMA | CLIENT_COMPRESS | CLIENT_ODBC | CLIENT_LOCAL_FILES
            | CLIENT_IGNORE_SPACE | CLIENT_PROTOCOL_41 | CLIENT_INTERACTIVE | CLIENT_SSL
            | CLIENT_IGNORE_SIGPIPE | CLIENT_TRANSACTIONS | CLIENT_RESERVED | CLIENT_SECURE_CONNECTION
            | CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS | CLIENT_PS_MULTI_RESULTS
            | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS | CLIENT_SESSION_TRACK | CLIENT_DEPRECATE_EOF
            | CLIENT_REMEMBER_OPTIONS | MARIADB_CLIENT_EXTENDED_TYPE_INFO | MARIADB_CLIENT_CACHE_METADATA
            | MARIADB_CLIENT_STMT_BULK_OPERATIONS;

    /**
     * Flags that change what the server sends or how it parses what it receives; a backend
     * connection must carry the same values as the client it serves. Session tracking is not
     * among them: backend connections always negotiate it (the proxy learns session state from
     * it) and the relay rewrites OK packets for clients that did not. Nor is CLIENT_DEPRECATE_EOF:
     * backend connections always negotiate it, so that every result ends with an OK that says
     * what changed, and the relay writes the EOF packets a client without it expects
     * ({@link ResponseTracker#eofToInsert}). A client that compresses
     * is served by connections that compress too, so the server's {@code Compression} status
     * reads as it would directly.
     */
    public static final long WIRE_AFFECTING = CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG | CLIENT_NO_SCHEMA | CLIENT_COMPRESS
            | CLIENT_ODBC | CLIENT_LOCAL_FILES | CLIENT_IGNORE_SPACE | CLIENT_INTERACTIVE
            | CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS | CLIENT_PS_MULTI_RESULTS
            | MARIADB_CLIENT_EXTENDED_TYPE_INFO;

    /** Flags the proxy always sets on its backend connections. */
    public static final long BACKEND_REQUIRED = CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION
            | CLIENT_PLUGIN_AUTH | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_TRANSACTIONS
            | CLIENT_LONG_FLAG | CLIENT_CONNECT_ATTRS | CLIENT_SESSION_TRACK | CLIENT_DEPRECATE_EOF
            | MARIADB_CLIENT_STMT_BULK_OPERATIONS;

    public static boolean has(long flags, long capability) {
        return (flags & capability) != 0;
    }
}
