package io.switchyard.protocol;

/**
 * Command bytes of the command phase.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html">Command phase</a>
 */
public enum Command {
    SLEEP(0x00), QUIT(0x01), INIT_DB(0x02), QUERY(0x03), FIELD_LIST(0x04), CREATE_DB(0x05),
    DROP_DB(0x06), REFRESH(0x07), SHUTDOWN(0x08), STATISTICS(0x09), PROCESS_INFO(0x0a),
    CONNECT(0x0b), PROCESS_KILL(0x0c), DEBUG(0x0d), PING(0x0e), TIME(0x0f), DELAYED_INSERT(0x10),
    CHANGE_USER(0x11), BINLOG_DUMP(0x12), TABLE_DUMP(0x13), CONNECT_OUT(0x14),
    REGISTER_SLAVE(0x15), STMT_PREPARE(0x16), STMT_EXECUTE(0x17), STMT_SEND_LONG_DATA(0x18),
    STMT_CLOSE(0x19), STMT_RESET(0x1a), SET_OPTION(0x1b), STMT_FETCH(0x1c), DAEMON(0x1d),
    BINLOG_DUMP_GTID(0x1e), RESET_CONNECTION(0x1f), STMT_BULK_EXECUTE(0xfa), UNKNOWN(-1);

    private static final Command[] BY_CODE = new Command[256];

    static {
        for (Command c : values()) {
            if (c.code >= 0) {
                BY_CODE[c.code] = c;
            }
        }
    }

    public final int code;

    Command(int code) {
        this.code = code;
    }

    /** The command for a command byte; {@link #UNKNOWN} for bytes MySQL does not define. */
    public static Command of(int code) {
        Command c = BY_CODE[code & 0xff];
        return c == null ? UNKNOWN : c;
    }

    /** The metric and log name, e.g. {@code query}, {@code stmt_execute}. */
    /** True for the commands that run a statement: COM_QUERY, COM_STMT_EXECUTE, COM_STMT_BULK_EXECUTE. */
    public boolean runsStatement() {
        return this == QUERY || this == STMT_EXECUTE || this == STMT_BULK_EXECUTE;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
