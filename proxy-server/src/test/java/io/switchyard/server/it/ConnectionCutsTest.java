package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backend connections cut at random commands under load, with {@code mysql-transaction_replay}
 * on: 8 sessions run transactions ({@code BEGIN}, an insert, a read of the session's rows, a
 * second insert and a read, {@code COMMIT}) and single inserts and reads with autocommit, half as
 * text and half as server-side prepared statements (half of those cached by the driver, half
 * prepared again each time), while a relay between the proxy and MariaDB
 * cuts a connection at a {@code COM_QUERY}, {@code COM_STMT_PREPARE} or {@code COM_STMT_EXECUTE},
 * before the server gets it or just after, 300 to 700 ms after the last cut. The cuts hit the clients'
 * statements, the proxy's own queries (setting a connection up, restoring a session's state,
 * preparing copies) and transactions running again. Counted: no read gives a wrong count, no
 * transaction fails before its {@code COMMIT}, no read outside a transaction fails, every
 * committed row is stored once, and no row of a transaction that did not commit is. Only a
 * {@code COMMIT} or an autocommit write that was cut may end with an error (its fate unknown).
 * The random choices follow a seed, printed (set it with {@code -Dcuts.seed}).
 */
class ConnectionCutsTest {
    private static final int SESSIONS = 8;
    private static final long LOAD_MILLIS = 15_000;
    private static final int[] COMMANDS = {0x03, 0x16, 0x17};
    /** Server-side prepared statements; Connector/J prepares each again (and closes it) unless it caches them. */
    private static final String PREPARED = "&useServerPrepStmts=true";

    @RegisterExtension
    static final CommandCuttingRelay relay = CommandCuttingRelay.start();

    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0,
            cluster -> relay.beforePrimary(cluster) + "variables { mysql-transaction_replay = true }\n");

    /** What the sessions saw, shared by their threads. */
    private static final class Outcomes {
        final Set<Long> committed = ConcurrentHashMap.newKeySet();
        final Set<Long> unknown = ConcurrentHashMap.newKeySet();
        final Map<String, Integer> errorsBeforeCommit = new ConcurrentHashMap<>();
        final Map<String, Integer> readErrors = new ConcurrentHashMap<>();
        final List<String> wrongReads = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger transactions = new AtomicInteger();
    }

    private static Connection connect(String params) throws Exception {
        return fixture.mysqlRetryingLogin("socketTimeout=30000" + params);
    }

    private static long count(Connection c, boolean prepared, long from, long to) throws SQLException {
        String sql = "SELECT COUNT(*) FROM cuts WHERE id BETWEEN ? AND ?";
        if (prepared) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, from);
                ps.setLong(2, to);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM cuts WHERE id BETWEEN " + from + " AND " + to)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void insert(Connection c, boolean prepared, long id) throws SQLException {
        if (prepared) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cuts VALUES (?, ?)")) {
                ps.setLong(1, id);
                ps.setString(2, "p");
                ps.executeUpdate();
            }
            return;
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO cuts VALUES (" + id + ", 't')");
        }
    }

    /** One session's load until {@code stop}: its rows' ids start at {@code base}. */
    private static void session(long seed, long base, String params, AtomicBoolean stop, Outcomes out) throws Exception {
        Random random = new Random(seed);
        boolean prepared = !params.isEmpty();
        Connection c = connect(params);
        try {
            long next = base;
            for (int n = 0; n < 100_000 && !stop.get(); n++) {
                if (random.nextInt(10) < 7) {
                    long first = next;
                    next += 2;
                    String[] step = {"BEGIN"};
                    try {
                        try (Statement s = c.createStatement()) {
                            s.execute("BEGIN");
                        }
                        step[0] = "first insert";
                        insert(c, prepared, first);
                        step[0] = "first read";
                        long seen = count(c, prepared, first, first + 1);
                        if (seen != 1) {
                            out.wrongReads.add("transaction at " + first + ": read " + seen + " of its rows after its first insert");
                        }
                        step[0] = "second insert";
                        insert(c, prepared, first + 1);
                        step[0] = "second read";
                        seen = count(c, prepared, first, first + 1);
                        if (seen != 2) {
                            out.wrongReads.add("transaction at " + first + ": read " + seen + " of its rows after its second insert");
                        }
                    } catch (SQLException e) {
                        out.errorsBeforeCommit.merge(step[0] + ": " + e.getErrorCode() + " " + e.getMessage(), 1, Integer::sum);
                        c.close();
                        c = connect(params);
                        continue;
                    }
                    try (Statement s = c.createStatement()) {
                        s.execute("COMMIT");
                        out.committed.add(first);
                        out.committed.add(first + 1);
                        out.transactions.incrementAndGet();
                    } catch (SQLException e) {
                        out.unknown.add(first);
                        out.unknown.add(first + 1);
                        c.close();
                        c = connect(params);
                    }
                } else {
                    long id = next++;
                    try {
                        insert(c, prepared, id);
                        out.committed.add(id);
                    } catch (SQLException e) {
                        out.unknown.add(id);
                        if (!c.isValid(2)) {
                            c.close();
                            c = connect(params);
                        }
                    }
                    long mine = out.committed.stream().filter(i -> i >= base && i < base + 1_000_000).count();
                    long maybe = out.unknown.stream().filter(i -> i >= base && i < base + 1_000_000).count();
                    try {
                        long seen = count(c, prepared, base, base + 999_999);
                        if (seen < mine || seen > mine + maybe) {
                            out.wrongReads.add("session at " + base + ": read " + seen + " rows, committed " + mine + " and " + maybe
                                    + " of unknown fate");
                        }
                    } catch (SQLException e) {
                        out.readErrors.merge((prepared ? "prepared: " : "text: ") + e.getErrorCode() + " " + e.getMessage(), 1,
                                Integer::sum);
                        c.close();
                        c = connect(params);
                    }
                }
            }
        } finally {
            c.close();
        }
    }

    @Test
    void sessionsGoOnThroughCutsWithoutWrongResultsOrLostRows() throws Exception {
        long seed = Long.getLong("cuts.seed", System.nanoTime());
        System.out.println("ConnectionCutsTest seed " + seed + " (-Dcuts.seed=" + seed + " runs it again)");
        Random random = new Random(seed);
        fixture.cluster().primary().execute("CREATE TABLE app.cuts (id BIGINT PRIMARY KEY, how CHAR(1) NOT NULL)");
        long replayedBefore = fixture.proxy().stats().transactionsReplayed();
        int cutsBefore = relay.cuts();
        Outcomes out = new Outcomes();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        List<Future<?>> load = new ArrayList<>();
        try {
            for (int w = 0; w < SESSIONS; w++) {
                long sessionSeed = seed + w;
                long base = 1_000_000L * (w + 1);
                // Text; prepared, cached by the driver; text; prepared, each prepared again.
                String params = w % 2 == 0 ? "" : w % 4 == 1 ? PREPARED + "&cachePrepStmts=true" : PREPARED;
                load.add(pool.submit(() -> {
                    session(sessionSeed, base, params, stop, out);
                    return null;
                }));
            }
            Map<String, Integer> armed = new HashMap<>();
            long end = System.currentTimeMillis() + LOAD_MILLIS;
            while (System.currentTimeMillis() < end) {
                // The next cut comes 300 to 700 ms after the last: a statement retried (once, by
                // default) on a new connection is not cut again.
                Thread.sleep(300 + random.nextInt(400));
                int command = COMMANDS[random.nextInt(COMMANDS.length)];
                boolean forwarded = random.nextBoolean();
                int cuts = relay.cuts();
                relay.cutNext(command, forwarded);
                armed.merge(String.format("0x%02x%s", command, forwarded ? " forwarded" : ""), 1, Integer::sum);
                // A prepare can take a while to come (prepared statements are cached).
                long armedUntil = System.currentTimeMillis() + 1_000;
                while (relay.cuts() == cuts && System.currentTimeMillis() < armedUntil) {
                    Thread.sleep(2);
                }
                relay.disarm();
            }
            relay.disarm();
            stop.set(true);
            for (Future<?> f : load) {
                f.get(60, TimeUnit.SECONDS);
            }
            System.out.printf("connection cuts: %d cuts (armed %s), %d transactions committed, %d rows of unknown fate, %d transactions"
                            + " replayed, errors before COMMIT %s, read errors %s%n", relay.cuts() - cutsBefore, armed,
                    out.transactions.get(), out.unknown.size(), fixture.proxy().stats().transactionsReplayed() - replayedBefore,
                    out.errorsBeforeCommit, out.readErrors);
        } finally {
            stop.set(true);
            relay.disarm();
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }

        assertThat(relay.cuts() - cutsBefore).as("connections cut").isGreaterThanOrEqualTo(10);
        assertThat(out.transactions.get()).as("transactions committed").isGreaterThan(100);
        assertThat(out.wrongReads).as("reads that gave a wrong count").isEmpty();
        assertThat(out.errorsBeforeCommit).as("errors in transactions before their COMMIT").isEmpty();
        assertThat(out.readErrors).as("errors of reads outside a transaction").isEmpty();
        Set<Long> stored = new java.util.HashSet<>();
        for (Map<String, Object> row : fixture.cluster().primary().query("SELECT id FROM app.cuts")) {
            stored.add(((Number) row.get("id")).longValue());
        }
        assertThat(fixture.cluster().primary().queryString("SELECT COUNT(*) - COUNT(DISTINCT id) FROM app.cuts")).isEqualTo("0");
        Set<Long> lost = new java.util.HashSet<>(out.committed);
        lost.removeAll(stored);
        assertThat(lost).as("committed rows missing").isEmpty();
        Set<Long> unexpected = new java.util.HashSet<>(stored);
        unexpected.removeAll(out.committed);
        unexpected.removeAll(out.unknown);
        assertThat(unexpected).as("rows of transactions that failed before their COMMIT").isEmpty();
    }
}
