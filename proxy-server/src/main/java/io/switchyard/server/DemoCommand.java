package io.switchyard.server;

import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchyard demo}: starts a local MariaDB primary and replicas from the installed
 * binaries, the proxy in front of them, prints how to connect, and stops everything on Ctrl-C.
 * With {@code --failover} it runs the scripted {@link FailoverDemo} instead and exits with its verdict.
 * With {@code --fleet N} it runs N proxies that share one configuration through ZooKeeper
 * ({@code --zookeeper}; {@code scripts/demo --fleet N} starts one), makes a change on the first and
 * shows it on the others.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start local MariaDB servers (primary + replicas) and the proxy in front of them.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "6033", description = "Client port of the proxy (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--replicas", defaultValue = "1", description = "Number of replicas (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--failover", description = "Instead: run a load through the proxy, kill the primary, promote a replica,"
            + " and check every acknowledged write (free ports, 2 semi-sync replicas; --port and --replicas do not apply).")
    boolean failover;

    @Option(names = "--no-transaction-replay", description = "With --failover: run the proxy with mysql-transaction_replay = false,"
            + " to see the transactions a failover loses without it.")
    boolean noTransactionReplay;

    @Option(names = "--fleet", defaultValue = "0", description = "Run this many proxies as one fleet (needs --zookeeper;"
            + " scripts/demo --fleet N starts a ZooKeeper). Client ports --port, --port + 1, ...")
    int fleet;

    @Option(names = "--zookeeper", defaultValue = "", description = "With --fleet: ZooKeeper's connection string (host:port).")
    String zookeeper;

    @Override
    public Integer call() throws Exception {
        if (failover) {
            return runFailoverDemo(!noTransactionReplay);
        }
        if (fleet > 0) {
            if (zookeeper.isBlank()) {
                System.err.println("error: --fleet needs --zookeeper host:port (scripts/demo --fleet N starts a ZooKeeper for you)");
                return 2;
            }
            return FleetDemo.run(fleet, replicas, port, zookeeper, System.out);
        }
        System.out.println("starting MariaDB primary and " + replicas + " replica(s) ...");
        MariaDbCluster cluster = MariaDbCluster.builder().replicas(replicas).start();
        MariaDbServer primary = cluster.primary();
        java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("switchyard-demo-data");
        Daemon daemon;
        try {
            daemon = Daemon.start(ConfigLoader.fromString(demoConfig(cluster)), dataDir, true, () -> {
                throw new IllegalArgumentException("the demo has no configuration file to reload");
            });
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        Switchyard proxy = daemon.proxy();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping ...");
            daemon.shutdown(2_000);
            cluster.close();
            deleteQuietly(dataDir);
            stopped.countDown();
        }, "switchyard-demo-shutdown"));
        String user = MariaDbCluster.APP_USER;
        String password = MariaDbCluster.APP_PASSWORD;
        String db = MariaDbCluster.APP_DATABASE;
        System.out.println();
        System.out.println("Switchyard demo is running.");
        System.out.println("  primary:  127.0.0.1:" + primary.port() + " (server_id " + primary.serverId() + ")");
        for (MariaDbServer r : cluster.replicas()) {
            System.out.println("  replica:  127.0.0.1:" + r.port() + " (server_id " + r.serverId() + ")");
        }
        System.out.println("  proxy:    127.0.0.1:" + proxy.port() + " (writes to hostgroup 0, the primary; SELECTs to hostgroup 1, the replicas)");
        System.out.println("  admin:    127.0.0.1:" + daemon.admin().port() + " (user admin, password admin)");
        daemon.proxy().metrics().ifPresent(m -> System.out.println("  console:  http://127.0.0.1:" + m.port()
                + "/ (live web console; Prometheus metrics at /metrics)"));
        System.out.println();
        System.out.println("Connect with the mariadb client:");
        System.out.println("  mariadb -h 127.0.0.1 -P " + proxy.port() + " -u " + user + " -p" + password + " " + db);
        System.out.println("or with JDBC:");
        System.out.println("  jdbc:mysql://127.0.0.1:" + proxy.port() + "/" + db + "?user=" + user + "&password=" + password
                + "&sslMode=DISABLED");
        System.out.println();
        System.out.println("Look inside with the admin port:");
        System.out.println("  mariadb -h 127.0.0.1 -P " + daemon.admin().port()
                + " -u admin -padmin -e 'SELECT * FROM stats_mysql_connection_pool'");
        System.out.println();
        System.out.println("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }

    private static int runFailoverDemo(boolean transactionReplay) throws Exception {
        FailoverDemo demo = new FailoverDemo(FailoverDemo.Schedule.DEFAULT, System.out, transactionReplay);
        Thread stop = new Thread(demo::interrupt, "switchyard-failover-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return demo.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for run() to finish stopping everything.
            }
        }
    }

    /** The primary in hostgroup 0, the replicas in hostgroup 1, placed by read_only, and the read/write split. */
    private String demoConfig(MariaDbCluster cluster) {
        return demoConfig(cluster, port, "");
    }

    /** The same on {@code port}, with {@code extra} HOCON lines (e.g. a fleet block). */
    static String demoConfig(MariaDbCluster cluster, int port, String extra) {
        StringBuilder servers = new StringBuilder();
        servers.append("{ hostgroup = 0, host = \"127.0.0.1\", port = ").append(cluster.primary().port()).append(", comment = \"primary\" }\n");
        for (MariaDbServer r : cluster.replicas()) {
            servers.append("{ hostgroup = 1, host = \"127.0.0.1\", port = ").append(r.port()).append(", comment = \"replica\" }\n");
        }
        return """
                switchyard {
                  frontend { bind = "127.0.0.1", port = %d }
                  admin { bind = "127.0.0.1", port = 0 }
                  servers = [ %s ]
                  replication-hostgroups = [ { writer-hostgroup = 0, reader-hostgroup = 1 } ]
                  query-rules = [
                    { rule-id = 1, match-digest = "^SELECT .* FOR UPDATE", destination-hostgroup = 0, apply = true }
                    { rule-id = 2, match-digest = "^SELECT", destination-hostgroup = 1, apply = true }
                  ]
                  users = [ { username = "%s", password = "%s", default-hostgroup = 0 } ]
                  variables { mysql-monitor_username = "%s", mysql-monitor_password = "%s", mysql-monitor_writer_is_also_reader = false }
                  %s
                }
                """.formatted(port, servers, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD,
                MariaDbCluster.MONITOR_USER, MariaDbCluster.MONITOR_PASSWORD, extra);
    }

    static void deleteQuietly(java.nio.file.Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a temporary directory; the system cleans it up eventually
        }
    }
}
