package io.switchyard.admin;

import io.switchyard.backend.BackendPool;
import io.switchyard.digest.DigestRow;
import io.switchyard.frontend.ClientSession;
import io.switchyard.frontend.ProcessInfo;
import io.switchyard.monitor.ConnectLogRow;
import io.switchyard.monitor.PingLogRow;
import io.switchyard.monitor.ReadOnlyLogRow;
import io.switchyard.monitor.ReplicationLagLogRow;
import io.switchyard.routing.QueryRule;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.stats.CommandCounters;
import io.switchyard.stats.ProxyStats;
import io.switchyard.topology.HostgroupServer;
import io.switchyard.topology.UserConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fills the {@code stats} and {@code monitor} tables from the running proxy, one table at a
 * time, right before a statement reads it. Confined to the admin's SQL thread, except
 * {@link #configChanged()}, which any thread may call.
 */
final class StatsTables {
    private final ProxyHandles proxy;
    private final long startedNanos = System.nanoTime();
    private final AtomicLong serversTableVersion = new AtomicLong(1);

    StatsTables(ProxyHandles proxy) {
        this.proxy = proxy;
    }

    /** Counts a configuration put in force ({@code Servers_table_version}). */
    void configChanged() {
        serversTableVersion.incrementAndGet();
    }

    /** Refreshes {@code table} (of the stats or monitor schema); false when it is not one of them. */
    boolean refresh(Connection c, String table) throws SQLException {
        switch (table) {
            case "stats_mysql_connection_pool" -> connectionPool(c);
            case "stats_mysql_query_digest" -> digests(c, "stats.stats_mysql_query_digest", proxy.stats().digests().snapshot());
            case "stats_mysql_query_digest_reset" -> {
                List<DigestRow> rows = proxy.stats().digests().snapshotAndReset();
                digests(c, "stats.stats_mysql_query_digest_reset", rows);
            }
            case "stats_mysql_commands_counters" -> commands(c);
            case "stats_mysql_processlist" -> processlist(c);
            case "stats_mysql_global" -> global(c);
            case "stats_mysql_users" -> users(c);
            case "stats_mysql_query_rules" -> ruleHits(c);
            case "stats_fleet_nodes" -> fleetNodes(c);
            case "mysql_server_connect_log" -> {
                List<ConnectLogRow> rows = proxy.monitor() == null ? List.of() : proxy.monitor().connectLog();
                ConfigRows.replace(c, "monitor.mysql_server_connect_log", "hostname, port, time_start_us, connect_success_time_us, connect_error",
                        rows.size(), (p, i) -> {
                            var r = rows.get(i);
                            ConfigRows.bind(p, r.hostname(), r.port(), r.timeStartUs(), r.connectSuccessTimeUs(), r.connectError());
                        });
            }
            case "mysql_server_ping_log" -> {
                List<PingLogRow> rows = proxy.monitor() == null ? List.of() : proxy.monitor().pingLog();
                ConfigRows.replace(c, "monitor.mysql_server_ping_log", "hostname, port, time_start_us, ping_success_time_us, ping_error",
                        rows.size(), (p, i) -> {
                            var r = rows.get(i);
                            ConfigRows.bind(p, r.hostname(), r.port(), r.timeStartUs(), r.pingSuccessTimeUs(), r.pingError());
                        });
            }
            case "mysql_server_read_only_log" -> {
                List<ReadOnlyLogRow> rows = proxy.monitor() == null ? List.of() : proxy.monitor().readOnlyLog();
                ConfigRows.replace(c, "monitor.mysql_server_read_only_log", "hostname, port, time_start_us, success_time_us, read_only, error",
                        rows.size(), (p, i) -> {
                            var r = rows.get(i);
                            ConfigRows.bind(p, r.hostname(), r.port(), r.timeStartUs(), r.successTimeUs(),
                                    r.readOnly(), r.error());
                        });
            }
            case "mysql_server_replication_lag_log" -> {
                List<ReplicationLagLogRow> rows = proxy.monitor() == null ? List.of() : proxy.monitor().replicationLagLog();
                ConfigRows.replace(c, "monitor.mysql_server_replication_lag_log", "hostname, port, time_start_us, success_time_us, repl_lag, error",
                        rows.size(), (p, i) -> {
                            var r = rows.get(i);
                            ConfigRows.bind(p, r.hostname(), r.port(), r.timeStartUs(), r.successTimeUs(), r.replLag(), r.error());
                        });
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void connectionPool(Connection c) throws SQLException {
        RuntimeConfig config = proxy.runtime().current();
        List<HostgroupServer> servers = new ArrayList<>();
        new TreeMap<>(config.topology().hostgroups()).values().forEach(servers::addAll);
        ConfigRows.replace(c, "stats.stats_mysql_connection_pool", "hostgroup, srv_host, srv_port, status, ConnUsed, ConnFree, ConnOK, "
                + "ConnERR, MaxConnUsed, Queries, Bytes_data_sent, Bytes_data_recv, Latency_us, ConnQueue, Wait_us",
                servers.size(), (p, i) -> {
            HostgroupServer s = servers.get(i);
            BackendPool pool = s.pool();
            ConfigRows.bind(p, s.hostgroup(), s.address().host(), s.address().port(), s.effectiveState().name(), pool.inUse(),
                    pool.idle(), pool.connectOk(), pool.connectErr(), pool.maxInUse(), pool.queries(),
                    pool.bytesSent(), pool.bytesReceived(), pool.health().pingLatencyMicros(), pool.waiting(),
                    pool.waitNanos() / 1_000);
        });
    }

    private static void digests(Connection c, String table, List<DigestRow> rows) throws SQLException {
        ConfigRows.replace(c, table, "hostgroup, schemaname, username, client_address, digest, digest_text, count_star, first_seen, "
                + "last_seen, sum_time, min_time, max_time, sum_rows_affected, sum_rows_sent", rows.size(), (p, i) -> {
            DigestRow d = rows.get(i);
            ConfigRows.bind(p, d.hostgroup(), d.schemaname(), d.username(), d.clientAddress(), d.digestHex(), d.digestText(),
                    d.countStar(), d.firstSeen(), d.lastSeen(), d.sumTime(), d.minTime(), d.maxTime(), d.sumRowsAffected(),
                    d.sumRowsSent());
        });
    }

    private void commands(Connection c) throws SQLException {
        List<CommandCounters.Row> rows = proxy.stats().commands().snapshot();
        String columns = "Command, Total_Time_us, Total_cnt, " + String.join(", ", CommandCounters.BUCKET_NAMES);
        ConfigRows.replace(c, "stats.stats_mysql_commands_counters", columns, rows.size(), (p, i) -> {
            CommandCounters.Row r = rows.get(i);
            p.setString(1, r.command().name());
            p.setLong(2, r.totalTimeUs());
            p.setLong(3, r.totalCount());
            for (int b = 0; b < r.buckets().length; b++) {
                p.setLong(4 + b, r.buckets()[b]);
            }
        });
    }

    private void processlist(Connection c) throws SQLException {
        List<ProcessInfo> rows = proxy.sessions().sessions().stream().map(ClientSession::processInfo).toList();
        ConfigRows.replace(c, "stats.stats_mysql_processlist", "SessionID, user, db, cli_host, cli_port, hostgroup, srv_host, srv_port, "
                + "srv_thread_id, command, time_ms, info", rows.size(), (p, i) -> {
            ProcessInfo s = rows.get(i);
            ConfigRows.bind(p, s.sessionId(), s.user(), s.schema(), s.clientHost(), s.clientPort(), s.hostgroup(), s.serverHost(),
                    s.serverPort(), s.backendThreadId(), s.command(), s.timeMillis(), s.info());
        });
    }

    private void global(Connection c) throws SQLException {
        ProxyStats stats = proxy.stats();
        long serverConnected = 0;
        long serverCreated = 0;
        long serverAborted = 0;
        long bytesSent = 0;
        long bytesReceived = 0;
        for (BackendPool pool : proxy.runtime().pools()) {
            serverConnected += pool.total();
            serverCreated += pool.connectOk();
            serverAborted += pool.connectErr();
            bytesSent += pool.bytesSent();
            bytesReceived += pool.bytesReceived();
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("ProxySQL_Uptime", (System.nanoTime() - startedNanos) / 1_000_000_000L);
        v.put("Client_Connections_aborted", proxy.sessions().authFailures());
        v.put("Client_Connections_connected", proxy.sessions().size());
        v.put("Client_Connections_created", proxy.sessions().accepted());
        v.put("Server_Connections_aborted", serverAborted);
        v.put("Server_Connections_connected", serverConnected);
        v.put("Server_Connections_created", serverCreated);
        v.put("Questions", stats.questions());
        v.put("Slow_queries", stats.slowQueries());
        v.put("Queries_backends_bytes_sent", bytesSent);
        v.put("Queries_backends_bytes_recv", bytesReceived);
        v.put("Servers_table_version", serversTableVersion.get());
        v.put("Query_retries", stats.retries());
        v.put("Query_timeouts", stats.queryTimeouts());
        v.put("Multiplexed_releases", stats.multiplexedReleases());
        v.put("Stmt_reprepares", stats.stmtReprepares());
        v.put("Causal_read_waits", stats.causalWaits());
        v.put("Causal_reads_on_writer", stats.causalReadsOnWriter());
        v.put("Transactions_replayed", stats.transactionsReplayed());
        v.put("Transaction_replays_failed", stats.transactionReplaysFailed());
        v.put("Read_only_transactions_on_readers", stats.readOnlyTransactionsOnReaders());
        v.put("Read_only_transactions_moved", stats.readOnlyTransactionsMoved());
        v.put("Read_only_transaction_moves_failed", stats.readOnlyTransactionMovesFailed());
        v.put("Eventslog_lines_written", stats.events().written());
        v.put("Eventslog_lines_lost", stats.events().lost());
        stats.errorsByCode().forEach((code, n) -> v.put("Errors_" + code, n));
        if (proxy.fleet() != null) {
            FleetLink.Status fleet = proxy.fleet().status();
            v.put("Fleet_name", fleet.fleet());
            v.put("Fleet_node", fleet.node());
            v.put("Fleet_connected", fleet.connected() ? 1 : 0);
            v.put("Fleet_config_version", fleet.configVersion());
        }
        List<Map.Entry<String, Object>> rows = List.copyOf(v.entrySet());
        ConfigRows.replace(c, "stats.stats_mysql_global", "Variable_Name, Variable_Value", rows.size(),
                (p, i) -> ConfigRows.bind(p, rows.get(i).getKey(), String.valueOf(rows.get(i).getValue())));
    }

    private void users(Connection c) throws SQLException {
        List<UserConfig> users = List.copyOf(proxy.runtime().current().users().values());
        ConfigRows.replace(c, "stats.stats_mysql_users", "username, frontend_connections, frontend_max_connections", users.size(),
                (p, i) -> ConfigRows.bind(p, users.get(i).username(), proxy.sessions().countFor(users.get(i).username()),
                        users.get(i).maxConnections()));
    }

    private void fleetNodes(Connection c) throws SQLException {
        List<FleetLink.Node> nodes = proxy.fleet() == null ? List.of() : proxy.fleet().nodes();
        ConfigRows.replace(c, "stats.stats_fleet_nodes", "node, hostname, port, admin_port, config_version, Uptime_s, "
                + "Client_Connections_connected, Queries, qps, writer_for, self", nodes.size(), (p, i) -> {
            FleetLink.Node n = nodes.get(i);
            ConfigRows.bind(p, n.name(), n.host(), n.port(), n.adminPort(), n.configVersion(), n.uptimeSeconds(),
                    n.clientConnections(), n.queries(), n.queriesPerSecond(),
                    String.join(",", n.writerFor().stream().map(String::valueOf).toList()), n.self() ? 1 : 0);
        });
    }

    private void ruleHits(Connection c) throws SQLException {
        Map<Integer, Long> hits = proxy.stats().ruleHits();
        List<QueryRule> rules = proxy.runtime().current().rows().rules();
        ConfigRows.replace(c, "stats.stats_mysql_query_rules", "rule_id, hits", rules.size(),
                (p, i) -> ConfigRows.bind(p, rules.get(i).ruleId(), hits.getOrDefault(rules.get(i).ruleId(), 0L)));
    }
}
