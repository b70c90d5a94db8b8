package io.switchyard.frontend;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.ServerAddress;
import io.switchyard.digest.QueryDigest;
import io.switchyard.protocol.Command;
import io.switchyard.runtime.GlobalVariables;
import io.switchyard.stats.EventsLog;
import io.switchyard.stats.StatementKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a session is doing now: the process list reads it from other threads (volatile fields,
 * each individually current), and the session reads the running statement's digest, kind,
 * hostgroup and start time back when it finishes, for the statistics.
 */
final class SessionActivity {
    /** Statements matched by a query rule with {@code log = 1} while there is no events log, one line each. */
    private static final org.slf4j.Logger QUERY_LOG = org.slf4j.LoggerFactory.getLogger("io.switchyard.querylog");
    private static final int MAX_INFO = 1024;

    private volatile String info;
    private volatile Command command;
    private volatile long sinceNanos = System.nanoTime();
    private volatile int hostgroup = -1;
    private volatile BackendConnection backend;
    private QueryDigest digest;
    private StatementKind kind;
    /** The {@code log} of the query rules that matched: true, false, or null when none said. */
    private Boolean ruleLog;
    // For the statement's span, while tracing is on (see record).
    /** The statement's whole text (the caller's span is read from it only while tracing is on). */
    private String text;
    private List<Integer> ruleIds = List.of();
    private long connectionWaitNanos;
    private List<TraceEvent> events;

    /** Something that happened to the statement, for its span: what, and when (ns since the epoch). */
    private record TraceEvent(String name, long epochNanos) {}

    /** A command started. */
    void started(Command command) {
        this.command = command;
        this.info = null;
        this.sinceNanos = System.nanoTime();
        this.digest = null;
        this.kind = null;
        this.ruleLog = null;
        this.text = null;
        this.ruleIds = List.of();
        this.connectionWaitNanos = 0;
        this.events = null;
    }

    /** The query rules that matched said {@code log} (1 or 0) for the statement; null when none said. */
    void ruleLog(Boolean log) {
        this.ruleLog = log;
    }

    String info() {
        return info;
    }

    /** The command is a statement with this digest and kind: it will be counted in the statistics. */
    void classified(QueryDigest digest, StatementKind kind, String text) {
        this.digest = digest;
        this.kind = kind;
        describe(text);
        this.text = text;
    }

    /** The query rules that matched the statement (for its span). */
    void rules(List<Integer> ids) {
        this.ruleIds = ids;
    }

    /** The statement waited {@code nanos} for a backend connection (for its span). */
    void connectionWaited(long nanos) {
        this.connectionWaitNanos += nanos;
    }

    /** Something happened to the statement on its way (a retry, a wait for a usable server, a timeout): an event of its span. */
    void event(String name) {
        if (events == null) {
            events = new ArrayList<>(2);
        }
        events.add(new TraceEvent(name, epochNanos()));
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    /** The text of the running statement, for the process list and the query log (kept truncated). */
    void describe(String text) {
        this.info = text == null || text.length() <= MAX_INFO ? text : text.substring(0, MAX_INFO);
    }

    /** The command runs on {@code backend} in {@code hostgroup}. */
    void runningOn(int hostgroup, BackendConnection backend) {
        this.hostgroup = hostgroup;
        this.backend = backend;
    }

    /** The command finished; the session sleeps. */
    void finished() {
        this.command = null;
        this.info = null;
        this.hostgroup = -1;
        this.backend = null;
        this.sinceNanos = System.nanoTime();
    }

    /**
     * Counts the finished statement in the statistics, and logs it to the events log
     * ({@code mysql-eventslog_filename}) when a rule asked to, when every statement is logged
     * ({@code mysql-eventslog_default_log}, unless a rule said {@code log = 0}), or when it was
     * slower than {@code mysql-long_query_time}; commands that are not statements (no digest) are
     * neither counted nor logged.
     */
    void record(FrontendContext context, long sessionId, String user, String schema, String clientHost, int errorCode,
                long affectedRows, long rows) {
        if (digest == null) {
            return;
        }
        long micros = elapsedMicros();
        GlobalVariables v = context.variables();
        long slowMicros = v.intValue("mysql-long_query_time") * 1000L;
        context.stats().statementDone(hostgroup, schema, user, clientHost, digest, kind, micros, affectedRows, rows, errorCode,
                slowMicros);
        Tracer tracer = context.stats().tracing().tracer();
        if (tracer != null) {
            span(tracer, sessionId, schema, errorCode, rows);
        }
        String eventsFile = v.get("mysql-eventslog_filename");
        if (eventsFile.isEmpty()) {
            if (Boolean.TRUE.equals(ruleLog)) {
                QUERY_LOG.info("session={} user={} schema={} client={} hostgroup={} time_us={} rows={} affected={} error={} query={}",
                        sessionId, user, schema, clientHost, hostgroup, micros, rows, affectedRows, errorCode, info);
            }
            return;
        }
        boolean wanted = ruleLog != null ? ruleLog : v.intValue("mysql-eventslog_default_log") == 1;
        if (wanted || (slowMicros > 0 && micros > slowMicros)) {
            BackendConnection b = backend;
            context.stats().events().offer(new EventsLog.Event(System.currentTimeMillis(), sessionId, user, schema,
                    clientHost, hostgroup, b == null ? null : b.address().toString(), digest.hashHex(), digest.text(), micros, rows,
                    affectedRows, errorCode), eventsFile, v.intValue("mysql-eventslog_filesize"));
        }
    }

    /**
     * The finished statement as an OpenTelemetry span (database client semantic conventions),
     * child of the caller's span when the statement named one ({@link Traceparent}), from its
     * start to now, with its events.
     */
    private void span(Tracer tracer, long sessionId, String schema, int errorCode, long rows) {
        long end = epochNanos();
        long start = end - (System.nanoTime() - sinceNanos);
        SpanContext callerSpan = Traceparent.of(text);
        Context parent = callerSpan == null ? Context.root()
                : Context.root().with(Span.wrap(callerSpan));
        // Sampled first, with nothing but the parent: a statement not traced costs no attributes.
        Span span = tracer.spanBuilder(kind.name()).setParent(parent)
                .setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(start, TimeUnit.NANOSECONDS)
                .startSpan();
        if (!span.isRecording()) {
            return;
        }
        BackendConnection b = backend;
        span.setAttribute("db.system.name", "mariadb")
                .setAttribute("db.operation.name", kind.name())
                .setAttribute("db.query.summary", digest.text())
                .setAttribute("db.response.returned_rows", rows)
                .setAttribute("switchyard.session", sessionId)
                .setAttribute("switchyard.hostgroup", (long) hostgroup)
                .setAttribute("switchyard.connection_waited", connectionWaitNanos >= 1_000_000)
                .setAttribute("switchyard.connection_wait_ms", connectionWaitNanos / 1_000_000.0);
        if (schema != null) {
            span.setAttribute("db.namespace", schema);
        }
        if (b != null) {
            span.setAttribute("server.address", b.address().host()).setAttribute("server.port", (long) b.address().port());
        }
        if (!ruleIds.isEmpty()) {
            span.setAttribute("switchyard.rule_id", (long) ruleIds.get(ruleIds.size() - 1));
        }
        long retries = 0;
        for (TraceEvent e : events == null ? List.<TraceEvent>of() : events) {
            retries += e.name().equals("retry") ? 1 : 0;
            span.addEvent(e.name(), e.epochNanos(), TimeUnit.NANOSECONDS);
        }
        span.setAttribute("switchyard.retries", retries);
        if (errorCode != 0) {
            span.setAttribute("db.response.status_code", Integer.toString(errorCode));
            span.setAttribute("error.type", Integer.toString(errorCode));
            span.setStatus(StatusCode.ERROR);
        }
        span.end(end, TimeUnit.NANOSECONDS);
    }

    QueryDigest digest() {
        return digest;
    }

    StatementKind kind() {
        return kind;
    }

    int hostgroup() {
        return hostgroup;
    }

    long elapsedMicros() {
        return (System.nanoTime() - sinceNanos) / 1_000;
    }

    /**
     * The process list's row: the connection a running command uses, else the one the session
     * holds between statements ({@code held}: a transaction, a pin, the previous statement's
     * results), else none.
     */
    ProcessInfo snapshot(long sessionId, String user, String schema, String clientHost, int clientPort, SessionPhase phase,
                         BackendLease.KillTarget held) {
        BackendConnection b = backend;
        int group = hostgroup;
        Command c = command;
        String label = switch (phase) {
            case LOGIN -> "Connect";
            case CONNECTING -> c == null ? "Connecting" : "Connecting for " + c.label();
            default -> c == null ? "Sleep" : c == Command.QUERY ? "Query" : c.label();
        };
        long millis = (System.nanoTime() - sinceNanos) / 1_000_000;
        if (b != null) {
            return new ProcessInfo(sessionId, user, schema, clientHost, clientPort, group, b.address().host(),
                    b.address().port(), b.threadId(), label, millis, info);
        }
        if (held != null && c == null) {
            ServerAddress server = held.pool().address();
            return new ProcessInfo(sessionId, user, schema, clientHost, clientPort, held.hostgroup(), server.host(),
                    server.port(), held.threadId(), label, millis, info);
        }
        return new ProcessInfo(sessionId, user, schema, clientHost, clientPort, -1, null, 0, -1, label, millis, info);
    }
}
