package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.BackendPool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server capped at a few connections and many more clients than that, spread over several
 * event loops: a connection given back on one loop serves a statement waiting on another, so the
 * pool never logs in again once it holds its cap (no connection churn), and no client waits in
 * vain.
 */
class PoolUnderCapTest {
    private static final int CAP = 4;
    private static final int CLIENTS = 32;
    private static final int STATEMENTS = 300;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.withAdmin(0, cluster -> """
                event-loop-threads = 4
                backend.pool { max-connections = %d }
                """.formatted(CAP));

    private static BackendPool pool() {
        return fixture.proxy().topology().allPools().get(0);
    }

    @Test
    void manyClientsOnSeveralLoopsShareTheCappedConnectionsWithoutNewLogins() throws Exception {
        long loginsBefore = pool().connectOk();
        LongAdder done = new LongAdder();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                running.add(clients.submit(() -> {
                    try (Connection c = fixture.mysql("");
                         PreparedStatement s = c.prepareStatement("SELECT ? + 1")) {
                        for (int n = 0; n < STATEMENTS && System.nanoTime() < stopAt; n++) {
                            s.setInt(1, client * 1000 + n);
                            try (ResultSet rs = s.executeQuery()) {
                                rs.next();
                                assertThat(rs.getInt(1)).isEqualTo(client * 1000 + n + 1);
                            }
                            done.increment();
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(90, TimeUnit.SECONDS);
            }
        }
        assertThat(errors).as("client errors").isEmpty();
        assertThat(done.sum()).isEqualTo((long) CLIENTS * STATEMENTS);
        assertThat(pool().connectOk() - loginsBefore).as("backend logins for %d statements of %d clients under a cap of %d",
                done.sum(), CLIENTS, CAP).isLessThanOrEqualTo(CAP);
        assertThat(pool().movedAcrossLoops()).as("connections handed from one event loop to another").isPositive();
        assertThat(pool().waitsServed()).as("statements that waited at the cap and were served").isPositive();
        try (Connection admin = fixture.admin(); java.sql.Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT ConnQueue, ConnMoved, Wait_us FROM stats_mysql_connection_pool")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong("ConnQueue")).as("nobody waits once the load is over").isZero();
            assertThat(rs.getLong("ConnMoved")).isEqualTo(pool().movedAcrossLoops());
            assertThat(rs.getLong("Wait_us")).isPositive();
        }
    }
}
