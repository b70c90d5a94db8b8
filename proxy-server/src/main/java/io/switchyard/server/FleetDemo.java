package io.switchyard.server;

import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code switchyard demo --fleet N}: a MariaDB primary and replicas, N proxies that share one
 * configuration and one writer decision through ZooKeeper, a change made on the first proxy's
 * admin port and read back on the others', then the same wait for Ctrl-C as the plain demo.
 */
final class FleetDemo {
    private FleetDemo() {
    }

    static int run(int proxies, int replicas, int firstPort, String zookeeper, PrintStream out) throws Exception {
        out.println("starting MariaDB primary and " + replicas + " replica(s) ...");
        MariaDbCluster cluster = MariaDbCluster.builder().replicas(replicas).start();
        List<Daemon> daemons = new ArrayList<>();
        List<Path> dataDirs = new ArrayList<>();
        Runnable stop = () -> {
            for (Daemon d : daemons) {
                d.shutdown(2_000);
            }
            cluster.close();
            dataDirs.forEach(DemoCommand::deleteQuietly);
        };
        try {
            String fleetName = "demo-" + ProcessHandle.current().pid();
            for (int i = 0; i < proxies; i++) {
                Path dataDir = Files.createTempDirectory("switchyard-fleet-demo-data");
                dataDirs.add(dataDir);
                String node = "proxy-" + (i + 1);
                String hocon = DemoCommand.demoConfig(cluster, firstPort + i,
                        "metrics { port = 0 }\n  fleet { zookeeper = \"" + zookeeper + "\", name = \"" + fleetName + "\", node-name = \"" + node + "\" }");
                out.println("starting " + node + " on 127.0.0.1:" + (firstPort + i) + " ...");
                daemons.add(Daemon.start(ConfigLoader.fromString(hocon), dataDir, true, () -> {
                    throw new IllegalArgumentException("the demo has no configuration file to reload");
                }));
            }
        } catch (RuntimeException e) {
            stop.run();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("\nstopping ...");
            stop.run();
            stopped.countDown();
        }, "switchyard-fleet-demo-shutdown"));

        out.println();
        out.println("Switchyard fleet demo is running: " + proxies + " proxies, one configuration in ZooKeeper " + zookeeper + ".");
        MariaDbServer primary = cluster.primary();
        out.println("  primary:  127.0.0.1:" + primary.port() + " (server_id " + primary.serverId() + ")");
        for (MariaDbServer r : cluster.replicas()) {
            out.println("  replica:  127.0.0.1:" + r.port() + " (server_id " + r.serverId() + ")");
        }
        for (Daemon d : daemons) {
            String node = d.fleet().map(f -> f.node()).orElse("?");
            out.println("  " + node + ": clients 127.0.0.1:" + d.proxy().port() + ", admin 127.0.0.1:" + d.admin().port()
                    + " (admin/admin)");
        }
        out.println();
        Daemon first = daemons.get(0);
        String variable = "mysql-default_query_timeout";
        out.println("A change on " + first.fleet().map(f -> f.node()).orElse("?") + "'s admin port:");
        out.println("  UPDATE global_variables SET variable_value = '60000' WHERE variable_name = '" + variable + "';");
        out.println("  LOAD MYSQL VARIABLES TO RUNTIME;");
        try (Connection admin = admin(first); Statement s = admin.createStatement()) {
            s.executeUpdate("UPDATE global_variables SET variable_value = '60000' WHERE variable_name = '" + variable + "'");
            s.execute("LOAD MYSQL VARIABLES TO RUNTIME");
        }
        Thread.sleep(500);
        out.println("and what every proxy runs half a second later (runtime_global_variables on each admin port):");
        for (Daemon d : daemons) {
            try (Connection admin = admin(d); Statement s = admin.createStatement();
                 ResultSet rs = s.executeQuery("SELECT variable_value FROM runtime_global_variables WHERE variable_name = '"
                         + variable + "'")) {
                out.println("  " + d.fleet().map(f -> f.node()).orElse("?") + ": " + variable + " = " + (rs.next() ? rs.getString(1) : "?"));
            }
        }
        out.println();
        out.println("The fleet as any node sees it:");
        out.println("  mariadb -h 127.0.0.1 -P " + first.admin().port() + " -u admin -padmin -e 'SELECT * FROM stats_fleet_nodes'");
        out.println("Connect a client to any proxy:");
        out.println("  mariadb -h 127.0.0.1 -P " + first.proxy().port() + " -u " + MariaDbCluster.APP_USER + " -p"
                + MariaDbCluster.APP_PASSWORD + " " + MariaDbCluster.APP_DATABASE);
        out.println();
        out.println("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }

    private static Connection admin(Daemon d) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + d.admin().port() + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true",
                "admin", "admin");
    }
}
