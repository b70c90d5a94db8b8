package io.switchyard.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The admin's tables, with ProxySQL's names, columns and types. Configuration tables exist in
 * {@code main} (the memory layer) and {@code disk} (the disk layer), with a read-only
 * {@code runtime_} mirror in {@code main}; statistics live in {@code stats} and health-check logs
 * in {@code monitor}. Stateless.
 */
final class AdminSchema {
    private AdminSchema() {}

    static final String SERVERS = "mysql_servers";
    static final String USERS = "mysql_users";
    static final String QUERY_RULES = "mysql_query_rules";
    static final String REPLICATION_HOSTGROUPS = "mysql_replication_hostgroups";
    static final String VARIABLES = "global_variables";

    /** Schema names, as {@code SHOW DATABASES} lists them. */
    static final List<String> SCHEMAS = List.of("main", "disk", "stats", "monitor");

    /** Column definitions of each configuration table (also used by its runtime mirror). */
    static final Map<String, String> CONFIG_TABLES = new LinkedHashMap<>();

    static {
        CONFIG_TABLES.put(SERVERS, """
                hostgroup_id INT CHECK (hostgroup_id>=0) NOT NULL DEFAULT 0,
                hostname VARCHAR NOT NULL,
                port INT CHECK (port >= 0 AND port <= 65535) NOT NULL DEFAULT 3306,
                gtid_port INT CHECK (gtid_port <> port AND gtid_port >= 0 AND gtid_port <= 65535) NOT NULL DEFAULT 0,
                status VARCHAR CHECK (UPPER(status) IN ('ONLINE','SHUNNED','OFFLINE_SOFT','OFFLINE_HARD')) NOT NULL DEFAULT 'ONLINE',
                weight INT CHECK (weight >= 0 AND weight <= 10000000) NOT NULL DEFAULT 1,
                compression INT CHECK (compression IN (0,1)) NOT NULL DEFAULT 0,
                max_connections INT CHECK (max_connections >= 0) NOT NULL DEFAULT 1000,
                max_replication_lag INT CHECK (max_replication_lag >= 0 AND max_replication_lag <= 126144000) NOT NULL DEFAULT 0,
                use_ssl INT CHECK (use_ssl IN (0,1)) NOT NULL DEFAULT 0,
                max_latency_ms INT UNSIGNED CHECK (max_latency_ms >= 0) NOT NULL DEFAULT 0,
                comment VARCHAR NOT NULL DEFAULT '',
                PRIMARY KEY (hostgroup_id, hostname, port)""");
        CONFIG_TABLES.put(USERS, """
                username VARCHAR NOT NULL,
                password VARCHAR,
                active INT CHECK (active IN (0,1)) NOT NULL DEFAULT 1,
                use_ssl INT CHECK (use_ssl IN (0,1)) NOT NULL DEFAULT 0,
                default_hostgroup INT NOT NULL DEFAULT 0,
                default_schema VARCHAR,
                schema_locked INT CHECK (schema_locked IN (0,1)) NOT NULL DEFAULT 0,
                transaction_persistent INT CHECK (transaction_persistent IN (0,1)) NOT NULL DEFAULT 1,
                fast_forward INT CHECK (fast_forward IN (0,1)) NOT NULL DEFAULT 0,
                backend INT CHECK (backend IN (0,1)) NOT NULL DEFAULT 1,
                frontend INT CHECK (frontend IN (0,1)) NOT NULL DEFAULT 1,
                max_connections INT CHECK (max_connections >= 0) NOT NULL DEFAULT 10000,
                attributes VARCHAR CHECK (JSON_VALID(attributes) OR attributes = '') NOT NULL DEFAULT '',
                comment VARCHAR NOT NULL DEFAULT '',
                PRIMARY KEY (username, backend),
                UNIQUE (username, frontend)""");
        CONFIG_TABLES.put(QUERY_RULES, """
                rule_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
                active INT CHECK (active IN (0,1)) NOT NULL DEFAULT 0,
                username VARCHAR,
                schemaname VARCHAR,
                flagIN INT CHECK (flagIN >= 0) NOT NULL DEFAULT 0,
                client_addr VARCHAR,
                proxy_addr VARCHAR,
                proxy_port INT CHECK (proxy_port >= 0 AND proxy_port <= 65535),
                digest VARCHAR,
                match_digest VARCHAR,
                match_pattern VARCHAR,
                negate_match_pattern INT CHECK (negate_match_pattern IN (0,1)) NOT NULL DEFAULT 0,
                re_modifiers VARCHAR DEFAULT 'CASELESS',
                flagOUT INT CHECK (flagOUT >= 0),
                replace_pattern VARCHAR CHECK (CASE WHEN replace_pattern IS NULL THEN 1 WHEN replace_pattern IS NOT NULL AND match_pattern IS NOT NULL THEN 1 ELSE 0 END),
                destination_hostgroup INT DEFAULT NULL,
                cache_ttl INT CHECK (cache_ttl > 0),
                cache_empty_result INT CHECK (cache_empty_result IN (0,1)) DEFAULT NULL,
                cache_timeout INT CHECK (cache_timeout >= 0),
                reconnect INT CHECK (reconnect IN (0,1)) DEFAULT NULL,
                timeout INT UNSIGNED CHECK (timeout >= 0),
                retries INT CHECK (retries >= 0 AND retries <= 1000),
                delay INT UNSIGNED CHECK (delay >= 0),
                next_query_flagIN INT UNSIGNED,
                mirror_flagOUT INT UNSIGNED,
                mirror_hostgroup INT UNSIGNED,
                error_msg VARCHAR,
                OK_msg VARCHAR,
                sticky_conn INT CHECK (sticky_conn IN (0,1)),
                multiplex INT CHECK (multiplex IN (0,1,2)),
                gtid_from_hostgroup INT UNSIGNED,
                log INT CHECK (log IN (0,1)),
                apply INT CHECK (apply IN (0,1)) NOT NULL DEFAULT 0,
                attributes VARCHAR CHECK (JSON_VALID(attributes) OR attributes = '') NOT NULL DEFAULT '',
                comment VARCHAR""");
        CONFIG_TABLES.put(REPLICATION_HOSTGROUPS, """
                writer_hostgroup INT CHECK (writer_hostgroup >= 0) NOT NULL PRIMARY KEY,
                reader_hostgroup INT NOT NULL CHECK (reader_hostgroup <> writer_hostgroup AND reader_hostgroup >= 0),
                check_type VARCHAR CHECK (LOWER(check_type) IN ('read_only','innodb_read_only','super_read_only')) NOT NULL DEFAULT 'read_only',
                comment VARCHAR NOT NULL DEFAULT '',
                UNIQUE (reader_hostgroup)""");
        CONFIG_TABLES.put(VARIABLES, """
                variable_name VARCHAR NOT NULL PRIMARY KEY,
                variable_value VARCHAR NOT NULL""");
    }

    /** Tables of the {@code stats} schema. */
    static final Map<String, String> STATS_TABLES = new LinkedHashMap<>();

    static {
        STATS_TABLES.put("stats_mysql_connection_pool", """
                hostgroup INT, srv_host VARCHAR, srv_port INT, status VARCHAR, ConnUsed INT, ConnFree INT, ConnOK INT,
                ConnERR INT, MaxConnUsed INT, Queries INT, Bytes_data_sent INT, Bytes_data_recv INT, Latency_us INT,
                ConnQueue INT, Wait_us INT""");
        String digest = """
                hostgroup INT, schemaname VARCHAR NOT NULL, username VARCHAR NOT NULL, client_address VARCHAR NOT NULL,
                digest VARCHAR NOT NULL, digest_text VARCHAR NOT NULL, count_star INTEGER NOT NULL,
                first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, sum_time INTEGER NOT NULL,
                min_time INTEGER NOT NULL, max_time INTEGER NOT NULL, sum_rows_affected INTEGER NOT NULL,
                sum_rows_sent INTEGER NOT NULL""";
        STATS_TABLES.put("stats_mysql_query_digest", digest);
        STATS_TABLES.put("stats_mysql_query_digest_reset", digest);
        StringBuilder counters = new StringBuilder("Command VARCHAR NOT NULL PRIMARY KEY, Total_Time_us INT NOT NULL, Total_cnt INT NOT NULL");
        io.switchyard.stats.CommandCounters.BUCKET_NAMES.forEach(b -> counters.append(", ").append(b).append(" INT NOT NULL"));
        STATS_TABLES.put("stats_mysql_commands_counters", counters.toString());
        STATS_TABLES.put("stats_mysql_processlist", """
                SessionID INTEGER PRIMARY KEY, user VARCHAR, db VARCHAR, cli_host VARCHAR, cli_port INT, hostgroup INT,
                srv_host VARCHAR, srv_port INT, srv_thread_id INT, command VARCHAR, time_ms INT NOT NULL, info VARCHAR""");
        STATS_TABLES.put("stats_mysql_global", "Variable_Name VARCHAR NOT NULL PRIMARY KEY, Variable_Value VARCHAR NOT NULL");
        STATS_TABLES.put("stats_mysql_users",
                "username VARCHAR PRIMARY KEY, frontend_connections INT NOT NULL, frontend_max_connections INT NOT NULL");
        STATS_TABLES.put("stats_mysql_query_rules", "rule_id INTEGER PRIMARY KEY, hits INT NOT NULL");
        STATS_TABLES.put("stats_fleet_nodes", """
                node VARCHAR NOT NULL PRIMARY KEY, hostname VARCHAR NOT NULL, port INT NOT NULL, admin_port INT NOT NULL,
                config_version INT NOT NULL, Uptime_s INT NOT NULL, Client_Connections_connected INT NOT NULL, Queries INT NOT NULL,
                qps REAL NOT NULL, writer_for VARCHAR NOT NULL, self INT NOT NULL""");
    }

    /** Tables of the {@code monitor} schema. */
    static final Map<String, String> MONITOR_TABLES = new LinkedHashMap<>();

    static {
        MONITOR_TABLES.put("mysql_server_connect_log", """
                hostname VARCHAR NOT NULL, port INT NOT NULL DEFAULT 3306, time_start_us INT NOT NULL DEFAULT 0,
                connect_success_time_us INT DEFAULT 0, connect_error VARCHAR, PRIMARY KEY (hostname, port, time_start_us)""");
        MONITOR_TABLES.put("mysql_server_ping_log", """
                hostname VARCHAR NOT NULL, port INT NOT NULL DEFAULT 3306, time_start_us INT NOT NULL DEFAULT 0,
                ping_success_time_us INT DEFAULT 0, ping_error VARCHAR, PRIMARY KEY (hostname, port, time_start_us)""");
        MONITOR_TABLES.put("mysql_server_read_only_log", """
                hostname VARCHAR NOT NULL, port INT NOT NULL DEFAULT 3306, time_start_us INT NOT NULL DEFAULT 0,
                success_time_us INT DEFAULT 0, read_only INT DEFAULT 1, error VARCHAR, PRIMARY KEY (hostname, port, time_start_us)""");
        MONITOR_TABLES.put("mysql_server_replication_lag_log", """
                hostname VARCHAR NOT NULL, port INT NOT NULL DEFAULT 3306, time_start_us INT NOT NULL DEFAULT 0,
                success_time_us INT DEFAULT 0, repl_lag INT DEFAULT 0, error VARCHAR, PRIMARY KEY (hostname, port, time_start_us)""");
    }

    /** Names of the runtime mirrors, {@code runtime_} + a configuration table. */
    static final Set<String> RUNTIME_TABLES = Set.of("runtime_" + SERVERS, "runtime_" + USERS, "runtime_" + QUERY_RULES,
            "runtime_" + REPLICATION_HOSTGROUPS, "runtime_" + VARIABLES);

    static String create(String qualifiedName, String columns) {
        return "CREATE TABLE IF NOT EXISTS " + qualifiedName + " (" + columns + ")";
    }
}
