package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.switchyard.backend.BackendConnection;
import io.switchyard.backend.BackendPool;
import io.switchyard.backend.ConnectionKey;
import io.switchyard.protocol.Command;
import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProxyError;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code KILL [QUERY | CONNECTION] id} statement. Clients take the id from the greeting or
 * {@code CONNECTION_ID()}, which on the proxy is the proxy's session id, so the proxy must
 * translate it to the backend thread that serves that session (Connector/J's query timeout
 * depends on it). Immutable.
 *
 * @param queryOnly true for {@code KILL QUERY}
 * @param sessionId the id the client named
 */
record KillStatement(boolean queryOnly, long sessionId) {
    private static final Pattern KILL = Pattern.compile(
            "\\s*KILL\\s+(?:(QUERY|CONNECTION)\\s+)?(\\d{1,19})\\s*;?\\s*", Pattern.CASE_INSENSITIVE);

    /** Parses a COM_QUERY payload (command byte first); null when it is not a plain KILL of an id. */
    static KillStatement parse(ByteBuf payload) {
        int start = payload.readerIndex() + 1;
        int end = payload.writerIndex();
        int i = start;
        while (i < end && Character.isWhitespace(payload.getByte(i))) {
            i++;
        }
        if (end - i < 6 || (payload.getByte(i) | 0x20) != 'k' || end - start > 64) {
            return null;
        }
        Matcher m = KILL.matcher(payload.toString(start, end - start, StandardCharsets.UTF_8));
        if (!m.matches()) {
            return null;
        }
        try {
            return new KillStatement("QUERY".equalsIgnoreCase(m.group(1)), Long.parseLong(m.group(2)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Runs the KILL on the target's server over a connection borrowed with the killer's
     * {@code key} (so the server applies its own privilege rules); a session holding no backend
     * connection has nothing to kill. The future, completed on
     * {@code loop}, holds the server's ERR, or null when the kill succeeded.
     */
    Future<ErrPacket> runOn(BackendLease.KillTarget target, ConnectionKey key, EventLoop loop) {
        Promise<ErrPacket> result = loop.newPromise();
        if (target == null) {
            return result.setSuccess(null);
        }
        BackendPool pool = target.pool();
        pool.acquire(loop, key, null).addListener((Future<BackendConnection> f) -> {
            if (!f.isSuccess()) {
                result.setSuccess(ProxyError.BACKEND_LOST.format(pool.address(), f.cause().getMessage()));
                return;
            }
            BackendConnection c = f.getNow();
            String sql = forBackend(target.threadId());
            c.executeInternal(Command.QUERY, sql, (err, failure) -> {
                if (failure == null) {
                    pool.release(c);
                } else {
                    pool.discard(c);
                }
                result.setSuccess(err != null ? err
                        : failure != null ? ProxyError.BACKEND_LOST.format(pool.address(), failure.getMessage()) : null);
            });
        });
        return result;
    }

    /** The statement to run on the backend server for thread {@code backendThreadId}. */
    String forBackend(long backendThreadId) {
        return (queryOnly ? "KILL QUERY " : "KILL CONNECTION ") + backendThreadId;
    }
}
