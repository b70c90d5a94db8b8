package io.switchyard.monitor;

/**
 * One row of {@code monitor.mysql_server_read_only_log}: the server's {@code @@read_only} (or
 * the variable its replication hostgroup pair checks). Immutable.
 *
 * @param hostname the server's host
 * @param port the server's port
 * @param timeStartUs when the check started, epoch microseconds
 * @param successTimeUs how long the check took, in microseconds; 0 when it failed
 * @param readOnly 1 or 0; null when the check failed
 * @param error why it failed; null on success
 */
public record ReadOnlyLogRow(String hostname, int port, long timeStartUs, long successTimeUs, Integer readOnly, String error) {}
