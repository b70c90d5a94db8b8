package io.switchyard.protocol;

import java.util.Locale;

/**
 * Every error the proxy itself sends, on the client port and on the admin port: the MySQL code
 * and SQLSTATE (MySQL's or ProxySQL's where one exists, so existing alerting keeps working) and a
 * message template that says what happened and what to do. Faults of a connection's pipeline
 * reach their entry through {@link PipelineFault}, the same way on both ports. The README's
 * error tables list every code and SQLSTATE here ({@code ErrorTableTest}). Immutable.
 *
 * <p>No entry uses a code of the client range (2000–2999): those belong to the client library,
 * and MariaDB's refuses an ERR packet carrying one ("malformed packet"). Where the server would
 * simply be gone, the proxy closes the client connection and lets the library report it.
 */
public enum ProxyError {
    ACCESS_DENIED(1045, "28000", "Access denied for user '%s'@'%s' (using password: %s)"),
    USER_INACTIVE(1045, "28000", "Access denied for user '%s'@'%s': the user is not active on this proxy"),
    BAD_HANDSHAKE(1043, "08S01", "Bad handshake: %s"),
    UNKNOWN_COMMAND(1047, "08S01", "Unknown command %s: the proxy does not relay this command"),
    /** What the server answers to COM_CHANGE_USER after three failed ones on a connection. */
    CHANGE_USER_LOCKED(1047, "08S01", "Unknown command"),
    PACKET_TOO_LARGE(1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes (limit %d on this port); send less, or raise frontend.max-allowed-packet for the client port"),
    PACKETS_OUT_OF_ORDER(1156, "08S01", "Got packets out of order: expected sequence id %d, got %d"),
    NET_READ_INTERRUPTED(1159, "08S01", "Got timeout reading communication packets: no complete packet within %d ms"),
    MALFORMED_PACKET(1835, "HY000", "Malformed communication packet: %s"),
    TOO_MANY_CONNECTIONS(1040, "08004", "Too many connections: user '%s' already has %d of its %d allowed"),
    PROXY_TOO_MANY_CONNECTIONS(1040, "08004", "Too many connections: the proxy already serves %d clients (max-client-connections)"),
    SSL_REQUIRED(3159, "HY000", "Connections using insecure transport are prohibited for user '%s'; connect with TLS"),
    SSL_UNAVAILABLE(1043, "08S01", "Bad handshake: the client asked for TLS, which this proxy does not offer (no TLS is configured for clients)"),
    CONNECT_TIMEOUT_HOSTGROUP(9001, "HY000", "Max connect timeout reached while reaching hostgroup %d after %d ms: %s"),
    BACKEND_AUTH_FAILED(9001, "HY000", "Backend %s refused the proxy's login for user '%s': %s; check that the user exists on the server with the same password"),
    BACKEND_UNREACHABLE(9001, "HY000", "Cannot reach backend %s in hostgroup %d: %s"),
    NO_USABLE_SERVER(9001, "HY000", "Max connect timeout reached while reaching hostgroup %d after %d ms: no server of the hostgroup is usable (it has none, or all are shunned, offline or without weight)"),
    QUERY_TIMEOUT(1907, "HY000", "Query execution was interrupted, query_timeout exceeded: the proxy stopped the statement after %d ms"),
    BACKEND_LOST(9013, "08S01", "Lost connection to backend %s during query: %s; the statement may or may not have run"),
    PREVIOUS_RESULT_LOST(9014, "HY000", "Lost connection to backend %s, which held the results of the previous statement that this statement reads (LAST_INSERT_ID(), ROW_COUNT(), FOUND_ROWS(), warnings or diagnostics); the statement did not run"),
    READ_ONLY_TRANSACTION_NOT_MOVED(9015, "HY000", "The read-only transaction ran on a replica and had to move to the primary for this statement, but could not: %s; the connection is closed, start the transaction again"),
    CHARACTERISTICS_NOT_CARRIED(9016, "HY000", "The characteristics of the next transaction (%s) could not be set on the server that runs it: %s; the connection is closed"),
    TRANSACTION_NOT_REPLAYED(9017, "HY000", "The connection running the transaction was lost and the transaction could not run again on another: %s; the connection is closed, the transaction did not commit"),
    UNKNOWN_STMT_HANDLER(1243, "HY000", "Unknown prepared statement handler (%d) given to %s"),
    MAX_PREPARED_STATEMENTS(1461, "42000", "Can't create more than max_prepared_stmt_count statements (current value: %d); close prepared statements the session no longer needs"),
    STMT_TYPES_TOO_LARGE(1105, "HY000", "The proxy cannot re-send parameter types with a COM_STMT_EXECUTE or COM_STMT_BULK_EXECUTE larger than 16 MiB; send the types again (new_params_bound_flag = 1, or bulk flag 128)"),
    INTERNAL(1105, "HY000", "Internal proxy error: %s"),
    /** ProxySQL's code for a statement a query rule blocks; the message is the rule's {@code error_msg}. */
    RULE_BLOCKED(1148, "42000", "%s"),
    ADMIN_UNKNOWN_COMMAND(1047, "08S01", "Unknown command %s: the admin port answers COM_QUERY, COM_INIT_DB, COM_PING and COM_QUIT"),
    UNKNOWN_DATABASE(1049, "42000", "Unknown database '%s'; the admin has main, disk, stats and monitor"),
    UNKNOWN_VARIABLE(1193, "HY000", "Unknown system variable '%s'"),
    SYNTAX(1064, "42000", "You have an error in your SQL syntax: %s"),
    NO_SUCH_TABLE(1146, "42S02", "Table '%s' doesn't exist"),
    NO_SUCH_COLUMN(1054, "42S22", "Unknown column: %s"),
    DUPLICATE_KEY(1062, "23000", "Duplicate entry: %s"),
    NOT_NULL(1048, "23000", "Column cannot be null: %s"),
    CHECK_FAILED(3819, "HY000", "Check constraint violated: %s"),
    READ_ONLY_TABLE(1036, "HY000", "Table '%s' is read only: %s"),
    NOT_ALLOWED(1235, "42000", "'%s' is not allowed on the admin port: %s"),
    CONFIG_REFUSED(9100, "HY000", "%s refused, the runtime is unchanged: %s"),
    LAYER_FAILED(9101, "HY000", "%s failed: %s"),
    /** A warning, not an error: the load was accepted. */
    DANGLING_HOSTGROUP(9102, "HY000", "%s; statements routed there wait up to mysql-writer_wait_timeout for a server, "
            + "then fail with 9001 (load the servers, or the rules, that complete the change)"),
    /** Fleet mode: another node put a newer configuration in force since this node's. */
    FLEET_CONFLICT(9103, "HY000", "%s refused, the runtime is unchanged: the fleet's configuration is at version %d, written by %s"
            + " at %s, and this node started from version %d; look at the change (it is in force here now) and load again"),
    /** Fleet mode: the coordination service cannot be reached, so no change can be made for the whole fleet. */
    FLEET_UNAVAILABLE(9104, "HY000", "%s refused, the runtime is unchanged: ZooKeeper (%s) cannot be reached, and a change made on"
            + " one node only would split the fleet; the proxy keeps serving with configuration version %d"),
    /** Fleet mode: the fleet changed the part a LOAD puts in force after this node's memory layer was edited. */
    FLEET_CHANGED_UNDER_EDIT(9105, "HY000", "%s refused, the runtime is unchanged: the fleet changed these tables after this node's"
            + " memory layer last had them (now %s); the edit is still in the memory layer and the fleet's version in the runtime_"
            + " tables: compare them, and LOAD again to put the edit in force"),
    /** An error of the admin's embedded database that no more precise entry fits, with its message. */
    SQL_ERROR(1105, "HY000", "%s");

    public final int code;
    public final String sqlState;
    private final String template;

    ProxyError(int code, String sqlState, String template) {
        this.code = code;
        this.sqlState = sqlState;
        this.template = template;
    }

    /** True when {@code err} was made from this entry (same code, SQLSTATE and the message's fixed start). */
    public boolean matches(ErrPacket err) {
        int cut = template.indexOf('%');
        String prefix = cut < 0 ? template : template.substring(0, cut);
        return err != null && err.code() == code && err.sqlState().equals(sqlState) && err.message().startsWith(prefix);
    }

    /** The ERR of this entry, its template filled with {@code args}. */
    public ErrPacket format(Object... args) {
        return new ErrPacket(code, sqlState, String.format(Locale.ROOT, template, args));
    }
}
