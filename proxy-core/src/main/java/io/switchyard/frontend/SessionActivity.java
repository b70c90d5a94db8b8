package io.switchyard.frontend;

import io.switchyard.backend.BackendConnection;
import io.switchyard.protocol.Command;

/**
 * What a session is doing now, written on its event loop and read by the process list from
 * other threads. Volatile fields, each individually current.
 */
final class SessionActivity {
    private static final int MAX_INFO = 1024;

    private volatile String info;
    private volatile Command command;
    private volatile long sinceNanos = System.nanoTime();
    private volatile int hostgroup = -1;
    private volatile BackendConnection backend;

    /** A command started. */
    void started(Command command, String info) {
        this.command = command;
        this.info = info == null || info.length() <= MAX_INFO ? info : info.substring(0, MAX_INFO);
        this.sinceNanos = System.nanoTime();
    }

    /** The command runs on {@code backend} in {@code hostgroup}. */
    void runningOn(int hostgroup, BackendConnection backend) {
        this.hostgroup = hostgroup;
        this.backend = backend;
    }

    /** The command finished; the session sleeps. */
    void finished() {
        this.command = null;
        this.info = null;
        this.hostgroup = -1;
        this.backend = null;
        this.sinceNanos = System.nanoTime();
    }

    ProcessInfo snapshot(long sessionId, String user, String schema, String clientHost, int clientPort, boolean loggingIn) {
        BackendConnection b = backend;
        Command c = command;
        String label = loggingIn ? "Connect" : c == null ? "Sleep" : c == Command.QUERY ? "Query" : c.label();
        return new ProcessInfo(sessionId, user, schema, clientHost, clientPort, b == null ? -1 : hostgroup,
                b == null ? null : b.address().host(), b == null ? 0 : b.address().port(),
                b == null ? -1 : b.threadId(), label, (System.nanoTime() - sinceNanos) / 1_000_000, info);
    }
}
