package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * Builds whole packets (header plus payload) for the proxy's own messages, splitting payloads of
 * 16 MiB and more into continuation frames.
 */
public final class Packets {
    private Packets() {}

    /**
     * A buffer holding one logical packet starting at {@code sequenceId}, written by
     * {@code payloadWriter}. The caller owns the returned buffer (usually by writing it).
     */
    public static ByteBuf build(ByteBufAllocator alloc, int sequenceId, Consumer<ByteBuf> payloadWriter) {
        ByteBuf out = alloc.buffer(64);
        out.writeZero(Wire.HEADER_SIZE);
        payloadWriter.accept(out);
        int length = out.readableBytes() - Wire.HEADER_SIZE;
        if (length < Wire.MAX_PAYLOAD) {
            out.setMediumLE(0, length);
            out.setByte(3, sequenceId);
            return out;
        }
        try {
            return split(alloc, out.skipBytes(Wire.HEADER_SIZE), sequenceId);
        } finally {
            out.release();
        }
    }

    /** Frames {@code payload} (not released) as one logical packet starting at {@code sequenceId}. */
    public static ByteBuf split(ByteBufAllocator alloc, ByteBuf payload, int sequenceId) {
        int length = payload.readableBytes();
        ByteBuf out = alloc.buffer(length + Wire.HEADER_SIZE * (length / Wire.MAX_PAYLOAD + 1));
        int seq = sequenceId;
        int index = payload.readerIndex();
        int remaining = length;
        do {
            int chunk = Math.min(remaining, Wire.MAX_PAYLOAD);
            Wire.writeHeader(out, chunk, seq++ & 0xff);
            out.writeBytes(payload, index, chunk);
            index += chunk;
            remaining -= chunk;
            if (remaining == 0 && chunk == Wire.MAX_PAYLOAD) {
                Wire.writeHeader(out, 0, seq++ & 0xff);
            }
        } while (remaining > 0);
        return out;
    }

    /**
     * A command packet (sequence id 0) the proxy sends itself: the command byte and, when not
     * null, {@code argument} in UTF-8 (a schema for COM_INIT_DB, a statement for COM_QUERY).
     */
    public static ByteBuf command(ByteBufAllocator alloc, Command command, String argument) {
        return command(alloc, command, argument, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Same, with the argument written in {@code charset}. */
    public static ByteBuf command(ByteBufAllocator alloc, Command command, String argument, java.nio.charset.Charset charset) {
        return build(alloc, 0, b -> {
            b.writeByte(command.code);
            if (argument != null) {
                b.writeCharSequence(argument, charset);
            }
        });
    }

    /** Same, with the argument's bytes as they are. */
    public static ByteBuf command(ByteBufAllocator alloc, Command command, byte[] argument) {
        return build(alloc, 0, b -> b.writeByte(command.code).writeBytes(argument));
    }

    public static ByteBuf err(ByteBufAllocator alloc, int sequenceId, ErrPacket err) {
        return build(alloc, sequenceId, err::encode);
    }

    public static ByteBuf ok(ByteBufAllocator alloc, int sequenceId, OkPacket ok, boolean sessionTrack) {
        return build(alloc, sequenceId, buf -> ok.encode(buf, sessionTrack));
    }
}
