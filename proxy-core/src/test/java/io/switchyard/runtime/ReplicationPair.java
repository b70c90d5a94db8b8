package io.switchyard.runtime;

import io.netty.bootstrap.Bootstrap;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.BackendSettings;
import io.switchyard.backend.PoolSettings;
import io.switchyard.backend.ServerAddress;
import io.switchyard.topology.HostgroupServer;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.UserConfig;
import java.util.List;

/**
 * A {@link ConfigRuntime} over a writer hostgroup 0 with one configured server and a reader
 * hostgroup 1 with two, paired by {@code mysql_replication_hostgroups}, for tests of placement
 * and routing. Its pools never connect (no event loop is given to them).
 */
public final class ReplicationPair {
    public static final ServerAddress PRIMARY = new ServerAddress("10.0.0.1", 3306);
    public static final ServerAddress REPLICA_1 = new ServerAddress("10.0.0.2", 3306);
    public static final ServerAddress REPLICA_2 = new ServerAddress("10.0.0.3", 3306);
    public static final ReplicationHostgroup PAIR = new ReplicationHostgroup(0, 1, "read_only", "");

    private ReplicationPair() {}

    /** The runtime, with {@code variables} applied over the defaults (name, value, name, value, ...). */
    public static ConfigRuntime runtime(String... variables) {
        return runtime(true, variables);
    }

    /** The same servers in the same hostgroups, not paired: hostgroup 0 is a plain hostgroup of one server. */
    public static ConfigRuntime unpaired(String... variables) {
        return runtime(false, variables);
    }

    private static ConfigRuntime runtime(boolean paired, String... variables) {
        GlobalVariables vars = GlobalVariables.defaults();
        for (int i = 0; i < variables.length; i += 2) {
            vars = vars.with(variables[i], variables[i + 1]);
        }
        RuntimeRows rows = RuntimeRows.empty()
                .withServers(List.of(row(0, PRIMARY), row(1, REPLICA_1), row(1, REPLICA_2)))
                .withUsers(List.of(new UserConfig("app", "app-pass", null, 0, true, 100, true)))
                .withReplicationHostgroups(paired ? List.of(PAIR) : List.of())
                .withVariables(vars);
        BackendSettings backend = new BackendSettings(1_000, null, false);
        return new ConfigRuntime(rows, PoolSettings.defaults(),
                (address, settings) -> new BackendPool(address, settings, backend, new Bootstrap()));
    }

    private static ServerRow row(int hostgroup, ServerAddress address) {
        return ServerRow.of(hostgroup, address.host(), address.port());
    }

    /** The addresses placed in {@code hostgroup} now. */
    public static List<ServerAddress> placed(ConfigRuntime runtime, int hostgroup) {
        return runtime.current().topology().servers(hostgroup).stream().map(HostgroupServer::address).toList();
    }
}
