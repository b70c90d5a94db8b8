package io.switchyard.server.it;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * An OTLP/gRPC trace receiver for tests: a cleartext HTTP/2 server on a loopback port that takes
 * {@code TraceService/Export} calls, hands each decoded request to a consumer and answers with an
 * empty response and {@code grpc-status 0}. Stopped by {@link #close()}.
 */
final class OtlpGrpcReceiver implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    OtlpGrpcReceiver(Consumer<ExportTraceServiceRequest> requests) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                        stream.pipeline().addLast(new Call(requests));
                                    }
                                }));
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** One gRPC call: the request's message (after the 5-byte gRPC prefix) arrives in DATA frames. */
    private static final class Call extends SimpleChannelInboundHandler<Http2StreamFrame> {
        private final Consumer<ExportTraceServiceRequest> requests;
        private final ByteBuf body = Unpooled.buffer();

        Call(Consumer<ExportTraceServiceRequest> requests) {
            this.requests = requests;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) throws Exception {
            boolean end = frame instanceof Http2HeadersFrame h ? h.isEndStream() : ((Http2DataFrame) frame).isEndStream();
            if (frame instanceof Http2DataFrame data) {
                body.writeBytes(data.content());
            }
            if (!end) {
                return;
            }
            body.skipBytes(5);
            byte[] message = new byte[body.readableBytes()];
            body.readBytes(message);
            requests.accept(ExportTraceServiceRequest.parseFrom(message));
            byte[] reply = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            ByteBuf framed = Unpooled.buffer(5 + reply.length).writeByte(0).writeInt(reply.length).writeBytes(reply);
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200").set("content-type", "application/grpc")));
            ctx.write(new DefaultHttp2DataFrame(framed));
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true));
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
