package io.switchyard.server.console;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import io.switchyard.admin.FleetLink;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ServerHealth;
import io.switchyard.digest.DigestRow;
import io.switchyard.frontend.SessionRegistry;
import io.switchyard.monitor.Monitor;
import io.switchyard.monitor.StatusChangeRow;
import io.switchyard.runtime.ConfigRuntime;
import io.switchyard.stats.ProxyStats;
import io.switchyard.topology.HostgroupServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the console page shows, as one JSON document ({@code GET /api/console}): the proxy's
 * totals, the servers by hostgroup, the last 15 minutes of traffic, the top digests, the recent
 * monitor errors and status changes, and the fleet. Everything is read from the same sources as
 * the admin's {@code stats} and {@code monitor} tables, at the moment of the request. Stateless
 * apart from the sources it reads; thread-safe as they are.
 */
final class ConsoleDocument {
    /** Digests listed, by total time. */
    static final int TOP_DIGESTS = 10;
    /** Monitor errors and status changes listed, the newest. */
    static final int RECENT_EVENTS = 20;

    private final ProxyStats stats;
    private final ConfigRuntime runtime;
    private final SessionRegistry sessions;
    private final Monitor monitor;
    private final ConsoleHistory history;
    private final long startedMillis = System.currentTimeMillis();

    ConsoleDocument(ProxyStats stats, ConfigRuntime runtime, SessionRegistry sessions, Monitor monitor, ConsoleHistory history) {
        this.stats = stats;
        this.runtime = runtime;
        this.sessions = sessions;
        this.monitor = monitor;
        this.history = history;
    }

    /** The document as JSON; {@code fleet} is null when the node runs alone. */
    String json(FleetLink fleet) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("now_ms", System.currentTimeMillis());
        doc.put("proxy", proxy());
        doc.put("hostgroups", hostgroups());
        doc.put("history", history());
        doc.put("digests", digests());
        doc.put("monitor_errors", monitorErrors());
        doc.put("status_changes", statusChanges());
        doc.put("fleet", fleet == null ? null : fleet(fleet));
        return ConfigValueFactory.fromAnyRef(doc).render(ConfigRenderOptions.concise());
    }

    private Map<String, Object> proxy() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("uptime_s", (System.currentTimeMillis() - startedMillis) / 1000);
        p.put("clients", sessions.size());
        p.put("statements", stats.questions());
        p.put("slow_statements", stats.slowQueries());
        p.put("retries", stats.retries());
        p.put("transactions_replayed", stats.transactionsReplayed());
        long connections = 0;
        for (BackendPool pool : runtime.pools()) {
            connections += pool.total();
        }
        p.put("backend_connections", connections);
        return p;
    }

    private List<Object> hostgroups() {
        List<Object> out = new ArrayList<>();
        for (var e : new TreeMap<>(runtime.current().topology().hostgroups()).entrySet()) {
            List<Object> servers = new ArrayList<>();
            for (HostgroupServer s : e.getValue()) {
                BackendPool pool = s.pool();
                ServerHealth health = pool.health();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("server", s.address().host() + ":" + s.address().port());
                m.put("status", s.effectiveState().name());
                m.put("weight", s.weight());
                m.put("used", pool.inUse());
                m.put("free", pool.idle());
                m.put("max", s.maxConnections());
                m.put("queue", pool.waiting());
                m.put("queries", pool.queries());
                m.put("connect_errors", pool.connectErr());
                m.put("lag_s", health.lagSeconds());
                m.put("ping_us", health.pingLatencyMicros());
                m.put("read_only", health.readOnly());
                servers.add(m);
            }
            out.add(Map.of("hostgroup", e.getKey(), "servers", servers));
        }
        return out;
    }

    private Map<String, Object> history() {
        List<ConsoleHistory.Sample> samples = history.samples();
        List<Long> times = new ArrayList<>(samples.size());
        List<Double> rates = new ArrayList<>(samples.size());
        List<Long> p50 = new ArrayList<>(samples.size());
        List<Long> p95 = new ArrayList<>(samples.size());
        List<Long> p99 = new ArrayList<>(samples.size());
        List<Integer> clients = new ArrayList<>(samples.size());
        for (ConsoleHistory.Sample s : samples) {
            times.add(s.epochMillis());
            rates.add(Math.round(s.statementsPerSecond() * 10) / 10.0);
            p50.add(s.p50Micros());
            p95.add(s.p95Micros());
            p99.add(s.p99Micros());
            clients.add(s.clients());
        }
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("interval_ms", ConsoleHistory.INTERVAL_MILLIS);
        h.put("time_ms", times);
        h.put("statements_per_s", rates);
        h.put("p50_us", p50);
        h.put("p95_us", p95);
        h.put("p99_us", p99);
        h.put("clients", clients);
        return h;
    }

    private List<Object> digests() {
        List<DigestRow> rows = new ArrayList<>(stats.digests().snapshot());
        rows.sort(Comparator.comparingLong(DigestRow::sumTime).reversed());
        List<Object> out = new ArrayList<>();
        for (DigestRow d : rows.subList(0, Math.min(TOP_DIGESTS, rows.size()))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hostgroup", d.hostgroup());
            m.put("schema", d.schemaname());
            m.put("user", d.username());
            m.put("digest", d.digestHex());
            m.put("digest_text", d.digestText());
            m.put("count", d.countStar());
            m.put("sum_time_us", d.sumTime());
            m.put("avg_time_us", d.countStar() == 0 ? 0 : d.sumTime() / d.countStar());
            m.put("max_time_us", d.maxTime());
            m.put("rows_sent", d.sumRowsSent());
            m.put("errors", d.errors());
            out.add(m);
        }
        return out;
    }

    private record Event(long timeUs, Map<String, Object> fields) {}

    private List<Object> monitorErrors() {
        if (monitor == null) {
            return List.of();
        }
        List<Event> events = new ArrayList<>();
        monitor.connectLog().stream().filter(r -> r.connectError() != null)
                .forEach(r -> events.add(error(r.timeStartUs(), r.hostname(), r.port(), "connect", r.connectError())));
        monitor.pingLog().stream().filter(r -> r.pingError() != null)
                .forEach(r -> events.add(error(r.timeStartUs(), r.hostname(), r.port(), "ping", r.pingError())));
        monitor.readOnlyLog().stream().filter(r -> r.error() != null)
                .forEach(r -> events.add(error(r.timeStartUs(), r.hostname(), r.port(), "read_only", r.error())));
        monitor.replicationLagLog().stream().filter(r -> r.error() != null)
                .forEach(r -> events.add(error(r.timeStartUs(), r.hostname(), r.port(), "replication_lag", r.error())));
        return newest(events);
    }

    private static Event error(long timeUs, String host, int port, String check, String error) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time_ms", timeUs / 1000);
        m.put("server", host + ":" + port);
        m.put("check", check);
        m.put("error", error);
        return new Event(timeUs, m);
    }

    private List<Object> statusChanges() {
        if (monitor == null) {
            return List.of();
        }
        List<Event> events = new ArrayList<>();
        for (StatusChangeRow r : monitor.statusChanges()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time_ms", r.timeUs() / 1000);
            m.put("server", r.hostname() + ":" + r.port());
            m.put("from", r.from());
            m.put("to", r.to());
            m.put("reason", r.reason());
            events.add(new Event(r.timeUs(), m));
        }
        return newest(events);
    }

    /** The {@link #RECENT_EVENTS} newest, newest first. */
    private static List<Object> newest(List<Event> events) {
        events.sort(Comparator.comparingLong(Event::timeUs).reversed());
        return events.subList(0, Math.min(RECENT_EVENTS, events.size())).stream().<Object>map(Event::fields).toList();
    }

    private static Map<String, Object> fleet(FleetLink fleet) {
        FleetLink.Status status = fleet.status();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", status.fleet());
        f.put("node", status.node());
        f.put("connected", status.connected());
        f.put("config_version", status.configVersion());
        List<Object> nodes = new ArrayList<>();
        for (FleetLink.Node n : fleet.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            m.put("address", n.host() + ":" + n.port());
            m.put("config_version", n.configVersion());
            m.put("uptime_s", n.uptimeSeconds());
            m.put("clients", n.clientConnections());
            m.put("statements_per_s", Math.round(n.queriesPerSecond() * 10) / 10.0);
            m.put("writer_for", List.copyOf(n.writerFor()));
            m.put("self", n.self());
            nodes.add(m);
        }
        f.put("nodes", nodes);
        return f;
    }
}
