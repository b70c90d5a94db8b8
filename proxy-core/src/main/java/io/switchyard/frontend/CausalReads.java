package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.GtidPosition;
import io.switchyard.backend.InternalQuery;
import io.switchyard.backend.ServerHealth;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ServerStatus;
import java.util.function.Consumer;

/**
 * Causal reads ({@code mysql-causal_reads}, or a query rule's {@code causal_reads}): a read sent
 * to a replica of a replication pair sees the session's last write ({@code local}, {@code fast})
 * or every session's ({@code global}), by MariaDB GTID. The replica is known to have the write
 * (the monitor's {@code gtid_current_pos}, or an earlier wait), or shows it has with
 * {@code MASTER_GTID_WAIT}, or the read runs on the pair's writer.
 *
 * <p>Confined to the session's event loop.
 */
final class CausalReads {
    private final FrontendContext context;
    private final SessionInfo info;
    private final StatementRouting routing;
    private final SessionControl session;
    private final BackendSide backend;

    CausalReads(FrontendContext context, SessionInfo info, StatementRouting routing, SessionControl session, BackendSide backend) {
        this.context = context;
        this.info = info;
        this.routing = routing;
        this.session = session;
        this.backend = backend;
    }

    /**
     * Runs a statement's {@code action} on {@code hostgroup} as {@link BackendSide#onHostgroup}
     * does; when that is the reader hostgroup of a replication pair and {@code mysql-causal_reads}
     * asks for it, the replica first shows that it has the write the read must see, or the
     * statement runs on the pair's writer instead.
     */
    void runStatement(int hostgroup, BackendPool avoid, Runnable action, Consumer<ErrPacket> failed) {
        GtidPosition required = causalPosition(hostgroup);
        if (required == null) {
            backend.onHostgroup(hostgroup, avoid, action, failed);
            return;
        }
        backend.onHostgroup(hostgroup, avoid, () -> causally(hostgroup, required, action, failed), failed);
    }

    /** The position a read on {@code hostgroup} must see, or null when it need not wait (not a reader, or inside a transaction). */
    private GtidPosition causalPosition(int hostgroup) {
        String mode = routing.causalReads();
        if (mode.equals("off") || ServerStatus.has(info.statusFlags(), ServerStatus.IN_TRANS) || context.router().writerHostgroupOf(hostgroup) < 0) {
            // Inside a transaction the snapshot its first statement took decides what it sees.
            return null;
        }
        GtidPosition required = mode.equals("global") ? context.writes().newest() : GtidPosition.parse(routing.tracker().lastGtid());
        return required.isEmpty() ? null : required;
    }

    /**
     * On the reader connection now current: runs {@code action} there when its server is known to
     * have {@code required}, or after {@code MASTER_GTID_WAIT} says it has (within
     * {@code mysql-causal_reads_timeout}); otherwise (timeout, error, or mode {@code fast}) on the
     * pair's writer.
     */
    private void causally(int hostgroup, GtidPosition required, Runnable action, Consumer<ErrPacket> failed) {
        BackendConnection c = backend.connection();
        BackendPool pool = context.runtime().pool(c.address());
        ServerHealth health = pool == null ? null : pool.health();
        if (health != null && health.gtidPosition().covers(required)) {
            action.run();
            return;
        }
        int writer = context.router().writerHostgroupOf(hostgroup);
        if (routing.causalReads().equals("fast") || health == null) {
            context.stats().causalReadOnWriter();
            backend.onHostgroup(writer, null, action, failed);
            return;
        }
        context.stats().causalWait();
        long timeout = context.variables().intValue("mysql-causal_reads_timeout");
        session.enter(SessionPhase.CONNECTING);
        c.executeInternal(Command.QUERY, "SELECT MASTER_GTID_WAIT('" + required + "', " + timeout / 1000 + "." + String.format("%03d", timeout % 1000) + ")",
                new InternalQuery((row, err, failure) -> {
                    if (session.closed()) {
                        return;
                    }
                    session.enter(SessionPhase.READY);
                    if (failure != null) {
                        backend.discard(c);
                    }
                    if (failure == null && err == null && row != null && "0".equals(row.get(0))) {
                        health.gtidReached(required);
                        action.run();
                        return;
                    }
                    context.stats().causalReadOnWriter();
                    backend.onHostgroup(writer, null, action, failed);
                }));
    }
}
