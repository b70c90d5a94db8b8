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
 * file; {@code demo} starts local MariaDB servers and the proxy in front of them.
 */
@Command(name = "switchyard", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A MySQL-protocol proxy that keeps applications working when database servers fail.",
        subcommands = {DemoCommand.class})
public final class Main implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration file (defaults only when absent).")
    Path config;

    @Option(names = "--validate", description = "Check the configuration and exit (0 when valid).")
    boolean validate;

    @Command(name = "run", description = "Run the proxy (the default).", mixinStandardHelpOptions = true)
    int run(@Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration file.") Path file,
            @Option(names = "--validate", description = "Check the configuration and exit.") boolean check) throws Exception {
        return runDaemon(file != null ? file : config, check || validate);
    }

    @Override
    public Integer call() throws Exception {
        return runDaemon(config, validate);
    }

    private static int runDaemon(Path file, boolean validateOnly) throws InterruptedException {
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
        Switchyard proxy = Switchyard.start(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.shutdown(10_000);
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
