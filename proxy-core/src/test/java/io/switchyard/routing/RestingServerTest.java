package io.switchyard.routing;

import static io.switchyard.runtime.ReplicationPair.PRIMARY;
import static io.switchyard.runtime.ReplicationPair.REPLICA_1;
import static io.switchyard.runtime.ReplicationPair.REPLICA_2;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerHealth;
import io.switchyard.backend.ServerState;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.runtime.ReplicationPair;
import org.junit.jupiter.api.Test;

/**
 * A shunned server that answers the monitor again, but has not rested long enough to be ONLINE,
 * is used only when its hostgroup (and, for readers, the writers they fall back to) has nothing
 * else.
 */
class RestingServerTest {
    /** Shunned by two missed pings (the default limit), still within its 10 s rest. */
    private static ServerHealth shunnedByPings(ConfigRuntime runtime, ServerAddress server) {
        ServerHealth health = runtime.pool(server).health();
        health.pingFailed();
        health.pingFailed();
        assertThat(health.status()).isEqualTo(ServerState.SHUNNED);
        return health;
    }

    @Test
    void aServerThatAnswersAgainIsUsedBeforeItsRestIsOverWhenItIsTheOnlyOne() {
        ConfigRuntime runtime = ReplicationPair.unpaired();
        ServerHealth server = shunnedByPings(runtime, PRIMARY);
        Router router = new Router(runtime::current);
        assertThat(router.pick(0)).as("down: no server").isNull();

        server.pingSucceeded(100);

        assertThat(server.status()).as("still resting").isEqualTo(ServerState.SHUNNED);
        assertThat(router.pick(0).address()).isEqualTo(PRIMARY);
    }

    @Test
    void theWriterHostgroupOfAPairWaitsForAConfirmedWriterInstead() {
        ConfigRuntime runtime = ReplicationPair.runtime();
        shunnedByPings(runtime, PRIMARY).pingSucceeded(100);

        assertThat(new Router(runtime::current).pick(0)).isNull();
    }

    @Test
    void aFailureAfterTheAnswerTakesTheServerOutAgain() {
        ConfigRuntime runtime = ReplicationPair.unpaired();
        ServerHealth writer = shunnedByPings(runtime, PRIMARY);
        Router router = new Router(runtime::current);

        writer.pingSucceeded(100);
        writer.connectFailed();
        assertThat(router.pick(0)).as("after a failed data-path connect").isNull();

        writer.pingSucceeded(100);
        writer.pingFailed();
        assertThat(router.pick(0)).as("after a missed ping").isNull();
    }

    @Test
    void aServerShunnedWithoutAProbeSinceIsNotUsed() {
        ConfigRuntime runtime = ReplicationPair.unpaired();
        ServerHealth writer = runtime.pool(PRIMARY).health();
        for (int i = 0; i < 5; i++) {
            writer.connectFailed();
        }
        assertThat(writer.status()).isEqualTo(ServerState.SHUNNED);

        assertThat(new Router(runtime::current).pick(0)).isNull();
    }

    @Test
    void readersFallBackToAUsableWriterBeforeAnsweringReplicasAreUsed() {
        ConfigRuntime runtime = ReplicationPair.runtime();
        shunnedByPings(runtime, REPLICA_1).pingSucceeded(100);
        shunnedByPings(runtime, REPLICA_2).pingSucceeded(100);
        Router router = new Router(runtime::current);

        for (int i = 0; i < 20; i++) {
            assertThat(router.pick(1).address()).isEqualTo(PRIMARY);
        }
    }

    @Test
    void withoutTheFallbackAnAnsweringReplicaServesReads() {
        ConfigRuntime runtime = ReplicationPair.runtime("mysql-readers_fallback_to_writer", "false");
        shunnedByPings(runtime, REPLICA_1).pingSucceeded(100);
        shunnedByPings(runtime, REPLICA_2);
        Router router = new Router(runtime::current);

        for (int i = 0; i < 20; i++) {
            assertThat(router.pick(1).address()).isEqualTo(REPLICA_1);
        }
    }

    @Test
    void anOnlineServerIsAlwaysPreferredToARestingOne() {
        ConfigRuntime runtime = ReplicationPair.runtime();
        shunnedByPings(runtime, REPLICA_1).pingSucceeded(100);
        Router router = new Router(runtime::current);

        for (int i = 0; i < 20; i++) {
            assertThat(router.pick(1).address()).isEqualTo(REPLICA_2);
            assertThat(router.pick(1, runtime.pool(REPLICA_2)).address())
                    .as("avoiding the online one, which is still the only one online").isEqualTo(REPLICA_2);
        }
    }
}
