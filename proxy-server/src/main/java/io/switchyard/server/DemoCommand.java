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

    @Override
    public Integer call() throws Exception {
        if (failover) {
            return runFailoverDemo();
        }
        System.out.println("starting MariaDB primary and " + replicas + " replica(s) ...");
        MariaDbCluster cluster = MariaDbCluster.builder().replicas(replicas).start();
        MariaDbServer primary = cluster.primary();
        Switchyard proxy;
        try {
            proxy = Switchyard.start(ConfigLoader.fromString(demoConfig(primary)));
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping ...");
            proxy.shutdown(2_000);
            cluster.close();
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
        System.out.println("  proxy:    127.0.0.1:" + proxy.port());
        System.out.println();
        System.out.println("Connect with the mariadb client:");
        System.out.println("  mariadb -h 127.0.0.1 -P " + proxy.port() + " -u " + user + " -p" + password + " " + db);
        System.out.println("or with JDBC:");
        System.out.println("  jdbc:mysql://127.0.0.1:" + proxy.port() + "/" + db + "?user=" + user + "&password=" + password
                + "&sslMode=DISABLED");
        System.out.println();
        System.out.println("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }

    private static int runFailoverDemo() throws Exception {
        FailoverDemo demo = new FailoverDemo(FailoverDemo.Schedule.DEFAULT, System.out);
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

    private String demoConfig(MariaDbServer primary) {
        return """
                switchyard {
                  frontend { bind = "127.0.0.1", port = %d }
                  servers = [ { hostgroup = 0, host = "127.0.0.1", port = %d, comment = "primary" } ]
                  users = [ { username = "%s", password = "%s", default-hostgroup = 0 } ]
                }
                """.formatted(port, primary.port(), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
    }
}
