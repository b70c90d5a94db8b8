package io.switchyard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The circuit breaker of one server, on a hand-driven clock. */
class ServerHealthTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<ServerHealth.Transition> transitions = new ArrayList<>();
    private final ServerHealth health = new ServerHealth("db1:3306", now::get);

    @BeforeEach
    void policy() {
        health.policy(new ServerHealth.BreakerPolicy(3, 2, 5_000));
        health.onTransition(transitions::add);
    }

    private void advanceMillis(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void connectFailuresWithinOneSecondShunTheServer() {
        health.connectFailed();
        advanceMillis(300);
        health.connectFailed();
        assertThat(health.status()).isEqualTo(ServerState.ONLINE);
        advanceMillis(300);
        health.connectFailed();

        assertThat(health.status()).isEqualTo(ServerState.SHUNNED);
        assertThat(transitions).singleElement().satisfies(t -> {
            assertThat(t.from()).isEqualTo(ServerState.ONLINE);
            assertThat(t.to()).isEqualTo(ServerState.SHUNNED);
            assertThat(t.server()).isEqualTo("db1:3306");
        });
    }

    @Test
    void connectFailuresSpreadOverMoreThanOneSecondDoNotShun() {
        for (int i = 0; i < 10; i++) {
            health.connectFailed();
            advanceMillis(600);
        }
        assertThat(health.status()).isEqualTo(ServerState.ONLINE);
        assertThat(transitions).isEmpty();
    }

    @Test
    void missedPingsInARowShunTheServer() {
        health.pingFailed();
        assertThat(health.status()).isEqualTo(ServerState.ONLINE);
        health.pingFailed();
        assertThat(health.status()).isEqualTo(ServerState.SHUNNED);
        assertThat(health.reachable()).isFalse();
    }

    @Test
    void aSuccessfulPingResetsTheCountOfMissedOnes() {
        health.pingFailed();
        health.pingSucceeded(120);
        health.pingFailed();

        assertThat(health.status()).isEqualTo(ServerState.ONLINE);
        assertThat(health.pingLatencyMicros()).isEqualTo(120);
        assertThat(health.pingFailuresInRow()).isEqualTo(1);
    }

    @Test
    void aShunnedServerComesBackOnlyAfterItsRestAndASuccessfulProbe() {
        health.pingFailed();
        health.pingFailed();
        advanceMillis(4_999);
        health.pingSucceeded(100);
        assertThat(health.status()).as("still resting").isEqualTo(ServerState.SHUNNED);

        advanceMillis(1);
        health.pingSucceeded(100);

        assertThat(health.status()).isEqualTo(ServerState.ONLINE);
        assertThat(transitions).extracting(ServerHealth.Transition::to).containsExactly(ServerState.SHUNNED, ServerState.ONLINE);
    }

    @Test
    void aFailedProbeWhileShunnedRestartsTheRest() {
        health.pingFailed();
        health.pingFailed();
        advanceMillis(4_000);
        health.pingFailed();
        advanceMillis(4_000);
        health.pingSucceeded(100);
        assertThat(health.status()).isEqualTo(ServerState.SHUNNED);

        advanceMillis(1_000);
        health.connectCheckSucceeded();
        assertThat(health.status()).isEqualTo(ServerState.ONLINE);
        assertThat(transitions).hasSize(2);
    }

    @Test
    void aHalfOpenServerThatFailsAgainIsShunnedForAnotherRest() {
        health.pingFailed();
        health.pingFailed();
        advanceMillis(6_000);
        health.connectCheckFailed();
        health.pingSucceeded(100);
        assertThat(health.status()).isEqualTo(ServerState.SHUNNED);
    }

    @Test
    void dataPathFailuresWhileShunnedDoNotExtendTheRest() {
        health.pingFailed();
        health.pingFailed();
        advanceMillis(5_000);
        for (int i = 0; i < 10; i++) {
            health.connectFailed();
        }
        health.pingSucceeded(100);
        assertThat(health.status()).isEqualTo(ServerState.ONLINE);
    }

    @Test
    void replicationLagShunsOnlyAnOnlineServerAndClearsOnlyItsOwnShun() {
        health.lagging("10 s behind");
        assertThat(health.status()).isEqualTo(ServerState.SHUNNED_REPLICATION_LAG);
        health.caughtUp("0 s behind");
        assertThat(health.status()).isEqualTo(ServerState.ONLINE);

        health.pingFailed();
        health.pingFailed();
        health.lagging("10 s behind");
        health.caughtUp("0 s behind");
        assertThat(health.status()).as("the breaker, not the lag check, decides").isEqualTo(ServerState.SHUNNED);
    }

    @Test
    void missedPingsShunALaggingServerForGood() {
        health.lagging("10 s behind");
        health.pingFailed();
        health.pingFailed();
        assertThat(health.status()).isEqualTo(ServerState.SHUNNED);
        assertThat(health.shunnedAtNanos()).isEqualTo(now.get());
    }

    @Test
    void aStricterPolicyAppliesFromTheNextFailure() {
        health.policy(new ServerHealth.BreakerPolicy(1, 1, 0));
        health.connectFailed();
        assertThat(health.status()).isEqualTo(ServerState.SHUNNED);
        health.pingSucceeded(10);
        assertThat(health.status()).as("no rest with a recovery time of 0").isEqualTo(ServerState.ONLINE);
    }

    @Test
    void withTheMonitorDisabledAShunnedServerIsRetriedAfterItsRest() {
        health.connectFailed();
        health.connectFailed();
        health.connectFailed();
        health.retryAfterRest();
        assertThat(health.status()).isEqualTo(ServerState.SHUNNED);
        advanceMillis(5_000);
        health.retryAfterRest();
        assertThat(health.status()).isEqualTo(ServerState.ONLINE);
    }

    @Test
    void theShunnedTimeCountsFromTheFirstFailureNotTheLast() {
        health.pingFailed();
        health.pingFailed();
        advanceMillis(3_000);
        health.pingFailed();
        assertThat(health.shunnedForMillis()).isEqualTo(3_000);
    }
}
