package io.switchyard.runtime;

import static io.switchyard.runtime.ReplicationPair.PRIMARY;
import static io.switchyard.runtime.ReplicationPair.REPLICA_1;
import static io.switchyard.runtime.ReplicationPair.REPLICA_2;
import static io.switchyard.runtime.ReplicationPair.placed;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where servers of a replication hostgroup pair are placed by their read_only and fence. */
class ReplicationPlacementTest {
    @Test
    void uncheckedServersStayWhereTheyWereConfigured() {
        ConfigRuntime runtime = ReplicationPair.runtime();
        assertThat(placed(runtime, 0)).containsExactly(PRIMARY);
        assertThat(placed(runtime, 1)).containsExactly(REPLICA_1, REPLICA_2);
    }

    @Test
    void readOnlyMovesAServerBetweenWriterAndReaders() {
        ConfigRuntime runtime = ReplicationPair.runtime("mysql-monitor_writer_is_also_reader", "false");
        runtime.pool(PRIMARY).health().readOnly(true);
        runtime.pool(REPLICA_1).health().readOnly(false);
        runtime.refresh();

        assertThat(placed(runtime, 0)).containsExactly(REPLICA_1);
        assertThat(placed(runtime, 1)).containsExactlyInAnyOrder(PRIMARY, REPLICA_2);
    }

    @Test
    void aFencedServerIsInNeitherHostgroupOfThePair() {
        ConfigRuntime runtime = ReplicationPair.runtime();
        runtime.pool(PRIMARY).health().readOnly(false);
        runtime.pool(REPLICA_1).health().readOnly(false);
        runtime.pool(REPLICA_1).health().fenced(true);
        runtime.refresh();

        assertThat(placed(runtime, 0)).containsExactly(PRIMARY);
        assertThat(placed(runtime, 1)).containsExactlyInAnyOrder(PRIMARY, REPLICA_2);
        assertThat(runtime.pool(REPLICA_1)).as("its pool stays open").isNotNull();
    }
}
