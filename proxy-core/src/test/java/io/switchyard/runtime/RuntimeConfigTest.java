package io.switchyard.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.routing.QueryRule;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.UserConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {
    private static RuntimeRows rows(List<QueryRule> rules) {
        return new RuntimeRows(List.of(ServerRow.of(0, "127.0.0.1", 3306)),
                List.of(new UserConfig("app", "p", null, 0, true, 10, true)), rules,
                List.of(new ReplicationHostgroup(0, 1, "read_only", "")), GlobalVariables.defaults());
    }

    @Test
    void aValidConfigurationPasses() {
        assertThatCode(() -> RuntimeConfig.check(rows(List.of(QueryRule.builder(1).matchPattern("^SELECT").destinationHostgroup(1).build()))))
                .doesNotThrowAnyException();
    }

    @Test
    void columnsTheProxyDoesNotApplyAreRefusedNamingTheRule() {
        assertThatThrownBy(() -> RuntimeConfig.check(rows(List.of(QueryRule.builder(7).mirrorFlagOut(2).build()))))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("rule_id=7").hasMessageContaining("mirror_flagOUT");
        assertThatThrownBy(() -> RuntimeConfig.check(rows(List.of(QueryRule.builder(8).cacheTtl(1000).build()))))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("cache_ttl");
    }

    @Test
    void hostgroupsThatNothingProvidesAreAcceptedAndReportedNamingTheRow() {
        RuntimeRows rows = rows(List.of(QueryRule.builder(3).matchPattern("^UPDATE").destinationHostgroup(5).build(),
                QueryRule.builder(9).matchPattern("^SELECT").mirrorHostgroup(6).build()))
                .withServers(List.of(ServerRow.of(4, "127.0.0.1", 3306)))
                .withReplicationHostgroups(List.of());

        assertThat(RuntimeConfig.check(rows)).extracting(DanglingReference::message).containsExactly(
                "mysql_users row (username='app'): default_hostgroup 0 has no servers and is in no replication hostgroup",
                "mysql_query_rules row (rule_id=3): destination_hostgroup 5 has no servers and is in no replication hostgroup",
                "mysql_query_rules row (rule_id=9): mirror_hostgroup 6 has no servers and is in no replication hostgroup");
        assertThat(RuntimeConfig.check(rows(List.of()))).isEmpty();
    }

    @Test
    void duplicatesAndOverlappingPairsAreRefused() {
        RuntimeRows duplicate = rows(List.of()).withServers(List.of(ServerRow.of(0, "h", 1), ServerRow.of(0, "h", 1)));
        assertThatThrownBy(() -> RuntimeConfig.check(duplicate)).hasMessageContaining("duplicate server");
        RuntimeRows overlapping = rows(List.of()).withReplicationHostgroups(List.of(
                new ReplicationHostgroup(0, 1, null, ""), new ReplicationHostgroup(2, 1, null, "")));
        assertThatThrownBy(() -> RuntimeConfig.check(overlapping)).hasMessageContaining("hostgroup 1 is already in the pair");
    }
}
