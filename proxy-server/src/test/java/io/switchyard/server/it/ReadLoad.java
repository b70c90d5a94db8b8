package io.switchyard.server.it;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Client threads reading {@code SELECT @@server_id} through the proxy in a loop until
 * {@link #close()}, each on its own Connector/J connection, with a socket timeout so no read can
 * hang. Each thread opens a new connection every few reads (and after an error), so logins run
 * through the failures too. Counts reads per server and errors.
 */
final class ReadLoad implements AutoCloseable {
    private static final int READS_PER_CONNECTION = 10;
    private final ExecutorService threads;
    private final Map<Integer, LongAdder> readsByServer = new ConcurrentHashMap<>();
    private final LongAdder errors = new LongAdder();
    private volatile boolean stop;

    ReadLoad(ProxyFixture fixture, int clients) {
        threads = Executors.newFixedThreadPool(clients);
        for (int i = 0; i < clients; i++) {
            threads.execute(() -> readUntilStopped(fixture));
        }
    }

    private void readUntilStopped(ProxyFixture fixture) {
        while (!stop) {
            try (Connection c = fixture.mysql("socketTimeout=5000&connectTimeout=2000"); Statement s = c.createStatement()) {
                for (int i = 0; i < READS_PER_CONNECTION && !stop; i++) {
                    try (ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                        rs.next();
                        readsByServer.computeIfAbsent(rs.getInt(1), k -> new LongAdder()).increment();
                    }
                }
            } catch (SQLException e) {
                errors.increment();
            }
        }
    }

    /** Reads served by the server with this {@code server_id} so far. */
    long readsFrom(int serverId) {
        LongAdder n = readsByServer.get(serverId);
        return n == null ? 0 : n.sum();
    }

    /** Reads that failed so far (each reopens its connection). */
    long errors() {
        return errors.sum();
    }

    /** Stops the readers and waits for them. */
    @Override
    public void close() {
        stop = true;
        threads.shutdown();
        try {
            if (!threads.awaitTermination(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
                threads.shutdownNow();
                throw new AssertionError("read load did not stop within 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            threads.shutdownNow();
        }
    }
}
