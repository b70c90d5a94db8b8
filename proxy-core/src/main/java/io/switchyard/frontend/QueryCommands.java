package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.Future;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.Wire;
import java.nio.charset.StandardCharsets;
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
    private final SessionParts parts;
    private final StatementRetries retries;
    private final StatementMirror mirror;

    QueryCommands(SessionParts parts) {
        this.parts = parts;
        this.retries = new StatementRetries(parts);
        this.mirror = new StatementMirror(parts.context());
    }

    /** Ends the running statement's retries and timeout (the session ends). */
    void end() {
        retries.end();
    }

    void run(List<Frame> frames) {
        ByteBuf payload = frames.get(0).payload();
        KillStatement kill = KillStatement.parse(payload);
        ClientSession target = kill == null ? null : parts.context().sessions().find(kill.sessionId());
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
        if (target.id() == parts.info().id() && !kill.queryOnly()) {
            target.closeNow();
            return;
        }
        SessionControl session = parts.session();
        session.enter(SessionPhase.BUSY);
        kill.runOn(target.killTarget(), parts.info().connectionKey(), parts.backend().loop()).addListener((Future<ErrPacket> f) -> {
            ErrPacket err = f.getNow();
            if (err == null && !kill.queryOnly()) {
                target.loop().execute(target::closeNow);
            }
            if (!session.closed()) {
                session.reply(err);
                session.resume();
            }
        });
    }

    /**
     * {@code frames} (one {@code COM_QUERY}) with the text of
     * {@link SessionStateTracker#clientTrackingForOneStatement} put
     * before the statement's bytes (ASCII, so whatever the client's character set), when the
     * statement needs it and the result still fits one packet; else {@code frames} as they are.
     */
    private List<Frame> withClientTrackingForOneStatement(List<Frame> frames) {
        SessionStateTracker tracker = parts.routing().tracker();
        String prefix = tracker.clientTrackingForOneStatement();
        if (prefix == null || frames.size() != 1) {
            return frames;
        }
        ByteBuf payload = frames.get(0).payload();
        int length = 1 + prefix.length() + payload.readableBytes() - 1;
        if (length >= Wire.MAX_PAYLOAD) {
            return frames;
        }
        ByteBuf body = payload.alloc().buffer(length);
        body.writeByte(Command.QUERY.code).writeCharSequence(prefix, StandardCharsets.US_ASCII);
        body.writeBytes(payload, payload.readerIndex() + 1, payload.readableBytes() - 1);
        frames.forEach(Frame::release);
        tracker.clientTrackingPrefixed();
        return List.of(Frame.of(0, body));
    }

    /**
     * Applies the query rules to a statement and runs it on the hostgroup they name, unless the
     * session must stay where it is (transaction, pinned state): see {@link StatementRouting}.
     */
    private void route(List<Frame> frames) {
        BackendSide backend = parts.backend();
        // Autocommit off between transactions ties nothing another connection cannot be given.
        boolean tiedBefore = parts.routing().tied() && !parts.routing().betweenTransactionsWithAutocommitOff();
        StatementRouting.Decision d = parts.routing().decide(frames, backend.currentHostgroup(), backend.previousHostgroup());
        // A statement that reads the last one's results (warnings, ROW_COUNT(), ...) must not run
        // again on another connection, where they are not.
        boolean free = !tiedBefore && !parts.routing().readsPreviousResult(parts.routing().tracker().traits());
        parts.activity().classified(d.digest(), d.kind(), d.query());
        if (d.ok() != null || d.error() != null) {
            frames.forEach(Frame::release);
            backend.recordStatement(d.error() == null ? 0 : d.error().code(), 0, 0);
            parts.session().reply(d.error());
            return;
        }
        List<Frame> toSend = d.rewritten() != null ? d.rewritten() : frames;
        // A mirror's copy: the statement's text as it goes to the server, byte for byte.
        ByteBuf first = toSend.get(0).payload();
        byte[] mirrored = d.rules() != null && d.rules().mirrorHostgroup() != null
                ? ByteBufUtil.getBytes(first, first.readerIndex() + 1, first.readableBytes() - 1) : null;
        if (d.rewritten() != null) {
            frames.forEach(Frame::release);
        }
        toSend = withClientTrackingForOneStatement(toSend);
        parts.activity().ruleLog(d.rules() == null ? null : d.rules().log());
        if (d.rules() != null && parts.context().stats().tracing().on()) {
            parts.activity().rules(d.rules().matchedRuleIds());
        }
        if (mirrored != null) {
            mirror.mirror(d.rules().mirrorHostgroup(), parts.info().connectionKey(), parts.info().schema(), mirrored, backend.loop());
        }
        ByteBuf packets = CommandQueue.join(toSend);
        switch (d.step()) {
            case COMMIT_READER -> backend.continuity().commitReaderTransaction(() -> retries.start(d, packets, false));
            case MOVE_TO_WRITER -> backend.continuity().moveReaderTransaction(d.hostgroup(), () -> retries.start(d, packets, false),
                    packets::release);
            case CARRY_CHARACTERISTICS -> backend.continuity().carryCharacteristics(d.hostgroup(),
                    parts.routing().nextTransactionCharacteristics(), () -> retries.start(d, packets, false), packets::release);
            case NONE -> retries.start(d, packets, free);
        }
    }
}
