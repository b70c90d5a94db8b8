package io.switchyard.protocol;

import io.netty.handler.codec.DecoderException;
import java.io.IOException;

/**
 * What a connection answers when its pipeline raises an exception: the one mapping from such
 * faults to {@link ProxyError} entries, used by the client port and the admin port alike, so the
 * same fault gets the same code on both. Either way the connection is closed afterwards.
 *
 * <ul>
 *   <li>a packet left half-sent past the read timeout: 1159;</li>
 *   <li>a packet larger than the port's limit: 1153;</li>
 *   <li>a packet that breaks the protocol: 1043 during login, 1835 afterwards;</li>
 *   <li>the connection itself failed (reset, TLS error): no answer, nobody would read it;</li>
 *   <li>anything else is a bug of the proxy: 1105, and the caller logs it as one.</li>
 * </ul>
 *
 * <p>Packets out of order are not an exception of the pipeline: each port checks the sequence
 * id it expects and answers {@link ProxyError#PACKETS_OUT_OF_ORDER} (1156). Immutable.
 *
 * @param kind how the fault is handled and logged
 * @param cause the exception, unwrapped from Netty's {@link DecoderException}
 * @param err the answer, null for {@link Kind#CONNECTION_FAILED}
 * @see <a href="https://dev.mysql.com/doc/mysql-errors/8.4/en/server-error-reference.html">Server error reference</a>
 */
public record PipelineFault(Kind kind, Throwable cause, ErrPacket err) {

    /** How a fault is handled. */
    public enum Kind {
        /** The socket or TLS failed: close without an answer. */
        CONNECTION_FAILED,
        /** The peer broke the protocol: answer, close, and log it at DEBUG. */
        PROTOCOL,
        /** A fault of the proxy: answer, close, and log it with its stack trace. */
        INTERNAL
    }

    /**
     * The fault {@code thrown} stands for.
     *
     * @param duringLogin true while the connection has not finished its login
     */
    public static PipelineFault of(Throwable thrown, boolean duringLogin) {
        Throwable cause = thrown instanceof DecoderException && thrown.getCause() != null ? thrown.getCause() : thrown;
        return switch (cause) {
            case FrameDecoder.PacketStalledException stalled ->
                    protocol(cause, ProxyError.NET_READ_INTERRUPTED.format(stalled.timeoutMillis()));
            case FrameDecoder.PacketTooLargeException tooLarge ->
                    protocol(cause, ProxyError.PACKET_TOO_LARGE.format(tooLarge.max()));
            case ProtocolException p -> malformed(cause, duringLogin);
            case IndexOutOfBoundsException shortPacket -> malformed(cause, duringLogin);
            case IOException io -> new PipelineFault(Kind.CONNECTION_FAILED, cause, null);
            default -> new PipelineFault(Kind.INTERNAL, cause, ProxyError.INTERNAL.format(cause.toString()));
        };
    }

    /**
     * The sequence id of the answer: 0 when the fault cut a packet short (too large, or left
     * half-sent), as no exchange is under way then; otherwise {@code next}, the id that follows
     * the last packet of the exchange.
     */
    public int sequenceId(int next) {
        return cause instanceof FrameDecoder.PacketStalledException || cause instanceof FrameDecoder.PacketTooLargeException
                ? 0 : next;
    }

    private static PipelineFault malformed(Throwable cause, boolean duringLogin) {
        return protocol(cause, (duringLogin ? ProxyError.BAD_HANDSHAKE : ProxyError.MALFORMED_PACKET).format(cause.getMessage()));
    }

    private static PipelineFault protocol(Throwable cause, ErrPacket err) {
        return new PipelineFault(Kind.PROTOCOL, cause, err);
    }
}
