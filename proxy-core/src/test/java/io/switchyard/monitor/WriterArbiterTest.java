package io.switchyard.monitor;

import static io.switchyard.runtime.ReplicationPair.PAIR;
import static io.switchyard.runtime.ReplicationPair.PRIMARY;
import static io.switchyard.runtime.ReplicationPair.REPLICA_1;
import static io.switchyard.runtime.ReplicationPair.REPLICA_2;
import static io.switchyard.runtime.ReplicationPair.placed;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerHealth;
import io.switchyard.backend.ServerState;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.runtime.ReplicationPair;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One writer per replication hostgroup pair: incumbents keep the role, newcomers are fenced. */
class WriterArbiterTest {
    private static final long RECOVERY_MILLIS = 10_000;

    private final WriterArbiter arbiter = new WriterArbiter();
    private ConfigRuntime runtime;
    /** The writer another node published, when this node follows; null while it decides alone. */
    private WriterDecisions.Decision published;
    private final WriterDecisions decisions = new WriterDecisions() {
        @Override
        public java.util.Optional<Decision> follow(int writerHostgroup) {
            return java.util.Optional.ofNullable(published);
        }

        @Override
        public void decided(int writerHostgroup, ServerAddress writer) {
        }
    };

    @BeforeEach
    void topology() {
        runtime = ReplicationPair.runtime("mysql-monitor_writer_is_also_reader", "false");
        report(PRIMARY, false);
        report(REPLICA_1, true);
        report(REPLICA_2, true);
    }

    private boolean report(ServerAddress server, boolean readOnly) {
        boolean changed = arbiter.decide(PAIR, runtime.pool(server), readOnly, runtime.current().topology(), RECOVERY_MILLIS,
                decisions);
        if (changed) {
            runtime.refresh();
        }
        return changed;
    }

    private ServerHealth health(ServerAddress server) {
        return runtime.pool(server).health();
    }

    @Test
    void confirmedRolesChangeNothing() {
        assertThat(report(PRIMARY, false)).isFalse();
        assertThat(report(REPLICA_1, true)).isFalse();
        assertThat(placed(runtime, 0)).containsExactly(PRIMARY);
        assertThat(placed(runtime, 1)).containsExactly(REPLICA_1, REPLICA_2);
    }

    @Test
    void aSecondServerReportingWritableIsFencedAndCountedOnce() {
        assertThat(report(REPLICA_1, false)).isTrue();
        assertThat(report(REPLICA_1, false)).isFalse();

        assertThat(health(REPLICA_1).fenced()).isTrue();
        assertThat(arbiter.conflicts()).isEqualTo(1);
        assertThat(placed(runtime, 0)).containsExactly(PRIMARY);
        assertThat(placed(runtime, 1)).containsExactly(REPLICA_2);
    }

    @Test
    void aFencedServerThatTurnsReadOnlyJoinsTheReaders() {
        report(REPLICA_1, false);
        report(REPLICA_1, true);

        assertThat(health(REPLICA_1).fenced()).isFalse();
        assertThat(placed(runtime, 1)).containsExactlyInAnyOrder(REPLICA_1, REPLICA_2);
    }

    @Test
    void aFencedServerTakesOverWhenTheWriterTurnsReadOnly() {
        report(REPLICA_1, false);
        report(PRIMARY, true);
        report(REPLICA_1, false);

        assertThat(placed(runtime, 0)).containsExactly(REPLICA_1);
        assertThat(placed(runtime, 1)).containsExactlyInAnyOrder(PRIMARY, REPLICA_2);
    }

    @Test
    void aShunnedButReachableWriterKeepsTheRoleUntilItsRecoveryTimeHasPassed() {
        health(PRIMARY).shun(ServerState.SHUNNED);
        health(PRIMARY).reachable(true);

        report(REPLICA_1, false);

        assertThat(placed(runtime, 0)).containsExactly(PRIMARY);
        assertThat(health(REPLICA_1).fenced()).isTrue();
    }

    @Test
    void aPromotedServerTakesOverFromAnUnreachableShunnedWriter() {
        health(PRIMARY).shun(ServerState.SHUNNED);
        health(PRIMARY).reachable(false);

        report(REPLICA_1, false);

        assertThat(placed(runtime, 0)).containsExactly(REPLICA_1);
        assertThat(health(PRIMARY).fenced()).as("the old writer cannot come back as a second one").isTrue();
        assertThat(arbiter.conflicts()).isZero();
    }

    @Test
    void aDeposedWriterComingBackWritableIsAConflict() {
        health(PRIMARY).shun(ServerState.SHUNNED);
        health(PRIMARY).reachable(false);
        report(REPLICA_1, false);
        health(PRIMARY).recover();
        health(PRIMARY).reachable(true);

        assertThat(report(PRIMARY, false)).isTrue();

        assertThat(arbiter.conflicts()).isEqualTo(1);
        assertThat(placed(runtime, 0)).containsExactly(REPLICA_1);
        assertThat(placed(runtime, 1)).containsExactly(REPLICA_2);

        report(PRIMARY, true);
        assertThat(placed(runtime, 1)).containsExactlyInAnyOrder(PRIMARY, REPLICA_2);
    }

    @Test
    void aFencedNewcomerTakesOverOnceTheWriterIsGone() {
        report(REPLICA_1, false);
        health(PRIMARY).shun(ServerState.SHUNNED);
        health(PRIMARY).reachable(false);

        assertThat(report(REPLICA_1, false)).isTrue();

        assertThat(placed(runtime, 0)).containsExactly(REPLICA_1);
        assertThat(health(REPLICA_1).fenced()).isFalse();
    }

    @Test
    void aFollowerPlacesTheWriterTheFleetPublishedAndFencesAnyOther() {
        published = new WriterDecisions.Decision(REPLICA_1);
        assertThat(report(PRIMARY, false)).as("the old writer, still writable, is fenced").isTrue();
        assertThat(health(PRIMARY).fenced()).isTrue();
        assertThat(placed(runtime, 0)).isEmpty();

        assertThat(report(REPLICA_1, false)).isTrue();
        assertThat(placed(runtime, 0)).containsExactly(REPLICA_1);
        assertThat(arbiter.conflicts()).as("following is not a conflict").isZero();

        report(REPLICA_2, false);
        assertThat(health(REPLICA_2).fenced()).as("a third writable server").isTrue();
        assertThat(placed(runtime, 0)).containsExactly(REPLICA_1);

        published = new WriterDecisions.Decision(PRIMARY);
        report(PRIMARY, false);
        assertThat(placed(runtime, 0)).as("the fleet moved the role back").containsExactly(PRIMARY);
        assertThat(health(REPLICA_1).fenced()).isTrue();
    }
}
