package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.BackendPool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The point of multiplexing: 2,000 concurrent client connections running short statements in a
 * loop are served by at most 50 backend connections, logged in once each (a connection returned
 * on one event loop serves a statement waiting on another), and no client sees an error.
 */
class MultiplexingRatioTest {
    private static final int CLIENTS = 2_000;
    private static final int BACKEND_LIMIT = 50;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, cluster -> """
            servers = [ { hostgroup = 0, host = "127.0.0.1", port = %d, max-connections = %d } ]
            backend.pool.acquire-timeout = 30s
            # 2,000 clients and the servers share 2 cores: logins to the server can be slow.
            backend.connect-timeout = 15s
            """.formatted(cluster.primary().port(), BACKEND_LIMIT));

    @Test
    void twoThousandClientsShareFiftyBackendConnections() throws Exception {
        fixture.cluster().primary().execute("CREATE TABLE app.ratio (id INT PRIMARY KEY, v INT)",
                "INSERT INTO app.ratio VALUES (1, 10), (2, 20), (3, 30)");
        BackendPool pool = fixture.proxy().topology().allPools().get(0);
        long loginsBefore = pool.connectOk();
        AtomicInteger peak = new AtomicInteger();
        LongAdder statements = new LongAdder();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch connected = new CountDownLatch(CLIENTS);
        CountDownLatch go = new CountDownLatch(1);
        long runNanos = Duration.ofSeconds(5).toNanos();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
             ExecutorService sampler = Executors.newSingleThreadExecutor()) {
            Future<?> sampling = sampler.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(pool.total(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                running.add(clients.submit(() -> {
                    try (Connection c = fixture.mysql("connectTimeout=60000&socketTimeout=60000");
                         Statement s = c.createStatement()) {
                        connected.countDown();
                        go.await();
                        long end = System.nanoTime() + runNanos;
                        int n = 0;
                        while (System.nanoTime() < end && n < 10_000) {
                            try (ResultSet rs = s.executeQuery("SELECT v FROM ratio WHERE id = " + (1 + (id + n) % 3))) {
                                rs.next();
                                if (rs.getInt(1) != 10 * (1 + (id + n) % 3)) {
                                    throw new AssertionError("wrong row for client " + id);
                                }
                            }
                            statements.increment();
                            n++;
                            Thread.sleep(1 + (id % 5));
                        }
                    } catch (Throwable t) {
                        errors.add(t);
                        connected.countDown();
                    }
                    return null;
                }));
            }
            assertThat(connected.await(120, TimeUnit.SECONDS)).as("all clients connected").isTrue();
            assertThat(fixture.proxy().sessions().size()).isEqualTo(CLIENTS - errors.size());
            go.countDown();
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
            sampling.cancel(true);
        }
        assertThat(errors).as("client errors").isEmpty();
        assertThat(statements.sum()).as("statements run").isGreaterThan(CLIENTS);
        assertThat(peak.get()).as("backend connections at the busiest moment").isLessThanOrEqualTo(BACKEND_LIMIT);
        assertThat(pool.connectOk() - loginsBefore).as("backend logins: none closed to make room for another")
                .isLessThanOrEqualTo(BACKEND_LIMIT);
        long serverPeak = Long.parseLong(fixture.cluster().primary()
                .query("SHOW GLOBAL STATUS LIKE 'Max_used_connections'").get(0).get("Value").toString());
        // Besides the proxy's data path: the health monitor (a small pool and its connect checks)
        // and the test's own queries to the server.
        assertThat(serverPeak).as("connections the server saw at once").isLessThanOrEqualTo(BACKEND_LIMIT + 10);
    }
}
