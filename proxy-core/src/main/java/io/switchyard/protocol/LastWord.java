package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Ends a connection with an error the peer can read. Closing right after writing the ERR loses it
 * whenever the peer is still sending (an oversized packet, a flood): the kernel answers data that
 * arrives for a closed socket with a reset, and the peer's next read fails before it reaches the
 * ERR. So the ERR is written, the sending side is shut (the peer reads the ERR, then the end of
 * the stream), and whatever still arrives is read and dropped until the peer closes or
 * {@link #LINGER_MILLIS} pass.
 *
 * <p>Called on the channel's event loop; takes ownership of the packet.
 */
public final class LastWord {
    /** How long a connection that ended with an error keeps draining what the peer still sends. */
    public static final long LINGER_MILLIS = 2_000;

    private LastWord() {
    }

    /**
     * Writes {@code errPacket} (a framed ERR, released by the write) as the connection's last
     * packet and closes the connection as described above. Input is dropped ahead of the
     * pipeline's {@link FrameDecoder}, so the session no longer sees any.
     */
    public static void send(Channel channel, ByteBuf errPacket) {
        if (channel.pipeline().get(FrameDecoder.NAME) != null && channel.pipeline().get(Drain.NAME) == null) {
            channel.pipeline().addBefore(FrameDecoder.NAME, Drain.NAME, new Drain());
        }
        channel.config().setAutoRead(true);
        channel.writeAndFlush(errPacket).addListener(written -> {
            if (!written.isSuccess() || !(channel instanceof DuplexChannel duplex)) {
                channel.close();
                return;
            }
            duplex.shutdownOutput();
            channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** Drops every inbound message; the connection is ending. */
    private static final class Drain extends ChannelInboundHandlerAdapter {
        static final String NAME = "drain";

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
