package io.switchyard.admin;

import io.switchyard.runtime.RuntimeRows;
import java.util.List;
import java.util.Locale;

/**
 * What one LOAD or SAVE moves, with ProxySQL's grouping: replication hostgroups travel with
 * {@code MYSQL SERVERS}.
 */
enum ConfigPart {
    SERVERS("MYSQL SERVERS", List.of(AdminSchema.SERVERS, AdminSchema.REPLICATION_HOSTGROUPS)),
    USERS("MYSQL USERS", List.of(AdminSchema.USERS)),
    QUERY_RULES("MYSQL QUERY RULES", List.of(AdminSchema.QUERY_RULES)),
    VARIABLES("MYSQL VARIABLES", List.of(AdminSchema.VARIABLES));

    final String spelling;
    final List<String> tables;

    ConfigPart(String spelling, List<String> tables) {
        this.spelling = spelling;
        this.tables = tables;
    }

    /** {@code base} with this part replaced by the same part of {@code from}. */
    RuntimeRows take(RuntimeRows base, RuntimeRows from) {
        return switch (this) {
            case SERVERS -> base.withServers(from.servers()).withReplicationHostgroups(from.replicationHostgroups());
            case USERS -> base.withUsers(from.users());
            case QUERY_RULES -> base.withRules(from.rules());
            case VARIABLES -> base.withVariables(from.variables());
        };
    }

    /** Parses {@code SERVERS}, {@code USERS}, {@code QUERY RULES} or {@code VARIABLES} (words upper-cased). */
    static ConfigPart parse(String words) {
        return switch (words.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ")) {
            case "SERVERS" -> SERVERS;
            case "USERS" -> USERS;
            case "QUERY RULES" -> QUERY_RULES;
            case "VARIABLES" -> VARIABLES;
            default -> null;
        };
    }
}
