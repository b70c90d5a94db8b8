package io.switchyard.admin;

import java.util.List;

/**
 * The health monitor's recent check results, as rows of the {@code monitor} schema's log
 * tables. The admin reads it right before a statement that reads one of those tables.
 * Implementations must be safe to call from the admin's SQL thread while checks run.
 */
public interface MonitorLog {
    /** A row of {@code monitor.mysql_server_connect_log}; {@code error} is null on success. */
    record ConnectCheck(String hostname, int port, long timeStartUs, long connectSuccessTimeUs, String error) {}

    /** A row of {@code monitor.mysql_server_ping_log}. */
    record PingCheck(String hostname, int port, long timeStartUs, long pingSuccessTimeUs, String error) {}

    /** A row of {@code monitor.mysql_server_read_only_log}; {@code readOnly} is null when the check failed. */
    record ReadOnlyCheck(String hostname, int port, long timeStartUs, long successTimeUs, Boolean readOnly, String error) {}

    /** A row of {@code monitor.mysql_server_replication_lag_log}; {@code lagSeconds} is null when unknown. */
    record ReplicationLagCheck(String hostname, int port, long timeStartUs, long successTimeUs, Long lagSeconds, String error) {}

    List<ConnectCheck> connectLog();

    List<PingCheck> pingLog();

    List<ReadOnlyCheck> readOnlyLog();

    List<ReplicationLagCheck> replicationLagLog();

    /** No monitor: the tables exist and are empty. */
    MonitorLog NONE = new MonitorLog() {
        @Override
        public List<ConnectCheck> connectLog() {
            return List.of();
        }

        @Override
        public List<PingCheck> pingLog() {
            return List.of();
        }

        @Override
        public List<ReadOnlyCheck> readOnlyLog() {
            return List.of();
        }

        @Override
        public List<ReplicationLagCheck> replicationLagLog() {
            return List.of();
        }
    };
}
