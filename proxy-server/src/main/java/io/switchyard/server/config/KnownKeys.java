package io.switchyard.server.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys a configuration file may set under {@code switchyard}: every key of
 * {@code reference.conf}, and inside the elements of the row lists ({@code servers},
 * {@code users}, {@code query-rules}, {@code replication-hostgroups}) the columns the proxy
 * applies. {@code variables} takes ProxySQL's variable names, which {@code GlobalVariables}
 * checks. A key outside these is a typo or a setting this version does not have, and is refused
 * with the file, the line and the nearest known key rather than silently ignored. Stateless.
 */
final class KnownKeys {
    static final Set<String> SERVER_KEYS = Set.of("hostgroup", "host", "port", "status", "weight", "compression",
            "max-connections", "max-replication-lag", "use-ssl", "comment");
    static final Set<String> USER_KEYS = Set.of("username", "password", "default-schema", "default-hostgroup", "active",
            "max-connections", "transaction-persistent");
    /** The mysql_query_rules columns the proxy applies (ProxySQL's other columns are refused, not ignored). */
    static final Set<String> RULE_KEYS = Set.of("rule-id", "active", "apply", "flag-in", "negate-match-pattern",
            "username", "schemaname", "client-addr", "digest", "match-digest", "match-pattern", "re-modifiers", "flag-out",
            "replace-pattern", "destination-hostgroup", "error-msg", "ok-msg", "multiplex", "timeout", "retries", "delay",
            "log", "mirror-hostgroup", "comment", "causal-reads");
    static final Set<String> REPLICATION_HOSTGROUP_KEYS = Set.of("writer-hostgroup", "reader-hostgroup", "check-type", "comment");

    private static final Map<String, Set<String>> ROW_KEYS = Map.of("servers", SERVER_KEYS, "users", USER_KEYS,
            "query-rules", RULE_KEYS, "replication-hostgroups", REPLICATION_HOSTGROUP_KEYS);
    /** Sections whose keys are checked elsewhere. */
    private static final Set<String> FREE_FORM = Set.of("variables");

    private KnownKeys() {}

    /**
     * Refuses the first key under {@code switchyard} in {@code file} that {@code reference} (the
     * {@code switchyard} object of reference.conf) does not have.
     *
     * @throws ConfigLoader.ConfigError naming the key, its file and line, and the nearest known key
     */
    static void check(ConfigObject file, ConfigObject reference) {
        ConfigValue root = file.get("switchyard");
        if (root instanceof ConfigObject switchyard) {
            checkObject(switchyard, reference, "", paths(reference, ""));
        }
    }

    private static void checkObject(ConfigObject given, ConfigObject known, String prefix, List<String> allPaths) {
        for (Map.Entry<String, ConfigValue> e : given.entrySet()) {
            String key = e.getKey();
            String path = prefix + key;
            ConfigValue value = e.getValue();
            ConfigValue knownValue = known.get(key);
            if (knownValue == null) {
                throw unknown(path, value.origin(), nearest(path, allPaths), known.keySet());
            }
            if (prefix.isEmpty() && FREE_FORM.contains(key)) {
                continue;
            }
            if (prefix.isEmpty() && ROW_KEYS.containsKey(key) && value instanceof ConfigList rows) {
                checkRows(key, rows, ROW_KEYS.get(key));
            } else if (value instanceof ConfigObject object && knownValue instanceof ConfigObject knownObject) {
                checkObject(object, knownObject, path + ".", allPaths);
            }
        }
    }

    private static void checkRows(String list, ConfigList rows, Set<String> keys) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i) instanceof ConfigObject row) {
                for (Map.Entry<String, ConfigValue> e : row.entrySet()) {
                    if (!keys.contains(e.getKey())) {
                        String near = nearest(e.getKey(), new ArrayList<>(keys));
                        String element = list + "[" + i + "].";
                        throw unknown(element + e.getKey(), e.getValue().origin(), near == null ? null : element + near, keys);
                    }
                }
            }
        }
    }

    private static ConfigLoader.ConfigError unknown(String path, ConfigOrigin origin, String near, Set<String> siblings) {
        return new ConfigLoader.ConfigError("unknown key " + path + " at " + where(origin)
                + (near != null ? "; did you mean " + near + "?" : "; the keys there are " + String.join(", ", new TreeSet<>(siblings))));
    }

    /** {@code file:line} of {@code origin}, or its description when it is not a file. */
    static String where(ConfigOrigin origin) {
        String source = origin.filename() != null ? origin.filename() : origin.description().replaceFirst(":\\s*\\d+$", "");
        return origin.lineNumber() > 0 ? source + ":" + origin.lineNumber() : source;
    }

    /** Every path of {@code object}, objects included (e.g. {@code frontend}, {@code frontend.tls}, {@code frontend.tls.enabled}). */
    private static List<String> paths(ConfigObject object, String prefix) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
            String path = prefix + e.getKey();
            out.add(path);
            if (e.getValue() instanceof ConfigObject child && !FREE_FORM.contains(path)) {
                out.addAll(paths(child, path + "."));
            }
        }
        return out;
    }

    /** The candidate closest to {@code key} by edit distance, or null when none is close enough to be a typo of it. */
    static String nearest(String key, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : new TreeSet<>(candidates)) {
            int d = distance(key, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
