package io.switchyard.server;

import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.config.SwitchyardConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code switchyard} command line: {@code run} (the default) starts the daemon from a config
 * file and a data directory; {@code demo} starts local MariaDB servers and the proxy in front of
 * them.
 */
@Command(name = "switchyard", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A MySQL-protocol proxy that keeps applications working when database servers fail.",
        subcommands = {DemoCommand.class})
public final class Main implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration file (defaults only when absent).")
    Path config;

    @Option(names = "--validate", description = "Check the configuration and exit (0 when valid).")
    boolean validate;

    @Option(names = "--datadir", paramLabel = "DIR", defaultValue = "./data",
            description = "Directory of the disk configuration layer (" + io.switchyard.admin.AdminSettings.DISK_FILE
                    + "), created when missing (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--initial", description = "Rebuild the disk layer from the configuration file instead of starting from it.")
    boolean initial;

    @Command(name = "run", description = "Run the proxy (the default).", mixinStandardHelpOptions = true)
    int run(@Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration file.") Path file,
            @Option(names = "--validate", description = "Check the configuration and exit.") boolean check,
            @Option(names = "--datadir", paramLabel = "DIR", description = "Directory of the disk configuration layer.") Path dir,
            @Option(names = "--initial", description = "Rebuild the disk layer from the configuration file.") boolean rebuild)
            throws Exception {
        return runDaemon(file != null ? file : config, check || validate, dir != null ? dir : dataDir, rebuild || initial);
    }

    @Override
    public Integer call() throws Exception {
        return runDaemon(config, validate, dataDir, initial);
    }

    private static int runDaemon(Path file, boolean validateOnly, Path dataDir, boolean initial) throws InterruptedException {
        SwitchyardConfig cfg;
        try {
            cfg = ConfigLoader.load(file, System.getenv());
        } catch (ConfigLoader.ConfigError e) {
            System.err.println("switchyard: configuration error: " + e.getMessage());
            return 2;
        }
        if (validateOnly) {
            System.out.println("configuration OK: " + cfg.servers().size() + " servers, " + cfg.users().size() + " users");
            return 0;
        }
        Daemon daemon;
        try {
            daemon = Daemon.start(cfg, dataDir, initial, () -> ConfigLoader.load(file, System.getenv()).rows());
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println("switchyard: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.shutdown(10_000);
            stopped.countDown();
        }, "switchyard-shutdown"));
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Reports the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"switchyard " + (v == null ? "development build" : v)};
        }
    }
}
