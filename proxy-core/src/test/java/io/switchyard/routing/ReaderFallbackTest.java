package io.switchyard.routing;

import static io.switchyard.runtime.ReplicationPair.PRIMARY;
import static io.switchyard.runtime.ReplicationPair.REPLICA_1;
import static io.switchyard.runtime.ReplicationPair.REPLICA_2;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerState;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.runtime.ReplicationPair;
import org.junit.jupiter.api.Test;

/** Reads fall back to the writer hostgroup when no reader is usable. */
class ReaderFallbackTest {
    private static void shunReplicas(ConfigRuntime runtime) {
        runtime.pool(REPLICA_1).health().shun(ServerState.SHUNNED);
        runtime.pool(REPLICA_2).health().shun(ServerState.SHUNNED_REPLICATION_LAG);
    }

    @Test
    void readsGoToAUsableReader() {
        ConfigRuntime runtime = ReplicationPair.runtime();
        runtime.pool(REPLICA_1).health().shun(ServerState.SHUNNED);
        Router router = new Router(runtime::current);

        for (int i = 0; i < 20; i++) {
            assertThat(router.pick(1).address()).isEqualTo(REPLICA_2);
        }
    }

    @Test
    void withNoUsableReaderReadsGoToTheWriter() {
        ConfigRuntime runtime = ReplicationPair.runtime();
        shunReplicas(runtime);
        Router router = new Router(runtime::current);

        assertThat(router.pick(1).address()).isEqualTo(PRIMARY);
    }

    @Test
    void theFallbackCanBeSwitchedOff() {
        ConfigRuntime runtime = ReplicationPair.runtime("mysql-readers_fallback_to_writer", "false");
        shunReplicas(runtime);
        Router router = new Router(runtime::current);

        assertThat(router.pick(1)).isNull();
    }

    @Test
    void theWriterHostgroupDoesNotFallBackToReaders() {
        ConfigRuntime runtime = ReplicationPair.runtime();
        runtime.pool(PRIMARY).health().shun(ServerState.SHUNNED);
        Router router = new Router(runtime::current);

        assertThat(router.pick(0)).isNull();
    }
}
