package io.switchyard.frontend;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live client sessions, for connection limits, the process list and shutdown. Thread-safe.
 */
public final class SessionRegistry {
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, ClientSession> sessions = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder authFailures = new LongAdder();

    long nextId() {
        return ids.incrementAndGet();
    }

    void add(ClientSession session) {
        sessions.put(session.id(), session);
        accepted.increment();
    }

    void remove(ClientSession session) {
        sessions.remove(session.id());
    }

    void authFailed() {
        authFailures.increment();
    }

    /** The session with this id, or null. */
    public ClientSession find(long id) {
        return sessions.get(id);
    }

    public int size() {
        return sessions.size();
    }

    public Collection<ClientSession> sessions() {
        return sessions.values();
    }

    /** Connections accepted since start. */
    public long accepted() {
        return accepted.sum();
    }

    /** Failed logins since start. */
    public long authFailures() {
        return authFailures.sum();
    }

    /** Number of sessions of {@code user}. */
    public long countFor(String user) {
        return sessions.values().stream().filter(s -> user.equals(s.username())).count();
    }
}
