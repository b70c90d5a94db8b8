package io.switchyard.monitor;

/**
 * One row of {@code monitor.mysql_server_ping_log}: a ping on a pooled monitor connection.
 * Immutable.
 *
 * @param hostname the server's host
 * @param port the server's port
 * @param timeStartUs when the check started, epoch microseconds
 * @param pingSuccessTimeUs round trip in microseconds; 0 when it failed
 * @param pingError why it failed; null on success
 */
public record PingLogRow(String hostname, int port, long timeStartUs, long pingSuccessTimeUs, String pingError) {}
