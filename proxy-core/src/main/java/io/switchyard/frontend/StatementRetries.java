package io.switchyard.frontend;

import io.netty.channel.EventLoop;
import io.switchyard.backend.BackendConnection;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProxyError;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.routing.RuleOutcome;
import io.switchyard.runtime.GlobalVariables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a session's text statements with their retries, timeout and delay (see
 * {@link StatementAttempt}): the one running now, if any, lives here. A statement starts here;
 * the {@link BackendSide} reports its end, or its connection's failure, as to any
 * {@link ResponseListener}.
 *
 * <p>Confined to the session's event loop.
 */
final class StatementRetries implements ResponseListener {
    private static final Logger log = LoggerFactory.getLogger(StatementRetries.class);

    private final FrontendContext context;
    private final SessionInfo info;
    private final BackendSide backend;
    private final SessionControl session;
    private final SessionActivity activity;
    private final StatementRouting routing;
    private StatementAttempt attempt;

    StatementRetries(SessionParts parts) {
        this.context = parts.context();
        this.info = parts.info();
        this.backend = parts.backend();
        this.session = parts.session();
        this.activity = parts.activity();
        this.routing = parts.routing();
    }

    /**
     * Starts a statement: retries, timeout and delay from the matching rules (or the variables).
     *
     * @param sessionFree nothing tied the session to a connection before the statement
     */
    void start(StatementRouting.Decision d, io.netty.buffer.ByteBuf packets, boolean sessionFree) {
        GlobalVariables vars = context.variables();
        RuleOutcome rules = d.rules();
        int retries = rules != null && rules.retries() != null ? rules.retries() : vars.intValue("mysql-query_retries_on_failure");
        long timeout = rules != null && rules.timeout() != null ? rules.timeout() : vars.intValue("mysql-default_query_timeout");
        StatementAttempt a = new StatementAttempt(packets, d.hostgroup(), d.kind(), !routing.tracker().traits().functions().isEmpty(),
                sessionFree, retries, timeout, vars.intValue("mysql-writer_wait_timeout"));
        attempt = a;
        if (rules != null && rules.delay() != null && rules.delay() > 0) {
            runAfter(a, rules.delay());
        } else {
            run(a);
        }
    }

    /** Runs (or runs again) a statement on its hostgroup, with its timeout. */
    private void run(StatementAttempt a) {
        Runnable go = () -> {
            backend.send(Command.QUERY, a.packetsForSend(), this);
            a.armTimeout(backend.loop(), () -> timedOut(a));
        };
        backend.runStatement(a.hostgroup(), a.avoid(), go, err -> {
            if (a.waitsForServer(err, backend.lastFailedPool())) {
                traceEvent("wait for a usable server");
                retryLater(a);
            } else {
                if (backend.tiedToServer()) {
                    log.info("session {}: a statement of a session tied to its connection found none: {}", info.id(), err.message());
                }
                end();
                backend.recordStatement(err.code(), 0, 0);
                session.reply(err);
            }
        });
    }

    /** Runs the statement again after a backoff, unless it was ended meanwhile; the session takes no other command meanwhile. */
    private void retryLater(StatementAttempt a) {
        a.retryLater(context, session, backend.loop(), () -> runIfCurrent(a));
    }

    /** Runs the statement after {@code millis}, unless it was ended meanwhile; commands queue until then. */
    private void runAfter(StatementAttempt a, long millis) {
        StatementAttempt.after(session, backend.loop(), millis, () -> runIfCurrent(a));
    }

    private void runIfCurrent(StatementAttempt a) {
        if (attempt == a) {
            run(a);
        }
    }

    /**
     * The statement ran past its timeout: the client gets error 1907 at once (unless part of the
     * result already went out; then the server's own error ends it), and the statement is killed
     * on the server ({@code KILL QUERY}) so the connection comes back clean.
     */
    private void timedOut(StatementAttempt a) {
        BackendConnection c = backend.runningOn();
        if (attempt != a || c == null) {
            return;
        }
        context.stats().timedOut();
        traceEvent("timeout: killed on the server");
        log.info("session {}: statement exceeded its timeout of {} ms on {}; killing it", info.id(), a.timeoutMillis(), c.address());
        if (!c.bytesRelayed()) {
            a.markTimedOut();
            ErrPacket err = ProxyError.QUERY_TIMEOUT.format(a.timeoutMillis());
            backend.recordStatement(err.code(), 0, 0);
            session.reply(err);
        }
        killRunningQuery();
    }

    /**
     * Kills the running statement on its server: {@code KILL QUERY} over the monitor's
     * connection, or over a data-path connection of the session's user when that fails.
     */
    private void killRunningQuery() {
        BackendLease.KillTarget target = backend.killTarget();
        if (target == null) {
            return;
        }
        EventLoop loop = backend.loop();
        context.killer().killQuery(target.pool().address(), target.threadId()).whenComplete((done, failure) -> {
            if (failure != null) {
                loop.execute(() -> new KillStatement(true, info.id()).runOn(target, info.connectionKey(), loop));
            }
        });
    }

    /**
     * The running statement's connection failed; true when the statement will run again (the
     * session then waits), false when the session must report the failure.
     */
    @Override
    public boolean retried(BackendConnection failed, boolean bytesRelayed) {
        if (attempt == null || bytesRelayed || !attempt.mayRetry(true)) {
            return false;
        }
        attempt.avoid(context.runtime().pool(failed.address()));
        traceEvent("retry");
        retryLater(attempt);
        return true;
    }

    /** An event of the statement's span, while tracing is on. */
    private void traceEvent(String name) {
        if (context.stats().tracing().on()) {
            activity.event(name);
        }
    }

    @Override
    public boolean retriedAfterTransaction(BackendConnection failed) {
        if (attempt == null || attempt.timedOut()) {
            return false;
        }
        attempt.avoid(context.runtime().pool(failed.address()));
        session.enter(SessionPhase.CONNECTING);
        run(attempt);
        return true;
    }

    /** True when the client already got the timeout error: the server's reply is dropped. */
    @Override
    public boolean answered() {
        return attempt != null && attempt.timedOut();
    }

    @Override
    public void completed(Command command, BackendConnection connection, ResponseTracker tracker) {
        end();
    }

    @Override
    public void ended() {
        end();
    }

    /** The statement is over (or the session ends). */
    void end() {
        if (attempt != null) {
            attempt.finish();
            attempt = null;
        }
    }
}
