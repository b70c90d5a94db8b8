package io.switchyard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ServerHealth;
import org.junit.jupiter.api.Test;

class GlobalVariablesTest {
    /** A server's health starts with the breaker policy that the variables' defaults give. */
    @Test
    void theDefaultsGiveTheDefaultBreakerPolicy() {
        assertThat(GlobalVariables.defaults().breakerPolicy()).isEqualTo(ServerHealth.BreakerPolicy.DEFAULT);
    }

    @Test
    void breakerPolicyFollowsTheVariables() {
        GlobalVariables v = GlobalVariables.defaults().with("mysql-shun_on_failures", "7")
                .with("mysql-monitor_ping_max_failures", "4").with("mysql-shun_recovery_time_sec", "3");
        assertThat(v.breakerPolicy()).isEqualTo(new ServerHealth.BreakerPolicy(7, 4, 3_000));
    }
}
