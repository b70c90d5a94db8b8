package io.switchyard.backend;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.switchyard.protocol.ProtocolException;

/**
 * Moves a {@link BackendConnection}'s channel from one event loop to another, and closes a
 * connection from any thread, including while it moves: the only work on a connection that
 * starts off its own loop. The pool moves an idle connection to a borrower's loop this way
 * instead of closing it and opening another one.
 *
 * <p>A move starts on the connection's loop while no session holds the connection; a close
 * request may come from any thread and is a volatile flag the arriving channel reads.
 */
final class LoopMove {
    private final BackendConnection connection;
    private volatile boolean closeRequested;

    LoopMove(BackendConnection connection) {
        this.connection = connection;
    }

    /**
     * Closes the connection whose channel is {@code channel} from any thread: on the event loop
     * it is on when the task runs, or, while it moves between loops, once it arrives.
     */
    void closeFromAnyThread(Channel channel) {
        closeRequested = true;
        EventLoop loop = channel.eventLoop();
        loop.execute(() -> {
            if (!channel.isRegistered()) {
                return; // moving: closed on arrival
            }
            if (channel.eventLoop() == loop) {
                connection.close();
            } else {
                closeFromAnyThread(channel);
            }
        });
    }

    /**
     * Moves the idle connection whose channel is {@code channel} to {@code target}: the channel
     * leaves its event loop and joins {@code target}'s, where the returned future completes. A
     * connection that cannot move, or was asked to close meanwhile, is closed and the future fails.
     */
    Future<BackendConnection> moveTo(Channel channel, EventLoop target) {
        Promise<BackendConnection> moved = target.newPromise();
        EventLoop from = channel.eventLoop();
        // Leaves in a task of its own and joins target's loop in a task queued after the
        // deregistration: a read the transport queued here for the channel (epoll queues one after
        // each read) runs on this loop before the move, never on it while the channel is on target's.
        from.execute(() -> channel.deregister().addListener(left -> {
            if (!left.isSuccess()) {
                connection.close();
                moved.tryFailure(left.cause());
                return;
            }
            from.execute(() -> target.register(channel).addListener(joined -> {
                if (joined.isSuccess() && !closeRequested) {
                    moved.trySuccess(connection);
                    return;
                }
                connection.close();
                moved.tryFailure(joined.isSuccess() ? new ProtocolException("closed by the proxy") : joined.cause());
            }));
        }));
        return moved;
    }
}
