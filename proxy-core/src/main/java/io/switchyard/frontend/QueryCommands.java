package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import java.util.List;

/**
 * A session's text statements ({@code COM_QUERY}): a {@code KILL} of a proxy session id is
 * translated to the backend thread serving it; anything else goes through the query rules
 * (OK_msg, error_msg, rewrite, destination, mirror, log) and runs with its retries, timeout and
 * delay ({@link StatementRetries}).
 *
 * <p>Confined to the session's event loop.
 */
final class QueryCommands {
    private final ClientSession session;
    private final StatementRetries retries;
    private final StatementMirror mirror;

    QueryCommands(ClientSession session, FrontendContext context) {
        this.session = session;
        this.retries = new StatementRetries(session);
        this.mirror = new StatementMirror(context);
    }

    /** The running statement's retries and timeout, which the relay consults. */
    StatementRetries retries() {
        return retries;
    }

    void run(List<Frame> frames) {
        ByteBuf payload = frames.get(0).payload();
        KillStatement kill = KillStatement.parse(payload);
        ClientSession target = kill == null ? null : session.context().sessions().find(kill.sessionId());
        if (target != null) {
            frames.forEach(Frame::release);
            kill(kill, target);
            return;
        }
        route(frames);
    }

    /**
     * Runs a KILL of a proxy session id (the id clients get in the greeting) as a KILL of the
     * backend thread serving that session ({@link KillStatement#runOn}); {@code KILL CONNECTION}
     * also ends the target session.
     */
    private void kill(KillStatement kill, ClientSession target) {
        if (target == session && !kill.queryOnly()) {
            session.closeNow();
            return;
        }
        session.busy();
        kill.runOn(target.leases().killTarget(), session.connectionKey(), session.loop()).addListener((Future<ErrPacket> f) -> {
            ErrPacket err = f.getNow();
            if (err == null && !kill.queryOnly()) {
                target.loop().execute(target::closeNow);
            }
            if (!session.isClosed()) {
                session.replyAndResume(err);
            }
        });
    }

    /**
     * Applies the query rules to a statement and runs it on the hostgroup they name, unless the
     * session must stay where it is (transaction, pinned state): see {@link StatementRouting}.
     */
    private void route(List<Frame> frames) {
        StatementRouting routing = session.routing();
        boolean free = !routing.tied(session.statusFlags());
        StatementRouting.Decision d = session.decide(frames);
        SessionActivity activity = session.activity();
        activity.classified(d.digest(), d.kind(), d.query());
        if (d.ok() != null || d.error() != null) {
            frames.forEach(Frame::release);
            session.recordStatement(d.error() == null ? 0 : d.error().code(), 0, 0);
            session.reply(d.error());
            return;
        }
        List<Frame> toSend = d.rewritten() != null ? d.rewritten() : frames;
        if (d.rewritten() != null) {
            frames.forEach(Frame::release);
        }
        if (d.rules() != null && Boolean.TRUE.equals(d.rules().log())) {
            activity.logWhenDone();
        }
        if (d.rules() != null && d.rules().mirrorHostgroup() != null) {
            mirror.mirror(d.rules().mirrorHostgroup(), session.connectionKey(), session.schema(), d.query(), session.loop());
        }
        retries.start(d, session.toPackets(toSend), free);
    }
}
