package io.switchyard.topology;

/**
 * One row of {@code mysql_replication_hostgroups}: a writer and a reader hostgroup whose servers
 * are placed by their {@code @@read_only} as the monitor sees it. Immutable.
 *
 * @param writerHostgroup hostgroup of the server(s) with read_only=0
 * @param readerHostgroup hostgroup of the servers with read_only=1
 * @param checkType the variable checked: {@code read_only}, {@code innodb_read_only} or {@code super_read_only}
 * @param comment free text
 */
public record ReplicationHostgroup(int writerHostgroup, int readerHostgroup, String checkType, String comment) {
    public ReplicationHostgroup {
        String row = "mysql_replication_hostgroups row (writer_hostgroup=" + writerHostgroup + ")";
        if (writerHostgroup < 0 || readerHostgroup < 0) {
            throw new IllegalArgumentException(row + ": hostgroups must be >= 0");
        }
        if (writerHostgroup == readerHostgroup) {
            throw new IllegalArgumentException(row + ": reader_hostgroup must differ from writer_hostgroup");
        }
        checkType = checkType == null || checkType.isBlank() ? "read_only" : checkType.toLowerCase(java.util.Locale.ROOT);
        if (!checkType.equals("read_only") && !checkType.equals("innodb_read_only") && !checkType.equals("super_read_only")) {
            throw new IllegalArgumentException(row + ": check_type must be read_only, innodb_read_only or super_read_only, got '" + checkType + "'");
        }
        comment = comment == null ? "" : comment;
    }
}
