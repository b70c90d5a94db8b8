package io.switchyard.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchyard.server.console.Console;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listener Prometheus scrapes: {@code GET /metrics} answers with {@link SwitchyardMetrics#scrape()},
 * and the {@link Console}'s paths ({@code /} and {@code /api/console}) with the live web console;
 * any other path is 404 and any other method 405. Served by the JDK's HTTP server on one daemon
 * thread of its own, never on the event loops. Owns the {@link SwitchyardMetrics} and the
 * {@link Console} it serves and closes them. Thread-safe.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;
    private final SwitchyardMetrics metrics;
    private final Console console;

    private MetricsEndpoint(HttpServer server, ExecutorService executor, SwitchyardMetrics metrics, Console console) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
        this.console = console;
    }

    /**
     * Listens on {@code bind:port} (port 0: a free one).
     *
     * @throws UncheckedIOException when the address cannot be bound, with the settings to change in the
     *         message; {@code metrics} and {@code console} are closed then
     */
    public static MetricsEndpoint start(String bind, int port, SwitchyardMetrics metrics, Console console) {
        InetSocketAddress address = new InetSocketAddress(bind, port);
        if (address.isUnresolved()) {
            metrics.close();
            console.close();
            throw new UncheckedIOException(new IOException("metrics endpoint: switchyard.metrics.bind = " + bind
                    + " is not a known host name or address"));
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            metrics.close();
            console.close();
            throw new UncheckedIOException("metrics endpoint: cannot listen on " + bind + ":" + port + " (" + e.getMessage()
                    + "); change switchyard.metrics.bind / switchyard.metrics.port (SWITCHYARD_METRICS_PORT), or set "
                    + "switchyard.metrics.enabled = false", e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "switchyard-metrics");
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", exchange -> handle(exchange, metrics, console));
        server.setExecutor(executor);
        server.start();
        return new MetricsEndpoint(server, executor, metrics, console);
    }

    private static void handle(HttpExchange exchange, SwitchyardMetrics metrics, Console console) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean forConsole = Console.serves(path);
            if (!PATH.equals(path) && !forConsole) {
                send(exchange, 404, "not found: metrics are at " + PATH + ", the console at /\n", "text/plain; charset=utf-8");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "method not allowed\n", "text/plain; charset=utf-8");
                return;
            }
            if (forConsole) {
                try {
                    console.handle(exchange);
                } catch (RuntimeException e) {
                    log.warn("console request failed: {}", e.toString(), e);
                    send(exchange, 500, "console failed: " + e + "\n", "text/plain; charset=utf-8");
                }
                return;
            }
            String body;
            try {
                body = metrics.scrape();
            } catch (RuntimeException e) {
                log.warn("metrics scrape failed: {}", e.toString(), e);
                send(exchange, 500, "scrape failed: " + e + "\n", "text/plain; charset=utf-8");
                return;
            }
            send(exchange, 200, body, SwitchyardMetrics.CONTENT_TYPE);
        }
    }

    private static void send(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        Console.send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The meters served. */
    public SwitchyardMetrics metrics() {
        return metrics;
    }

    /** Shows fleet mode in the meters and on the console from now on. */
    public void bindFleet(io.switchyard.admin.FleetLink fleet) {
        metrics.bindFleet(fleet);
        console.bindFleet(fleet);
    }

    /** Stops listening (a scrape in progress is cut off) and closes the meters. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        metrics.close();
        console.close();
    }
}
