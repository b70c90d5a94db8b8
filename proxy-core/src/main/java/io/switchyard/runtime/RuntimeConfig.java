package io.switchyard.runtime;

import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ServerAddress;
import io.switchyard.backend.ServerHealth;
import io.switchyard.routing.QueryRule;
import io.switchyard.routing.QueryRules;
import io.switchyard.routing.RoutingTable;
import io.switchyard.routing.RuleException;
import io.switchyard.topology.HostgroupServer;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.Topology;
import io.switchyard.topology.UserConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The configuration in force: the rows it was built from, and what the data path reads from it
 * (servers by hostgroup with their pools, users by name, compiled query rules, variables).
 * Immutable; published as a whole by {@link ConfigRuntime}, so a statement sees one consistent
 * configuration from start to end.
 *
 * @param rows what the operator configured
 * @param topology servers by hostgroup, after replication-hostgroup placement
 * @param users users by name
 * @param rules compiled query rules
 * @param danglingReferences hostgroups that users and rules name but nothing provides (accepted;
 *                           statements routed there wait as for a hostgroup with every server down)
 */
public record RuntimeConfig(RuntimeRows rows, Topology topology, Map<String, UserConfig> users, QueryRules rules,
                            List<DanglingReference> danglingReferences) implements RoutingTable {
    public RuntimeConfig {
        users = Map.copyOf(users);
        danglingReferences = List.copyOf(danglingReferences);
    }

    public GlobalVariables variables() {
        return rows.variables();
    }

    @Override
    public List<ReplicationHostgroup> replicationHostgroups() {
        return rows.replicationHostgroups();
    }

    @Override
    public boolean readersFallBackToWriter() {
        return variables().boolValue("mysql-readers_fallback_to_writer");
    }

    /**
     * Validates {@code rows} as a whole and compiles them. {@code pools} gives the pool of a
     * server address; a server's {@code @@read_only} (from its pool's health) places it in the
     * writer or reader hostgroup of a replication hostgroup pair.
     *
     * @throws InvalidConfigException naming the first bad row
     */
    public static RuntimeConfig build(RuntimeRows rows, Function<ServerAddress, BackendPool> pools) {
        Validated v = validate(rows);
        return new RuntimeConfig(rows, topology(rows, pools), v.users(), v.rules(), v.dangling());
    }

    private record Validated(Map<String, UserConfig> users, QueryRules rules, List<DanglingReference> dangling) {}

    /**
     * Checks {@code rows} as a whole without opening anything: duplicate keys, overlapping
     * replication pairs, rules that do not compile, columns the proxy does not apply. Hostgroups
     * that users and rules name but no server or replication pair has are not errors: they are
     * returned, for the caller to warn about (or refuse, where the rows must be complete).
     *
     * @return the dangling hostgroup references, in row order
     * @throws InvalidConfigException naming the first bad row
     */
    public static List<DanglingReference> check(RuntimeRows rows) {
        return validate(rows).dangling();
    }

    private static Validated validate(RuntimeRows rows) {
        validateServers(rows.servers());
        Set<Integer> known = knownHostgroups(rows);
        validateReplicationHostgroups(rows.replicationHostgroups());
        List<DanglingReference> dangling = new ArrayList<>();
        Map<String, UserConfig> users = new LinkedHashMap<>();
        for (UserConfig u : rows.users()) {
            String row = "mysql_users row (username='" + u.username() + "')";
            if (users.put(u.username(), u) != null) {
                throw new InvalidConfigException(row + ": duplicate username");
            }
            noteDangling(known, dangling, row, "default_hostgroup", u.defaultHostgroup());
        }
        for (QueryRule r : rows.rules()) {
            refuseUnsupported(r);
            String row = "mysql_query_rules row (rule_id=" + r.ruleId() + ")";
            noteDangling(known, dangling, row, "destination_hostgroup", r.destinationHostgroup());
            noteDangling(known, dangling, row, "mirror_hostgroup", r.mirrorHostgroup());
        }
        QueryRules rules;
        try {
            rules = QueryRules.compile(rows.rules());
        } catch (RuleException e) {
            throw new InvalidConfigException(e.getMessage(), e);
        }
        return new Validated(users, rules, dangling);
    }

    /** Columns of ProxySQL's table the proxy does not apply: refused rather than silently ignored. */
    private static void refuseUnsupported(QueryRule r) {
        String column = r.mirrorFlagOut() != null ? "mirror_flagOUT" : r.cacheTtl() != null ? "cache_ttl" : null;
        if (column != null) {
            throw new InvalidConfigException("mysql_query_rules row (rule_id=" + r.ruleId() + "): " + column
                    + " is not supported by this proxy; set it to NULL");
        }
    }

    private static void noteDangling(Set<Integer> known, List<DanglingReference> dangling, String row, String column,
                                     Integer hostgroup) {
        if (hostgroup != null && !known.contains(hostgroup)) {
            dangling.add(new DanglingReference(row, column, hostgroup));
        }
    }

    private static void validateServers(List<ServerRow> servers) {
        Set<String> seen = new HashSet<>();
        for (ServerRow s : servers) {
            if (!seen.add(s.hostgroup() + "/" + s.host() + ":" + s.port())) {
                throw new InvalidConfigException("mysql_servers row (hostgroup_id=" + s.hostgroup() + ", hostname='" + s.host()
                        + "', port=" + s.port() + "): duplicate server in the same hostgroup");
            }
        }
    }

    private static void validateReplicationHostgroups(List<ReplicationHostgroup> pairs) {
        Map<Integer, Integer> used = new HashMap<>();
        for (ReplicationHostgroup p : pairs) {
            for (int hg : new int[] {p.writerHostgroup(), p.readerHostgroup()}) {
                Integer other = used.put(hg, p.writerHostgroup());
                if (other != null) {
                    throw new InvalidConfigException("mysql_replication_hostgroups row (writer_hostgroup=" + p.writerHostgroup()
                            + "): hostgroup " + hg + " is already in the pair with writer_hostgroup " + other);
                }
            }
        }
    }

    private static Set<Integer> knownHostgroups(RuntimeRows rows) {
        Set<Integer> known = new HashSet<>();
        rows.servers().forEach(s -> known.add(s.hostgroup()));
        rows.replicationHostgroups().forEach(p -> {
            known.add(p.writerHostgroup());
            known.add(p.readerHostgroup());
        });
        return known;
    }

    /**
     * Servers by hostgroup. A server configured in either hostgroup of a replication pair is
     * placed by its read_only once the monitor has seen it: read_only=0 in the writer hostgroup
     * (and in the reader hostgroup too when {@code mysql-monitor_writer_is_also_reader}),
     * read_only=1 in the reader hostgroup only. Until then it stays where it was configured. A
     * server the monitor has fenced (a second server reporting read_only=0) is in neither.
     */
    private static Topology topology(RuntimeRows rows, Function<ServerAddress, BackendPool> pools) {
        boolean writerIsReader = rows.variables().boolValue("mysql-monitor_writer_is_also_reader");
        Map<Integer, ReplicationHostgroup> pairOf = new HashMap<>();
        rows.replicationHostgroups().forEach(p -> {
            pairOf.put(p.writerHostgroup(), p);
            pairOf.put(p.readerHostgroup(), p);
        });
        List<ServerRow> placed = new ArrayList<>();
        Set<String> placedKeys = new HashSet<>();
        for (ServerRow s : rows.servers()) {
            ReplicationHostgroup pair = pairOf.get(s.hostgroup());
            ServerHealth health = pair == null ? null : pools.apply(s.address()).health();
            if (health != null && health.fenced()) {
                continue;
            }
            Boolean readOnly = health == null ? null : health.readOnly();
            List<ServerRow> targets = new ArrayList<>();
            if (readOnly == null) {
                targets.add(s);
            } else if (readOnly) {
                targets.add(s.inHostgroup(pair.readerHostgroup()));
            } else {
                targets.add(s.inHostgroup(pair.writerHostgroup()));
                if (writerIsReader) {
                    targets.add(s.inHostgroup(pair.readerHostgroup()));
                }
            }
            for (ServerRow t : targets) {
                if (placedKeys.add(t.hostgroup() + "/" + t.host() + ":" + t.port())) {
                    placed.add(t);
                }
            }
        }
        Map<Integer, List<HostgroupServer>> hostgroups = new HashMap<>();
        for (ServerRow s : placed) {
            hostgroups.computeIfAbsent(s.hostgroup(), h -> new ArrayList<>())
                    .add(new HostgroupServer(s.hostgroup(), pools.apply(s.address()), s.weight(), s.status(),
                            s.maxConnections(), s.maxReplicationLag(), s.comment()));
        }
        return new Topology(hostgroups);
    }
}
