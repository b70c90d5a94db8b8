package io.switchyard.server.console;

import com.sun.net.httpserver.HttpExchange;
import io.switchyard.admin.FleetLink;
import io.switchyard.frontend.SessionRegistry;
import io.switchyard.monitor.Monitor;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.server.config.SwitchyardConfig;
import io.switchyard.stats.ProxyStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live web console on the metrics port: the page at {@code /} (one HTML file from the jar,
 * with its script and styles inside: no CDN, works offline) and the document it polls every two
 * seconds at {@value #API_PATH} ({@link ConsoleDocument}). Read-only.
 *
 * <p>Who may read it: anyone who reaches the port while it listens on loopback. Bound to any
 * other address, the console asks for the admin user's credentials (HTTP basic authentication),
 * and refuses everyone (403) while the admin password is the default one, as the admin port does
 * off loopback. {@code /metrics} stays open either way: Prometheus scrapes it without credentials.
 *
 * <p>Thread-safe: requests are served on the metrics endpoint's thread, the history is sampled on
 * a daemon thread of the console's own, stopped by {@link #close()}.
 */
public final class Console implements AutoCloseable {
    static final String PAGE_PATH = "/";
    static final String API_PATH = "/api/console";
    private static final String PAGE_RESOURCE = "console.html";

    /**
     * Who may read the console.
     *
     * @param open no credentials asked (listening on loopback)
     * @param refused nobody may read it (off loopback with the default admin password)
     */
    record Access(boolean open, boolean refused, String username, String password) {
        static Access of(String bind, SwitchyardConfig.Admin admin) {
            boolean loopback = SwitchyardConfig.isLoopback(bind);
            return new Access(loopback, !loopback && admin.defaultPassword(), admin.username(), admin.password());
        }

        boolean admits(String authorization) {
            if (open) {
                return true;
            }
            if (refused || authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                return false;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(authorization.substring(6).trim());
            } catch (IllegalArgumentException e) {
                return false;
            }
            byte[] expected = (username + ":" + password).getBytes(StandardCharsets.UTF_8);
            return MessageDigest.isEqual(given, expected);
        }
    }

    private final Access access;
    private final ConsoleDocument document;
    private final byte[] page;
    private final ScheduledExecutorService timer;
    private volatile FleetLink fleet;

    private Console(Access access, ConsoleDocument document, byte[] page, ScheduledExecutorService timer) {
        this.access = access;
        this.document = document;
        this.page = page;
        this.timer = timer;
    }

    /**
     * The console of a proxy whose metrics endpoint listens on {@code bind}; starts sampling now.
     *
     * @param monitor the health monitor, or null (no monitor errors or status changes shown)
     */
    public static Console start(String bind, SwitchyardConfig.Admin admin, ProxyStats stats, ConfigRuntime runtime,
                                SessionRegistry sessions, Monitor monitor) {
        byte[] page;
        try (InputStream in = Console.class.getResourceAsStream(PAGE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the console page " + PAGE_RESOURCE + " is missing from the jar");
            }
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console page", e);
        }
        ConsoleHistory history = new ConsoleHistory(stats, sessions);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchyard-console");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(history::sample, 0, ConsoleHistory.INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return new Console(Access.of(bind, admin), new ConsoleDocument(stats, runtime, sessions, monitor, history), page,
                timer);
    }

    /** Shows the fleet's nodes from now on. */
    public void bindFleet(FleetLink link) {
        this.fleet = link;
    }

    /** True for the paths the console answers. */
    public static boolean serves(String path) {
        return path.equals(PAGE_PATH) || path.equals(API_PATH);
    }

    /** Answers a request for one of the {@linkplain #serves console's paths} (GET or HEAD; the caller checked the method). */
    public void handle(HttpExchange exchange) throws IOException {
        if (access.refused()) {
            send(exchange, 403, "text/plain; charset=utf-8", ("the console listens off loopback while admin.password is the default '"
                    + SwitchyardConfig.Admin.DEFAULT_PASSWORD + "'; set admin.password (or SWITCHYARD_ADMIN_PASSWORD), or bind "
                    + "metrics to 127.0.0.1\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!access.admits(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Switchyard console\", charset=\"UTF-8\"");
            send(exchange, 401, "text/plain; charset=utf-8",
                    "the console asks for the admin user's name and password\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestURI().getPath().equals(API_PATH)) {
            send(exchange, 200, "application/json", document.json(fleet).getBytes(StandardCharsets.UTF_8));
        } else {
            exchange.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:");
            send(exchange, 200, "text/html; charset=utf-8", page);
        }
    }

    /** Sends a whole response; no body for HEAD. */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops sampling. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
