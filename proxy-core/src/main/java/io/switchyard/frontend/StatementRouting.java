package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchyard.frontend.state.SessionState;
import io.switchyard.frontend.state.SessionStateTracker;
import io.switchyard.frontend.state.StatementEffect;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.Frame;
import io.switchyard.protocol.ResponseTracker;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.Wire;
import io.switchyard.routing.QueryContext;
import io.switchyard.routing.QueryDigest;
import io.switchyard.routing.QueryRules;
import io.switchyard.routing.RuleOutcome;
import io.switchyard.topology.UserConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decides where each statement of a session runs when query rules are configured: the rules'
 * OK_msg, error_msg, rewrite and destination hostgroup, unless the session must stay on the
 * connection it used last. It stays while a transaction is open (the backend's IN_TRANS flag,
 * or autocommit off), while the session holds state that cannot move (temporary tables, locks,
 * user variables from expressions, SQL-level prepared statements: see
 * {@link SessionStateTracker}), while protocol-level prepared statements are open, for the
 * statement right after a write or {@code SQL_CALC_FOUND_ROWS} when it reads
 * {@code LAST_INSERT_ID()}, {@code ROW_COUNT()} or {@code FOUND_ROWS()} (so they read the right
 * connection), and for good once a rule with
 * {@code multiplex = 0} matched. Everything else it tracks ({@code SET} statements, {@code USE})
 * is replayed on the next connection by {@link HostgroupLeases}.
 *
 * <p>Confined to the session's event loop.
 */
final class StatementRouting {
    /** ProxySQL's code for a statement blocked by a query rule's error_msg. */
    static final int BLOCKED_CODE = 1148;

    /**
     * Where and what to run: an OK or ERR to answer instead, or the hostgroup and, when a rule
     * rewrote the statement, its new frames.
     */
    record Decision(int hostgroup, List<Frame> rewritten, String ok, ErrPacket error) {}

    private final FrontendContext context;
    private SessionStateTracker tracker;
    private boolean keepForNext;
    private boolean pinnedByRule;
    private int openStatements;

    StatementRouting(FrontendContext context) {
        this.context = context;
    }

    /** True when rules are configured; otherwise statements simply go to the user's hostgroup. */
    boolean active() {
        return !context.router().rules().rules().isEmpty();
    }

    /** Starts over (login, COM_CHANGE_USER, COM_RESET_CONNECTION). */
    void reset() {
        tracker = null;
        keepForNext = false;
        pinnedByRule = false;
        openStatements = 0;
    }

    /** The session state connections must carry before a statement runs. */
    SessionState state(String schema) {
        return tracker == null ? SessionState.initial(schema) : tracker.state().withSchema(schema);
    }

    Decision decide(UserConfig user, String schema, String clientHost, List<Frame> frames, int statusFlags,
                    int currentHostgroup, int defaultHostgroup) {
        if (tracker == null) {
            tracker = new SessionStateTracker(SessionState.initial(schema));
        }
        Frame first = frames.get(0);
        boolean mustStay = currentHostgroup >= 0 && (ServerStatus.has(statusFlags, ServerStatus.IN_TRANS)
                || Boolean.FALSE.equals(tracker.state().autocommit()) || !tracker.pins().isEmpty()
                || openStatements > 0 || pinnedByRule || frames.size() > 1);
        if (frames.size() > 1) {
            keepForNext = false;
            return new Decision(mustStay ? currentHostgroup : defaultHostgroup, null, null, null);
        }
        ByteBuf payload = first.payload();
        String sql = payload.toString(payload.readerIndex() + 1, payload.readableBytes() - 1, StandardCharsets.UTF_8);
        QueryDigest digest = QueryDigest.of(sql);
        QueryRules rules = context.router().rules();
        RuleOutcome outcome = rules.evaluate(QueryContext.of(user.username(), schema, clientHost, sql, digest.text(), digest.hash()));
        if (outcome.answeredWithOk()) {
            return new Decision(currentHostgroup, null, outcome.okMsg(), null);
        }
        if (outcome.blocked()) {
            return new Decision(currentHostgroup, null, null, new ErrPacket(BLOCKED_CODE, "42000", outcome.errorMsg()));
        }
        String query = outcome.query(sql);
        StatementEffect effect = tracker.onStatement(query);
        mustStay |= currentHostgroup >= 0 && keepForNext && effect.readsPreviousResult();
        keepForNext = effect.keepConnectionForNextStatement();
        if (outcome.multiplex() == RuleOutcome.Multiplex.DISABLE) {
            pinnedByRule = true;
        }
        Integer destination = outcome.destinationHostgroup();
        int hostgroup = mustStay ? currentHostgroup : destination != null ? destination : defaultHostgroup;
        List<Frame> rewritten = null;
        if (outcome.rewritten()) {
            ByteBuf body = ByteBufAllocator.DEFAULT.buffer(query.length() + 1);
            body.writeByte(Command.QUERY.code).writeCharSequence(query, StandardCharsets.UTF_8);
            if (body.readableBytes() < Wire.MAX_PAYLOAD) {
                rewritten = List.of(Frame.of(0, body));
            } else {
                body.release();
            }
        }
        return new Decision(hostgroup, rewritten, null, null);
    }

    /** Notes the outcome of a command that ran on the current connection. */
    void completed(Command command, ResponseTracker response, String schema) {
        if (tracker == null) {
            tracker = new SessionStateTracker(SessionState.initial(schema));
        }
        if (response.error() != null) {
            return;
        }
        switch (command) {
            case STMT_PREPARE -> openStatements++;
            case INIT_DB -> tracker.onInitDb(schema);
            case RESET_CONNECTION -> {
                tracker.onReset(SessionState.initial(schema));
                openStatements = 0;
                keepForNext = false;
            }
            default -> { }
        }
    }

    /** A COM_STMT_CLOSE went to the current connection. */
    void statementClosed() {
        if (openStatements > 0) {
            openStatements--;
        }
    }
}
