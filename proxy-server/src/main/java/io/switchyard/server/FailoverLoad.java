package io.switchyard.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The application side of the failover demo: writer and reader threads that talk to the proxy
 * through Connector/J, each on one connection it keeps for the whole run (no reconnects, so any
 * error the proxy lets through is counted), plus idle connections that only speak at the end.
 *
 * <p>Every writer inserts rows with keys of its own ({@link #key}); an insert counts as
 * acknowledged only once {@code executeUpdate} returned. Transaction writers insert two rows per
 * transaction (autocommit off, two inserts, a read, {@code commit()}); their rows count as
 * acknowledged once {@code commit()} returned, and a transaction that fails before its commit
 * was sent counts as lost. The table has no unique index on the
 * key, so a statement applied twice shows up as a key present twice.
 *
 * <p>Thread-safe. Counters and error tallies are concurrent; each writer's list of
 * acknowledged and failed keys belongs to its thread until {@link #stop} has joined it.
 */
final class FailoverLoad implements AutoCloseable {
    static final String TABLE = "failover_demo";
    static final String CREATE_TABLE = "CREATE TABLE " + TABLE + " (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
            + " k BIGINT NOT NULL, writer INT NOT NULL, KEY (k))";

    private static final long WRITE_PAUSE_MILLIS = 10;
    private static final long READ_PAUSE_MILLIS = 5;
    private static final long JOIN_MILLIS = 20_000;
    private static final Pattern ELAPSED = Pattern.compile("\\d[\\d,]* milliseconds");

    private final String url;
    private final String user;
    private final String password;
    private final List<Writer> writers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();
    private final List<Connection> idle = new ArrayList<>();
    private final AtomicLongArray lastAcknowledged;
    private final AtomicLong writesOk = new AtomicLong();
    private final AtomicLong writesFailed = new AtomicLong();
    private final AtomicLong readsOk = new AtomicLong();
    private final AtomicLong readsFailed = new AtomicLong();
    private final AtomicLong staleReads = new AtomicLong();
    /** Keys whose insert failed (it may or may not have committed): a read that misses one is not stale. */
    private final java.util.Set<Long> unacknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong transactionsOk = new AtomicLong();
    private final AtomicLong transactionsLost = new AtomicLong();
    private final AtomicLong commitsFailed = new AtomicLong();
    private final Map<String, LongAdder> writeErrors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> readErrors = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    /** Opens every connection (writers, readers, idle) before any thread starts. */
    FailoverLoad(String url, String user, String password, int writerCount, int transactionWriterCount, int readerCount,
                 int idleCount) throws SQLException {
        this.url = url;
        this.user = user;
        this.password = password;
        this.lastAcknowledged = new AtomicLongArray(writerCount + transactionWriterCount);
        try {
            for (int i = 0; i < writerCount + transactionWriterCount; i++) {
                writers.add(new Writer(i, open(), i >= writerCount));
            }
            List<Connection> readerConnections = new ArrayList<>();
            for (int i = 0; i < readerCount; i++) {
                readerConnections.add(open());
            }
            for (int i = 0; i < idleCount; i++) {
                idle.add(open());
            }
            for (Writer writer : writers) {
                threads.add(Thread.ofPlatform().name((writer.transactions ? "failover-transactions-" : "failover-writer-")
                        + (writer.index + 1)).unstarted(writer));
            }
            for (int i = 0; i < readerCount; i++) {
                Connection connection = readerConnections.get(i);
                threads.add(Thread.ofPlatform().name("failover-reader-" + (i + 1)).unstarted(() -> read(connection)));
            }
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Connection open() throws SQLException {
        Connection connection = DriverManager.getConnection(url, user, password);
        synchronized (connections) {
            connections.add(connection);
        }
        return connection;
    }

    /** The key of a writer's {@code seq}-th insert (both from 0 and 1): unique across writers. */
    static long key(int writer, long seq) {
        return writer * 1_000_000_000L + seq;
    }

    void start() {
        threads.forEach(Thread::start);
    }

    /** Lets every thread finish its statement and joins it; a thread stuck past the bound has its connection aborted. */
    void stop() throws InterruptedException {
        running = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        if (threads.stream().anyMatch(Thread::isAlive)) {
            abortAll();
            for (Thread thread : threads) {
                thread.join(1_000);
            }
        }
    }

    /** Closes every connection; safe to call more than once and from another thread than the load's. */
    @Override
    public void close() {
        running = false;
        abortAll();
    }

    private void abortAll() {
        synchronized (connections) {
            for (Connection connection : connections) {
                try {
                    connection.abort(Runnable::run);
                } catch (SQLException | RuntimeException e) {
                    // Already closed or broken: nothing left to release.
                }
            }
        }
    }

    long writesOk() {
        return writesOk.get();
    }

    long writesFailed() {
        return writesFailed.get();
    }

    /** Transactions whose commit returned. */
    long transactionsOk() {
        return transactionsOk.get();
    }

    /** Transactions that failed before their commit was sent: lost, the application would run them again. */
    long transactionsLost() {
        return transactionsLost.get();
    }

    /** Transactions whose commit failed: they may or may not have committed. */
    long commitsFailed() {
        return commitsFailed.get();
    }

    /** Reads that did not find a row whose insert had been acknowledged before the read began. */
    long staleReads() {
        return staleReads.get();
    }

    long readsOk() {
        return readsOk.get();
    }

    long readsFailed() {
        return readsFailed.get();
    }

    /** Distinct write error messages and how often each was seen, most frequent first. */
    Map<String, Long> writeErrors() {
        return tally(writeErrors);
    }

    Map<String, Long> readErrors() {
        return tally(readErrors);
    }

    /** Every acknowledged write in order per writer; call after {@link #stop}. */
    List<Write> acknowledged() {
        return writers.stream().flatMap(w -> w.acknowledged.stream()).toList();
    }

    /** Every failed write; call after {@link #stop}. */
    List<Write> failed() {
        return writers.stream().flatMap(w -> w.failed.stream()).toList();
    }

    /** Runs {@code SELECT 1} on each idle connection opened at the start; one line of result per connection. */
    List<String> pingIdle() {
        List<String> results = new ArrayList<>();
        for (Connection connection : idle) {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT 1")) {
                results.add(rows.next() ? "SELECT 1 returned " + rows.getInt(1) : "SELECT 1 returned no row");
            } catch (SQLException e) {
                results.add("SELECT 1 failed: " + describe(e));
            }
        }
        return results;
    }

    private void read(Connection connection) {
        try (PreparedStatement select = connection.prepareStatement("SELECT writer FROM " + TABLE + " WHERE k = ?")) {
            while (running) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int writer = random.nextInt(lastAcknowledged.length());
                long last = lastAcknowledged.get(writer);
                long key = key(writer, last == 0 ? 0 : random.nextLong(1, last + 1));
                select.setLong(1, key);
                try (ResultSet rows = select.executeQuery()) {
                    boolean found = false;
                    while (rows.next()) {
                        rows.getInt(1);
                        found = true;
                    }
                    if (!found && last != 0 && !unacknowledged.contains(key)) {
                        staleReads.incrementAndGet();
                    }
                    readsOk.incrementAndGet();
                } catch (SQLException e) {
                    if (!running) {
                        return;
                    }
                    readsFailed.incrementAndGet();
                    readErrors.computeIfAbsent(describe(e), m -> new LongAdder()).increment();
                }
                pause(READ_PAUSE_MILLIS);
            }
        } catch (SQLException e) {
            readErrors.computeIfAbsent(describe(e), m -> new LongAdder()).increment();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The error code, SQLSTATE and first message line, with elapsed-time figures folded so equal errors tally together. */
    static String describe(SQLException e) {
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        return "[" + e.getErrorCode() + "/" + e.getSQLState() + "] " + ELAPSED.matcher(message).replaceAll("N milliseconds");
    }

    private static Map<String, Long> tally(Map<String, LongAdder> counts) {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((message, count) -> sorted.put(message, count.sum()));
        return sorted;
    }

    /** One insert: its key, when it returned ({@link System#nanoTime}), and the error when it failed. */
    record Write(long key, long atNanos, String error) {}

    /** One writer thread and its connection; its lists are its own until the thread is joined. */
    private final class Writer implements Runnable {
        final int index;
        final boolean transactions;
        final List<Write> acknowledged = new ArrayList<>();
        final List<Write> failed = new ArrayList<>();
        Connection connection;

        Writer(int index, Connection connection, boolean transactions) {
            this.index = index;
            this.connection = connection;
            this.transactions = transactions;
        }

        @Override
        public void run() {
            for (long seq = 1; running; seq += transactions ? 2 : 1) {
                if (transactions) {
                    transaction(seq);
                } else {
                    single(seq);
                    pause(WRITE_PAUSE_MILLIS);
                }
            }
        }

        private void single(long seq) {
            long key = key(index, seq);
            try {
                insertRow(key);
                acknowledged.add(new Write(key, System.nanoTime(), null));
                lastAcknowledged.set(index, seq);
                writesOk.incrementAndGet();
            } catch (SQLException e) {
                failedWrites(e, key);
            }
        }

        /**
         * Two inserts 10 ms apart and a read with autocommit off, then {@code commit()}. A transaction whose
         * connection the proxy closed (its commit was in flight, or it could not run again) is
         * followed by a new connection, as an application's pool would open one.
         */
        private void transaction(long seq) {
            long first = key(index, seq);
            long second = key(index, seq + 1);
            try {
                connection.setAutoCommit(false);
                insertRow(first);
                // The application thinks while its transaction is open: a failover usually finds one open.
                pause(WRITE_PAUSE_MILLIS);
                insertRow(second);
                try (PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM " + TABLE + " WHERE k IN (?, ?)")) {
                    count.setLong(1, first);
                    count.setLong(2, second);
                    try (ResultSet rows = count.executeQuery()) {
                        rows.next();
                    }
                }
            } catch (SQLException e) {
                if (running) {
                    transactionsLost.incrementAndGet();
                    failedWrites(e, first, second);
                }
                recover();
                return;
            }
            try {
                connection.commit();
                long now = System.nanoTime();
                acknowledged.add(new Write(first, now, null));
                acknowledged.add(new Write(second, now, null));
                lastAcknowledged.set(index, seq + 1);
                writesOk.addAndGet(2);
                transactionsOk.incrementAndGet();
            } catch (SQLException e) {
                if (running) {
                    commitsFailed.incrementAndGet();
                    failedWrites(e, first, second);
                }
                recover();
            }
        }

        private void insertRow(long key) throws SQLException {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE + " (k, writer) VALUES (?, ?)")) {
                insert.setLong(1, key);
                insert.setInt(2, index + 1);
                insert.executeUpdate();
            }
        }

        private void failedWrites(SQLException e, long... keys) {
            for (long key : keys) {
                unacknowledged.add(key);
            }
            if (!running) {
                return;
            }
            String error = describe(e);
            for (long key : keys) {
                failed.add(new Write(key, System.nanoTime(), error));
                writesFailed.incrementAndGet();
            }
            writeErrors.computeIfAbsent(error, m -> new LongAdder()).increment();
        }

        /**
         * After a failed transaction: roll back, or open a new connection when the proxy closed
         * this one, trying again every 100 ms while logins fail (no writer yet), as a pool does.
         */
        private void recover() {
            try {
                if (connection.isValid(2)) {
                    connection.rollback();
                    return;
                }
            } catch (SQLException e) {
                // Not usable: a new connection follows.
            }
            while (running) {
                try {
                    connection = open();
                    return;
                } catch (SQLException e) {
                    pause(100);
                }
            }
        }
    }
}
