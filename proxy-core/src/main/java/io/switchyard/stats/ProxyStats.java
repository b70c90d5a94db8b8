package io.switchyard.stats;

import io.switchyard.digest.DigestStats;
import io.switchyard.digest.QueryDigest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The data path's counters, read by the admin's {@code stats_*} tables and by the metrics
 * endpoint: per-digest statistics, statements by kind and by hostgroup, errors by code, and
 * proxy-wide counters. One instance per proxy; lock-free and safe from every event loop.
 */
public final class ProxyStats {
    private final DigestStats digests;
    private final CommandCounters commands = new CommandCounters();
    private final Map<Integer, LongAdder> queriesByHostgroup = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> errorsByCode = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> ruleHits = new ConcurrentHashMap<>();
    private final LongAdder questions = new LongAdder();
    private final LongAdder slowQueries = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder queryTimeouts = new LongAdder();
    private final LongAdder multiplexedReleases = new LongAdder();
    private final LongAdder idleTimeouts = new LongAdder();
    private final LongAdder readOnlyTransactionsOnReaders = new LongAdder();
    private final LongAdder transactionsReplayed = new LongAdder();
    private final LongAdder causalWaits = new LongAdder();
    private final LongAdder causalReadsOnWriter = new LongAdder();
    private final LongAdder transactionReplaysFailed = new LongAdder();
    private final LongAdder readOnlyTransactionsMoved = new LongAdder();
    private final LongAdder readOnlyTransactionMovesFailed = new LongAdder();
    private final LongAdder stmtReprepares = new LongAdder();
    private final LongAdder mirrored = new LongAdder();
    private final LongAdder mirrorDropped = new LongAdder();
    private final List<StatementObserver> observers = new CopyOnWriteArrayList<>();

    /** Told of every finished statement, on the session's event loop; must be quick and must not block. */
    @FunctionalInterface
    public interface StatementObserver {
        void statementDone(int hostgroup, StatementKind kind, long micros, int errorCode);
    }

    public ProxyStats(int maxDigests) {
        this.digests = new DigestStats(maxDigests);
    }

    private final EventsLog events = new EventsLog();
    private final Tracing tracing = new Tracing();

    /** Where statements' spans go (OpenTelemetry), when tracing is on. */
    public Tracing tracing() {
        return tracing;
    }

    /** The query events log ({@code mysql-eventslog_filename}). */
    public EventsLog events() {
        return events;
    }

    /**
     * Counts one finished statement.
     *
     * @param hostgroup where it ran ({@code -1} when the proxy answered it itself)
     * @param errorCode the ERR code the client got, 0 on success
     */
    public void statementDone(int hostgroup, String schema, String user, String clientAddress, QueryDigest digest,
                              StatementKind kind, long micros, long rowsAffected, long rowsSent, int errorCode,
                              long slowThresholdMicros) {
        questions.increment();
        if (digest != null) {
            digests.record(hostgroup, schema, user, clientAddress, digest, micros, rowsAffected, rowsSent, errorCode != 0);
        }
        commands.record(kind, micros);
        queriesByHostgroup.computeIfAbsent(hostgroup, h -> new LongAdder()).increment();
        if (errorCode != 0) {
            errorsByCode.computeIfAbsent(errorCode, c -> new LongAdder()).increment();
        }
        if (slowThresholdMicros > 0 && micros > slowThresholdMicros) {
            slowQueries.increment();
        }
        for (StatementObserver o : observers) {
            o.statementDone(hostgroup, kind, micros, errorCode);
        }
    }

    /** Adds an observer of finished statements (e.g. latency histograms for metrics). */
    public void addObserver(StatementObserver observer) {
        observers.add(observer);
    }

    /** Counts an error the proxy sent outside a statement (e.g. at login). */
    public void error(int errorCode) {
        errorsByCode.computeIfAbsent(errorCode, c -> new LongAdder()).increment();
    }

    /** Counts a match of query rule {@code ruleId} ({@code stats_mysql_query_rules}). */
    public void ruleHit(int ruleId) {
        ruleHits.computeIfAbsent(ruleId, r -> new LongAdder()).increment();
    }

    public void retried() {
        retries.increment();
    }

    public void timedOut() {
        queryTimeouts.increment();
    }

    public void multiplexedRelease() {
        multiplexedReleases.increment();
    }

    /** A client session was closed for waiting for its next command longer than its wait_timeout. */
    public void idleTimeout() {
        idleTimeouts.increment();
    }

    /** A read waited on a replica (MASTER_GTID_WAIT) for a write it must see. */
    public void causalWait() {
        causalWaits.increment();
    }

    /** A read went to the writer: no replica had the write it must see in time. */
    public void causalReadOnWriter() {
        causalReadsOnWriter.increment();
    }

    public long causalWaits() {
        return causalWaits.sum();
    }

    public long causalReadsOnWriter() {
        return causalReadsOnWriter.sum();
    }

    /** A transaction whose connection was lost ran again on another with the same results. */
    public void transactionReplayed() {
        transactionsReplayed.increment();
    }

    /** A transaction whose connection was lost could not run again (its session was closed). */
    public void transactionReplayFailed() {
        transactionReplaysFailed.increment();
    }

    public long transactionsReplayed() {
        return transactionsReplayed.sum();
    }

    public long transactionReplaysFailed() {
        return transactionReplaysFailed.sum();
    }

    /** A read-only transaction started on a reader instead of the writer. */
    public void readOnlyTransactionOnReader() {
        readOnlyTransactionsOnReaders.increment();
    }

    /** A read-only transaction on a reader moved to the writer, replayed there with the same results. */
    public void readOnlyTransactionMoved() {
        readOnlyTransactionsMoved.increment();
    }

    /** A read-only transaction on a reader had to move to the writer and could not (its session was closed). */
    public void readOnlyTransactionMoveFailed() {
        readOnlyTransactionMovesFailed.increment();
    }

    public long readOnlyTransactionsOnReaders() {
        return readOnlyTransactionsOnReaders.sum();
    }

    public long readOnlyTransactionsMoved() {
        return readOnlyTransactionsMoved.sum();
    }

    public long readOnlyTransactionMovesFailed() {
        return readOnlyTransactionMovesFailed.sum();
    }

    public void reprepared() {
        stmtReprepares.increment();
    }

    /** A statement's copy ran on its rule's mirror hostgroup. */
    public void mirrored() {
        mirrored.increment();
    }

    /** A statement was not mirrored (a copy was still running, or no connection could be had). */
    public void mirrorDropped() {
        mirrorDropped.increment();
    }

    public long mirroredStatements() {
        return mirrored.sum();
    }

    public long mirrorDrops() {
        return mirrorDropped.sum();
    }

    public DigestStats digests() {
        return digests;
    }

    public CommandCounters commands() {
        return commands;
    }

    public Map<Integer, Long> queriesByHostgroup() {
        return sums(queriesByHostgroup);
    }

    public Map<Integer, Long> errorsByCode() {
        return sums(errorsByCode);
    }

    public Map<Integer, Long> ruleHits() {
        return sums(ruleHits);
    }

    public long questions() {
        return questions.sum();
    }

    public long slowQueries() {
        return slowQueries.sum();
    }

    public long retries() {
        return retries.sum();
    }

    public long queryTimeouts() {
        return queryTimeouts.sum();
    }

    public long idleTimeouts() {
        return idleTimeouts.sum();
    }

    public long multiplexedReleases() {
        return multiplexedReleases.sum();
    }

    public long stmtReprepares() {
        return stmtReprepares.sum();
    }

    private static Map<Integer, Long> sums(Map<Integer, LongAdder> m) {
        Map<Integer, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
