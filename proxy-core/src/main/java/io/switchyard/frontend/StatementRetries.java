package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProxyError;
import io.switchyard.routing.RuleOutcome;
import io.switchyard.runtime.GlobalVariables;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a session's text statements with their retries, timeout and delay (see
 * {@link StatementAttempt}): the one running now, if any, lives here. The session calls in when a
 * statement starts, when its connection fails and when its reply ends.
 *
 * <p>Confined to the session's event loop.
 */
final class StatementRetries {
    private static final Logger log = LoggerFactory.getLogger(StatementRetries.class);

    private final ClientSession session;
    private StatementAttempt attempt;

    StatementRetries(ClientSession session) {
        this.session = session;
    }

    /**
     * Starts a statement: retries, timeout and delay from the matching rules (or the variables).
     *
     * @param sessionFree nothing tied the session to a connection before the statement
     */
    void start(StatementRouting.Decision d, io.netty.buffer.ByteBuf packets, boolean sessionFree) {
        GlobalVariables vars = session.context().variables();
        RuleOutcome rules = d.rules();
        int retries = rules != null && rules.retries() != null ? rules.retries() : vars.intValue("mysql-query_retries_on_failure");
        long timeout = rules != null && rules.timeout() != null ? rules.timeout() : vars.intValue("mysql-default_query_timeout");
        StatementAttempt a = new StatementAttempt(packets, d.hostgroup(), d.kind(), sessionFree, retries, timeout,
                vars.intValue("mysql-writer_wait_timeout"));
        attempt = a;
        if (rules != null && rules.delay() != null && rules.delay() > 0) {
            session.waiting();
            session.loop().schedule(() -> {
                if (attempt == a && !session.isClosed()) {
                    run(a);
                }
            }, rules.delay(), TimeUnit.MILLISECONDS);
        } else {
            run(a);
        }
    }

    /** Runs (or runs again) a statement on its hostgroup, with its timeout. */
    private void run(StatementAttempt a) {
        Runnable go = () -> {
            session.send(Command.QUERY, a.packetsForSend());
            a.armTimeout(session.loop(), () -> timedOut(a));
        };
        session.onHostgroup(a.hostgroup(), a.avoid(), go, err -> {
            if (ProxyError.BACKEND_UNREACHABLE.matches(err) && a.mayRetry(false)) {
                a.avoid(session.leases().lastFailedPool());
                retryLater(a);
            } else {
                end();
                session.recordStatement(err.code(), 0, 0);
                session.reply(err);
            }
        });
    }

    /** Runs the statement again after a backoff; the session takes no other command meanwhile. */
    private void retryLater(StatementAttempt a) {
        session.context().stats().retried();
        long wait = a.nextBackoffMillis(session.context().variables().intValue("mysql-query_retry_backoff_ms"));
        session.waiting();
        session.loop().schedule(() -> {
            if (attempt == a && !session.isClosed()) {
                run(a);
            }
        }, wait, TimeUnit.MILLISECONDS);
    }

    /**
     * The statement ran past its timeout: the client gets error 1907 at once (unless part of the
     * result already went out; then the server's own error ends it), and the statement is killed
     * on the server ({@code KILL QUERY}) so the connection comes back clean.
     */
    private void timedOut(StatementAttempt a) {
        BackendConnection c = session.runningOn();
        if (attempt != a || c == null) {
            return;
        }
        session.context().stats().timedOut();
        log.info("session {}: statement exceeded its timeout of {} ms on {}; killing it", session.id(), a.timeoutMillis(), c.address());
        if (!c.bytesRelayed()) {
            a.markTimedOut();
            ErrPacket err = ProxyError.QUERY_TIMEOUT.format(a.timeoutMillis());
            session.recordStatement(err.code(), 0, 0);
            session.reply(err);
        }
        session.killRunningQuery();
    }

    /**
     * The running statement's connection failed; true when the statement will run again (the
     * session then waits), false when the session must report the failure.
     */
    boolean retryAfterFailure(BackendConnection failed, boolean bytesRelayed) {
        if (attempt == null || bytesRelayed || !attempt.mayRetry(true)) {
            return false;
        }
        attempt.avoid(session.context().runtime().pool(failed.address()));
        retryLater(attempt);
        return true;
    }

    /** True when the client already got the timeout error: the server's reply is dropped. */
    boolean answered() {
        return attempt != null && attempt.timedOut();
    }

    /** The statement is over (or the session ends). */
    void end() {
        if (attempt != null) {
            attempt.finish();
            attempt = null;
        }
    }
}
