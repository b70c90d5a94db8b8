package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.BackendPool;
import io.switchyard.server.IdleClientsLoad;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many idle clients, with the default configuration: each logs in, none holds a backend
 * connection while it is idle, and each then gets its statement answered. Driven by the load
 * generator of {@code scripts/bench --scenario idle-clients}, at a size a test can afford.
 */
class IdleClientsTest {
    private static final int CLIENTS = 2_000;

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    @Test
    void idleClientsHoldNoBackendConnectionAndEachGetsItsStatementAnswered() throws Exception {
        BackendPool pool = fixture.proxy().topology().allPools().get(0);
        try (IdleClientsLoad load = new IdleClientsLoad(fixture.host(), fixture.port(), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, 128)) {
            IdleClientsLoad.Phase logins = load.connect(CLIENTS, 1);

            assertThat(logins.failed()).as("failed logins (first error: %s)", logins.firstError()).isZero();
            assertThat(fixture.proxy().sessions().size()).isEqualTo(CLIENTS);
            // A session gives its login's connection back right after its OK went out: the last one may lag by that moment.
            Await.until(Duration.ofSeconds(5), () -> "backend connections held by idle sessions: " + pool.inUse(),
                    () -> pool.inUse() == 0);
            assertThat(pool.total()).as("backend connections open").isLessThan(CLIENTS / 3);

            IdleClientsLoad.Phase statements = load.queryEach();

            assertThat(statements.failed()).as("unanswered statements (first error: %s)", statements.firstError()).isZero();
            assertThat(statements.succeeded()).isEqualTo(CLIENTS);
        }
    }
}
