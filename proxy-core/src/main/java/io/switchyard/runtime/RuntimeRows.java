package io.switchyard.runtime;

import io.switchyard.routing.QueryRule;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.UserConfig;
import java.util.List;
import java.util.Objects;

/**
 * The configuration as rows, the way an operator writes it (config file or admin tables), before
 * it is validated and compiled into a {@link RuntimeConfig}. Immutable.
 */
public record RuntimeRows(List<ServerRow> servers, List<UserConfig> users, List<QueryRule> rules,
                          List<ReplicationHostgroup> replicationHostgroups, GlobalVariables variables) {
    public RuntimeRows {
        servers = List.copyOf(servers);
        users = List.copyOf(users);
        rules = List.copyOf(rules);
        replicationHostgroups = List.copyOf(replicationHostgroups);
        Objects.requireNonNull(variables, "variables");
    }

    public static RuntimeRows empty() {
        return new RuntimeRows(List.of(), List.of(), List.of(), List.of(), GlobalVariables.defaults());
    }

    public RuntimeRows withServers(List<ServerRow> next) {
        return new RuntimeRows(next, users, rules, replicationHostgroups, variables);
    }

    public RuntimeRows withUsers(List<UserConfig> next) {
        return new RuntimeRows(servers, next, rules, replicationHostgroups, variables);
    }

    public RuntimeRows withRules(List<QueryRule> next) {
        return new RuntimeRows(servers, users, next, replicationHostgroups, variables);
    }

    public RuntimeRows withReplicationHostgroups(List<ReplicationHostgroup> next) {
        return new RuntimeRows(servers, users, rules, next, variables);
    }

    public RuntimeRows withVariables(GlobalVariables next) {
        return new RuntimeRows(servers, users, rules, replicationHostgroups, next);
    }
}
