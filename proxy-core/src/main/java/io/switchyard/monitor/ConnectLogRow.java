package io.switchyard.monitor;

/**
 * One row of {@code monitor.mysql_server_connect_log}: a fresh connection opened to a server.
 * Immutable.
 *
 * @param hostname the server's host
 * @param port the server's port
 * @param timeStartUs when the check started, epoch microseconds
 * @param connectSuccessTimeUs how long connecting took, in microseconds; 0 when it failed
 * @param connectError why it failed; null on success
 */
public record ConnectLogRow(String hostname, int port, long timeStartUs, long connectSuccessTimeUs, String connectError) {}
