package io.switchyard.frontend;

import io.netty.channel.EventLoop;
import io.switchyard.backend.BackendConnection;
import io.switchyard.protocol.ErrPacket;

/**
 * The session that {@link HostgroupLeases} borrow connections for: the event loop they are
 * borrowed on, whether the session has ended (a connection that arrives then goes straight back
 * to its pool), and what it is told: the connection it asked for is ready, or none could be had.
 * As the holder of the connections it also hears when their writability changes or one closes.
 *
 * <p>Called on the session's event loop.
 */
interface LeaseListener extends BackendConnection.Holder {

    EventLoop loop();

    boolean closed();

    /**
     * Makes {@code c}, just borrowed for the session's next statement and not yet brought to the
     * session's state, fit to serve it where it can; false when it cannot, and it is closed for
     * another (a memory limit, a global from before a change: {@link BackendSide#fit}).
     */
    default boolean fit(BackendConnection c) {
        return true;
    }

    /** The hostgroup's connection is current and carries the session's state. */
    void leased();

    /** No connection could be had, or it could not be brought to the session's state; {@code err} is for the client. */
    void leaseFailed(ErrPacket err);

    /**
     * The connection the session held broke while it was brought to the session's state (after
     * an execution left other character sets there): a loss between two of the session's
     * commands, not a connection that could not be had. {@code err} is for the client.
     */
    void heldLeaseBroken(BackendConnection c, Throwable cause, ErrPacket err);
}
