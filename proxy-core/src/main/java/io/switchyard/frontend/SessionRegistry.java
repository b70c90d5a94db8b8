package io.switchyard.frontend;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live client sessions, for connection limits, the process list and shutdown, and the
 * prepared statements their clients hold. Thread-safe.
 */
public final class SessionRegistry {
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, ClientSession> sessions = new ConcurrentHashMap<>();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder authFailures = new LongAdder();
    /** Logged-in sessions per user name, kept with every login, change of user and close. */
    private final Map<String, LongAdder> perUser = new ConcurrentHashMap<>();
    private final HeldStatements heldStatements = new HeldStatements();

    /** The prepared statements the sessions' clients hold open. */
    HeldStatements heldStatements() {
        return heldStatements;
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    void add(ClientSession session) {
        sessions.put(session.id(), session);
        accepted.increment();
    }

    /** Forgets {@code session}; closing paths may call it more than once. */
    void remove(ClientSession session) {
        if (sessions.remove(session.id()) != null && session.username() != null) {
            perUser(session.username()).decrement();
        }
    }

    /**
     * Counts {@code session} under {@code user} instead of {@code previous} (null at the first
     * login); called on the session's event loop before its user name changes.
     */
    void loggedIn(ClientSession session, String previous, String user) {
        if (!sessions.containsKey(session.id())) {
            return;
        }
        if (previous != null) {
            perUser(previous).decrement();
        }
        perUser(user).increment();
    }

    private LongAdder perUser(String user) {
        return perUser.computeIfAbsent(user, u -> new LongAdder());
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
        LongAdder count = perUser.get(user);
        return count == null ? 0 : count.sum();
    }
}
