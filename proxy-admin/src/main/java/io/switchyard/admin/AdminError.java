package io.switchyard.admin;

import io.switchyard.protocol.ErrPacket;
import java.util.Locale;

/**
 * Every error the admin port sends: MySQL's code and SQLSTATE where MySQL has one for the
 * situation, and a message that says what happened and what to do. SQL errors from the
 * embedded database are mapped to MySQL's codes by their kind ({@link SqlErrors}) rather than
 * all answered with one code, so a client can tell a typo from a constraint violation.
 */
public enum AdminError {
    ACCESS_DENIED(1045, "28000", "Access denied for user '%s'@'%s' (using password: %s)"),
    BAD_HANDSHAKE(1043, "08S01", "Bad handshake: %s"),
    UNKNOWN_COMMAND(1047, "08S01", "Unknown command %s: the admin port answers COM_QUERY, COM_INIT_DB, COM_PING and COM_QUIT"),
    PACKET_TOO_LARGE(1153, "08S01", "Got a packet bigger than %d bytes; admin statements must be smaller"),
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
    SQL_ERROR(1105, "HY000", "%s");

    public final int code;
    public final String sqlState;
    private final String template;

    AdminError(int code, String sqlState, String template) {
        this.code = code;
        this.sqlState = sqlState;
        this.template = template;
    }

    public ErrPacket format(Object... args) {
        return new ErrPacket(code, sqlState, String.format(Locale.ROOT, template, args));
    }

    /** This entry as a note for {@code SHOW WARNINGS}, on a statement that succeeded. */
    public AdminWarning warning(Object... args) {
        return new AdminWarning(AdminWarning.Level.WARNING, code, String.format(Locale.ROOT, template, args));
    }

    /** An exception carrying this error, for code that runs on the admin's SQL thread. */
    public AdminException exception(Object... args) {
        return new AdminException(format(args));
    }
}
