package io.switchyard.monitor;

/**
 * One row of {@code monitor.mysql_server_replication_lag_log}: a replica's
 * {@code Seconds_Behind_Master}. Immutable.
 *
 * @param hostname the server's host
 * @param port the server's port
 * @param timeStartUs when the check started, epoch microseconds
 * @param successTimeUs how long the check took, in microseconds; 0 when it failed
 * @param replLag seconds behind the primary; null when unknown (not a replica, replication
 *                stopped, or the check failed)
 * @param error why it failed, or why replication is not running; null otherwise
 */
public record ReplicationLagLogRow(String hostname, int port, long timeStartUs, long successTimeUs, Long replLag, String error) {}
