package io.switchyard.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.switchyard.protocol.Frame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames a client has sent that wait their turn: pipelined commands, and commands of 16 MiB
 * and more whose continuation frames are still arriving. Owns the frames it holds (releases them
 * on {@link #clear()}). Confined to the session's event loop.
 */
final class CommandQueue {
    private static final int HIGH_WATER_BYTES = 4 * 1024 * 1024;

    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private int bytes;

    void add(Frame frame) {
        frames.addLast(frame);
        bytes += frame.length();
    }

    boolean isEmpty() {
        return frames.isEmpty();
    }

    /** The oldest frame, or null. */
    Frame poll() {
        Frame f = frames.pollFirst();
        if (f != null) {
            bytes -= f.length();
        }
        return f;
    }

    /** The frames of the next complete command, or null when its continuation has not arrived. */
    List<Frame> takeCommand() {
        int needed = 1;
        for (Frame f : frames) {
            if (!f.hasContinuation()) {
                break;
            }
            needed++;
        }
        if (needed > frames.size()) {
            return null;
        }
        List<Frame> command = new ArrayList<>(needed);
        for (int i = 0; i < needed; i++) {
            command.add(poll());
        }
        return command;
    }

    /** A command's frames as one buffer to send on, in order; takes the frames' packets over. */
    static ByteBuf join(List<Frame> command) {
        if (command.size() == 1) {
            return command.get(0).packet();
        }
        var composite = ByteBufAllocator.DEFAULT.compositeDirectBuffer(command.size());
        for (Frame f : command) {
            composite.addComponent(true, f.packet());
        }
        return composite;
    }

    /**
     * True while the session should keep reading the client: the queue is small, or a command
     * still misses continuation frames (it must be read to its end, which the frame decoder
     * bounds, or it could never run).
     */
    boolean wantsMore() {
        Frame last = frames.peekLast();
        return bytes < HIGH_WATER_BYTES || last != null && last.hasContinuation();
    }

    /** Releases every queued frame. */
    void clear() {
        Frame f;
        while ((f = frames.pollFirst()) != null) {
            f.release();
        }
        bytes = 0;
    }
}
