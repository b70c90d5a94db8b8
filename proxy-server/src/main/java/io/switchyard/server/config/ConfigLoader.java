package io.switchyard.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.switchyard.backend.PoolSettings;
import io.switchyard.backend.ServerState;
import io.switchyard.protocol.auth.AuthPlugin;
import io.switchyard.protocol.auth.TlsContexts;
import io.switchyard.routing.QueryRule;
import io.switchyard.runtime.DanglingReference;
import io.switchyard.runtime.GlobalVariables;
import io.switchyard.runtime.InvalidConfigException;
import io.switchyard.runtime.RuntimeConfig;
import io.switchyard.runtime.RuntimeRows;
import io.switchyard.topology.ReplicationHostgroup;
import io.switchyard.topology.ServerRow;
import io.switchyard.topology.UserConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads the HOCON configuration: the file given on the command line over the built-in defaults
 * ({@code reference.conf}), with single settings overridable by environment variables
 * ({@code SWITCHYARD_FRONTEND_PORT=7033} overrides {@code switchyard.frontend.port}). Every error
 * names the setting and where it was set (file and line).
 */
public final class ConfigLoader {
    private static final String ENV_PREFIX = "SWITCHYARD_";

    private ConfigLoader() {}

    /** Loads {@code file} (may be null for defaults only) with environment overrides. */
    public static SwitchyardConfig load(Path file, Map<String, String> env) {
        Config fileConfig = ConfigFactory.empty();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigError("config file " + file + " does not exist or is not a file");
            }
            try {
                fileConfig = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw syntaxError(e);
            }
        }
        return resolve(fileConfig, env);
    }

    /** One line for a file the HOCON parser cannot read: file, line and the parser's own words. */
    private static ConfigError syntaxError(ConfigException e) {
        if (e.origin() == null) {
            return new ConfigError(e.getMessage(), e);
        }
        String prefix = e.origin().description() + ": ";
        String message = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        return new ConfigError("syntax error at " + KnownKeys.where(e.origin()) + ": " + message, e);
    }

    /** Parses HOCON text over the defaults, without environment overrides (for tests and embedding). */
    public static SwitchyardConfig fromString(String hocon) {
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription("inline config"));
        } catch (ConfigException e) {
            throw syntaxError(e);
        }
        return resolve(parsed, Map.of());
    }

    private static SwitchyardConfig resolve(Config fileConfig, Map<String, String> env) {
        try {
            Config reference = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf");
            KnownKeys.check(fileConfig.resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true)).root(),
                    (ConfigObject) reference.root().get("switchyard"));
            Config merged = envOverrides(env).withFallback(fileConfig).withFallback(reference).resolve();
            return parse(merged.getConfig("switchyard"));
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage(), e);
        }
    }

    private static Config envOverrides(Map<String, String> env) {
        Config reference = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf").resolve();
        Config out = ConfigFactory.empty();
        for (Map.Entry<String, ConfigValue> e : reference.entrySet()) {
            String path = e.getKey();
            String name = ENV_PREFIX + path.substring("switchyard.".length()).toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            String value = env.get(name);
            if (value != null) {
                out = out.withValue(path, ConfigValueFactory.fromAnyRef(value, "environment variable " + name));
            }
        }
        return out;
    }

    private static SwitchyardConfig parse(Config c) {
        Config fe = c.getConfig("frontend");
        SwitchyardConfig.Frontend frontend = new SwitchyardConfig.Frontend(
                fe.getString("bind"),
                intIn(fe, "port", 0, 65535),
                fe.getBytes("max-allowed-packet"),
                authPlugin(fe),
                intIn(fe, "max-client-connections", 1, 1_000_000),
                positiveMillis(fe, "net-read-timeout"),
                fe.getString("fallback-server-version"),
                fe.getString("server-version"),
                fe.getBoolean("tls.enabled"),
                optionalPath(fe, "tls.cert"),
                optionalPath(fe, "tls.key"),
                fe.getBoolean("tls.required"),
                optionalPath(fe, "rsa.private-key"),
                optionalPath(fe, "rsa.public-key"));
        if (frontend.tlsRequired() && !frontend.tlsEnabled()) {
            throw new ConfigError(fe.origin().description() + ": frontend.tls.required needs frontend.tls.enabled = true");
        }
        if ((frontend.tlsCert() == null) != (frontend.tlsKey() == null)) {
            throw new ConfigError(fe.getValue("tls").origin().description() + ": frontend.tls.cert and frontend.tls.key must be set together");
        }
        Config be = c.getConfig("backend");
        Config pool = be.getConfig("pool");
        PoolSettings poolSettings;
        try {
            poolSettings = new PoolSettings(pool.getInt("min-idle"), pool.getInt("max-connections"),
                    pool.getDuration("idle-timeout", TimeUnit.MILLISECONDS), pool.getDuration("max-lifetime", TimeUnit.MILLISECONDS),
                    pool.getDuration("keepalive-interval", TimeUnit.MILLISECONDS), pool.getDuration("acquire-timeout", TimeUnit.MILLISECONDS));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(pool.origin().description() + ": " + e.getMessage());
        }
        SwitchyardConfig.Backend backend = new SwitchyardConfig.Backend(
                positiveMillis(be, "connect-timeout"),
                be.getBoolean("tls.enabled"),
                backendTrust(be),
                optionalPath(be, "tls.ca-file"),
                be.getBoolean("tls.verify-hostname"),
                be.getBoolean("tls.required"),
                poolSettings);
        RuntimeRows rows = new RuntimeRows(servers(c), users(c), queryRules(c), replicationHostgroups(c), variables(c));
        List<DanglingReference> dangling;
        try {
            dangling = RuntimeConfig.check(rows);
        } catch (InvalidConfigException e) {
            throw new ConfigError(sectionOf(c, e.getMessage()) + ": " + e.getMessage(), e);
        }
        if (!dangling.isEmpty()) {
            String problem = dangling.get(0).message();
            throw new ConfigError(sectionOf(c, problem) + ": " + problem + "; the file must give every hostgroup it names "
                    + "a server or a replication hostgroup (the admin port accepts such a reference while a change is under way)");
        }
        return new SwitchyardConfig(frontend, backend, intIn(c, "event-loop-threads", 0, 1024), rows, metrics(c),
                admin(c.getConfig("admin")), fleet(c.getConfig("fleet")));
    }

    /** Where the list that a row problem is about was set. */
    private static String sectionOf(Config c, String problem) {
        String section = problem.startsWith("mysql_users") ? "users"
                : problem.startsWith("mysql_query_rules") ? "query-rules"
                : problem.startsWith("mysql_replication_hostgroups") ? "replication-hostgroups" : "servers";
        return c.getValue(section).origin().description();
    }

    private static SwitchyardConfig.Metrics metrics(Config c) {
        Config m = c.getConfig("metrics");
        String bind = m.getString("bind");
        if (bind.isBlank()) {
            throw new ConfigError(m.getValue("bind").origin().description() + ": metrics.bind must not be empty");
        }
        return new SwitchyardConfig.Metrics(m.getBoolean("enabled"), bind, intIn(m, "port", 0, 65535));
    }

    private static SwitchyardConfig.Fleet fleet(Config f) {
        String name = f.getString("name");
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigError(f.getValue("name").origin().description() + ": fleet.name '" + name
                    + "' must be letters, digits, '_', '.' or '-'");
        }
        String digest = f.getString("acl-digest");
        if (!digest.isEmpty() && digest.indexOf(':') < 1) {
            throw new ConfigError(f.getValue("acl-digest").origin().description() + ": fleet.acl-digest must be \"user:password\"");
        }
        boolean tls = f.getBoolean("tls.enabled");
        Path trustStore = optionalPath(f, "tls.trust-store");
        if (tls && trustStore == null) {
            throw new ConfigError(f.getValue("tls").origin().description() + ": fleet.tls.enabled needs fleet.tls.trust-store");
        }
        return new SwitchyardConfig.Fleet(f.getString("zookeeper").strip(), name, f.getString("node-name"),
                positiveMillis(f, "session-timeout"), positiveMillis(f, "connect-timeout"), digest, tls, trustStore,
                f.getString("tls.trust-store-password"), optionalPath(f, "tls.key-store"), f.getString("tls.key-store-password"));
    }

    /** The {@code tracing} block: the starting values of the {@code tracing-*} variables (a {@code variables} entry wins). */
    private static GlobalVariables tracing(Config t, GlobalVariables vars) {
        double ratio = t.getDouble("sample-ratio");
        if (ratio < 0 || ratio > 1) {
            throw new ConfigError(t.getValue("sample-ratio").origin().description() + ": tracing.sample-ratio must be from 0.0 to 1.0");
        }
        try {
            return vars.with("tracing-endpoint", t.getString("endpoint"))
                    .with("tracing-protocol", t.getString("protocol"))
                    .with("tracing-sample_percent", Long.toString(Math.round(ratio * 100)))
                    .with("tracing-service_name", t.getString("service-name"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(t.origin().description() + ": tracing: " + e.getMessage(), e);
        }
    }

    private static SwitchyardConfig.Admin admin(Config a) {
        SwitchyardConfig.Admin admin = new SwitchyardConfig.Admin(a.getString("bind"), intIn(a, "port", 0, 65535),
                requiredString(a, "username"), a.getString("password"));
        if (admin.defaultPassword() && !SwitchyardConfig.isLoopback(admin.bind())) {
            throw new ConfigError(a.getValue("password").origin().description() + ": admin.password is the default '"
                    + SwitchyardConfig.Admin.DEFAULT_PASSWORD + "' while admin.bind = " + admin.bind() + " is not a loopback address; "
                    + "set admin.password (or SWITCHYARD_ADMIN_PASSWORD), or bind the admin to 127.0.0.1");
        }
        return admin;
    }

    private static List<ServerRow> servers(Config c) {
        List<ServerRow> out = new ArrayList<>();
        for (Config s : c.getConfigList("servers")) {
            try {
                out.add(new ServerRow(
                        s.hasPath("hostgroup") ? intIn(s, "hostgroup", 0, Integer.MAX_VALUE) : 0,
                        requiredString(s, "host"),
                        intIn(s, "port", 1, 65535),
                        serverState(s),
                        s.hasPath("weight") ? intIn(s, "weight", 0, 10_000_000) : 1,
                        s.hasPath("compression") && s.getBoolean("compression"),
                        s.hasPath("max-connections") ? intIn(s, "max-connections", 1, 10_000) : 1000,
                        s.hasPath("max-replication-lag") ? intIn(s, "max-replication-lag", 0, 126_144_000) : 0,
                        s.hasPath("use-ssl") && s.getBoolean("use-ssl"),
                        s.hasPath("comment") ? s.getString("comment") : ""));
            } catch (IllegalArgumentException e) {
                throw new ConfigError(s.origin().description() + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }

    private static List<ReplicationHostgroup> replicationHostgroups(Config c) {
        List<ReplicationHostgroup> out = new ArrayList<>();
        for (Config r : c.getConfigList("replication-hostgroups")) {
            try {
                out.add(new ReplicationHostgroup(intIn(r, "writer-hostgroup", 0, Integer.MAX_VALUE),
                        intIn(r, "reader-hostgroup", 0, Integer.MAX_VALUE),
                        r.hasPath("check-type") ? r.getString("check-type") : "read_only",
                        r.hasPath("comment") ? r.getString("comment") : ""));
            } catch (ConfigException | IllegalArgumentException e) {
                throw new ConfigError(r.origin().description() + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }

    /** ProxySQL-named variables, e.g. {@code variables { mysql-monitor_ping_interval = 1000 }}. */
    private static GlobalVariables variables(Config c) {
        GlobalVariables vars = tracing(c.getConfig("tracing"), GlobalVariables.defaults());
        Config v = c.getConfig("variables");
        for (Map.Entry<String, ConfigValue> e : v.root().entrySet()) {
            try {
                vars = vars.with(e.getKey(), String.valueOf(e.getValue().unwrapped()));
            } catch (IllegalArgumentException ex) {
                throw new ConfigError(e.getValue().origin().description() + ": " + ex.getMessage(), ex);
            }
        }
        return vars;
    }

    private static List<QueryRule> queryRules(Config c) {
        List<QueryRule> rules = new ArrayList<>();
        for (Config r : c.getConfigList("query-rules")) {
            String where = r.origin().description();
            try {
                QueryRule.Builder b = QueryRule.builder(r.getInt("rule-id"))
                        .active(!r.hasPath("active") || r.getBoolean("active"))
                        .apply(r.hasPath("apply") && r.getBoolean("apply"))
                        .flagIn(r.hasPath("flag-in") ? r.getInt("flag-in") : 0)
                        .negateMatchPattern(r.hasPath("negate-match-pattern") && r.getBoolean("negate-match-pattern"));
                if (r.hasPath("username")) b.username(r.getString("username"));
                if (r.hasPath("schemaname")) b.schemaname(r.getString("schemaname"));
                if (r.hasPath("client-addr")) b.clientAddr(r.getString("client-addr"));
                if (r.hasPath("digest")) b.digest(Long.parseUnsignedLong(r.getString("digest").replaceFirst("^0[xX]", ""), 16));
                if (r.hasPath("match-digest")) b.matchDigest(r.getString("match-digest"));
                if (r.hasPath("match-pattern")) b.matchPattern(r.getString("match-pattern"));
                if (r.hasPath("re-modifiers")) b.reModifiers(r.getString("re-modifiers"));
                if (r.hasPath("flag-out")) b.flagOut(r.getInt("flag-out"));
                if (r.hasPath("replace-pattern")) b.replacePattern(r.getString("replace-pattern"));
                if (r.hasPath("destination-hostgroup")) b.destinationHostgroup(r.getInt("destination-hostgroup"));
                if (r.hasPath("error-msg")) b.errorMsg(r.getString("error-msg"));
                if (r.hasPath("ok-msg")) b.okMsg(r.getString("ok-msg"));
                if (r.hasPath("multiplex")) b.multiplex(r.getInt("multiplex"));
                if (r.hasPath("timeout")) b.timeout((int) r.getDuration("timeout", TimeUnit.MILLISECONDS));
                if (r.hasPath("retries")) b.retries(r.getInt("retries"));
                if (r.hasPath("log")) b.log(r.getBoolean("log") ? 1 : 0);
                if (r.hasPath("mirror-hostgroup")) b.mirrorHostgroup(r.getInt("mirror-hostgroup"));
                if (r.hasPath("delay")) b.delay((int) r.getDuration("delay", TimeUnit.MILLISECONDS));
                if (r.hasPath("comment")) b.comment(r.getString("comment"));
                if (r.hasPath("causal-reads")) b.causalReads(r.getString("causal-reads"));
                rules.add(b.build());
            } catch (ConfigException | IllegalArgumentException e) {
                throw new ConfigError(where + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(rules);
    }

    private static List<UserConfig> users(Config c) {
        List<UserConfig> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Config u : c.getConfigList("users")) {
            String where = u.origin().description();
            String name = requiredString(u, "username");
            if (!seen.add(name)) {
                throw new ConfigError(where + ": user '" + name + "' appears twice in users");
            }
            try {
                out.add(new UserConfig(name,
                        u.hasPath("password") ? u.getString("password") : "",
                        u.hasPath("default-schema") ? u.getString("default-schema") : null,
                        u.hasPath("default-hostgroup") ? u.getInt("default-hostgroup") : 0,
                        !u.hasPath("active") || u.getBoolean("active"),
                        u.hasPath("max-connections") ? u.getInt("max-connections") : 10_000,
                        !u.hasPath("transaction-persistent") || u.getBoolean("transaction-persistent")));
            } catch (IllegalArgumentException e) {
                throw new ConfigError(where + ": " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static ServerState serverState(Config s) {
        if (!s.hasPath("status")) {
            return ServerState.ONLINE;
        }
        ServerState state = ServerState.parse(s.getString("status"));
        if (state == null || state == ServerState.SHUNNED) {
            throw new ConfigError(s.getValue("status").origin().description() + ": status must be ONLINE, OFFLINE_SOFT or OFFLINE_HARD, not '"
                    + s.getString("status") + "'");
        }
        return state;
    }

    private static AuthPlugin authPlugin(Config fe) {
        String name = fe.getString("auth-plugin");
        return AuthPlugin.fromWireName(name)
                .filter(p -> p != AuthPlugin.MYSQL_CLEAR_PASSWORD)
                .orElseThrow(() -> new ConfigError(fe.getValue("auth-plugin").origin().description()
                        + ": frontend.auth-plugin must be mysql_native_password or caching_sha2_password, not '" + name + "'"));
    }

    private static TlsContexts.BackendTrust backendTrust(Config be) {
        String value = be.getString("tls.trust");
        return switch (value) {
            case "trust-all" -> TlsContexts.BackendTrust.TRUST_ALL;
            case "ca-file" -> TlsContexts.BackendTrust.CA_FILE;
            case "system" -> TlsContexts.BackendTrust.SYSTEM_TRUST;
            default -> throw new ConfigError(be.getValue("tls.trust").origin().description()
                    + ": backend.tls.trust must be trust-all, ca-file or system, not '" + value + "'");
        };
    }

    private static int intIn(Config c, String path, int min, int max) {
        int v = c.getInt(path);
        if (v < min || v > max) {
            throw new ConfigError(c.getValue(path).origin().description() + ": " + path + " = " + v
                    + " is outside " + min + ".." + max);
        }
        return v;
    }

    private static long positiveMillis(Config c, String path) {
        long v = c.getDuration(path, TimeUnit.MILLISECONDS);
        if (v <= 0) {
            throw new ConfigError(c.getValue(path).origin().description() + ": " + path + " must be positive");
        }
        return v;
    }

    private static String requiredString(Config c, String path) {
        if (!c.hasPath(path) || c.getString(path).isBlank()) {
            throw new ConfigError(c.origin().description() + ": '" + path + "' is required");
        }
        return c.getString(path);
    }

    private static Path optionalPath(Config c, String path) {
        String v = c.getString(path);
        if (v.isBlank()) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isReadable(p)) {
            throw new ConfigError(c.getValue(path).origin().description() + ": " + path + " = " + v + " is not a readable file");
        }
        return p;
    }

    /** A configuration problem, with the setting and its origin in the message. */
    public static final class ConfigError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConfigError(String message) {
            super(message);
        }

        public ConfigError(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
