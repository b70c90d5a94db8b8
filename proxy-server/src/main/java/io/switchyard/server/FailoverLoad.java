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
 * acknowledged only once {@code executeUpdate} returned. The table has no unique index on the
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
    private final Map<String, LongAdder> writeErrors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> readErrors = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    /** Opens every connection (writers, readers, idle) before any thread starts. */
    FailoverLoad(String url, String user, String password, int writerCount, int readerCount, int idleCount)
            throws SQLException {
        this.url = url;
        this.user = user;
        this.password = password;
        this.lastAcknowledged = new AtomicLongArray(writerCount);
        try {
            for (int i = 0; i < writerCount; i++) {
                writers.add(new Writer(i, open()));
            }
            List<Connection> readerConnections = new ArrayList<>();
            for (int i = 0; i < readerCount; i++) {
                readerConnections.add(open());
            }
            for (int i = 0; i < idleCount; i++) {
                idle.add(open());
            }
            for (Writer writer : writers) {
                threads.add(Thread.ofPlatform().name("failover-writer-" + (writer.index + 1)).unstarted(writer));
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
                select.setLong(1, key(writer, last == 0 ? 0 : random.nextLong(1, last + 1)));
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        rows.getInt(1);
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
        final Connection connection;
        final List<Write> acknowledged = new ArrayList<>();
        final List<Write> failed = new ArrayList<>();

        Writer(int index, Connection connection) {
            this.index = index;
            this.connection = connection;
        }

        @Override
        public void run() {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE + " (k, writer) VALUES (?, ?)")) {
                for (long seq = 1; running; seq++) {
                    long key = key(index, seq);
                    insert.setLong(1, key);
                    insert.setInt(2, index + 1);
                    try {
                        insert.executeUpdate();
                        acknowledged.add(new Write(key, System.nanoTime(), null));
                        lastAcknowledged.set(index, seq);
                        writesOk.incrementAndGet();
                    } catch (SQLException e) {
                        if (!running) {
                            return;
                        }
                        String error = describe(e);
                        failed.add(new Write(key, System.nanoTime(), error));
                        writesFailed.incrementAndGet();
                        writeErrors.computeIfAbsent(error, m -> new LongAdder()).increment();
                    }
                    pause(WRITE_PAUSE_MILLIS);
                }
            } catch (SQLException e) {
                writeErrors.computeIfAbsent(describe(e), m -> new LongAdder()).increment();
            }
        }
    }
}
