package io.switchyard.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchyard.frontend.SessionRegistry;
import io.switchyard.stats.ProxyStats;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Proxy-wide meters read from the client sessions and the data path's counters: client
 * connections, logins, errors by code, query-rule hits, slow statements, retries, timeouts,
 * multiplexing and re-prepares. Values are read at scrape time; nothing here runs on the data
 * path. Confined to the scraping thread ({@link DynamicMeters}).
 */
final class ProxyMeters implements DynamicMeters {
    private final MeterRegistry registry;
    private final ProxyStats stats;
    private final Map<Integer, FunctionCounter> errors = new HashMap<>();
    private final Map<Integer, FunctionCounter> ruleHits = new HashMap<>();
    private volatile Map<Integer, Long> errorCounts = Map.of();
    private volatile Map<Integer, Long> ruleHitCounts = Map.of();

    ProxyMeters(MeterRegistry registry, ProxyStats stats, SessionRegistry sessions) {
        this.registry = registry;
        this.stats = stats;
        Gauge.builder("switchyard.client.connections", sessions, SessionRegistry::size)
                .description("Client connections open now").strongReference(true).register(registry);
        counter("switchyard.client.connections.accepted", "Client connections accepted since start",
                sessions, SessionRegistry::accepted);
        counter("switchyard.client.auth.failures", "Client logins refused since start", sessions, SessionRegistry::authFailures);
        counter("switchyard.client.idle.timeouts", "Client sessions closed for waiting for a command longer than their wait_timeout",
                stats, ProxyStats::idleTimeouts);
        counter("switchyard.slow.queries", "Statements slower than mysql-long_query_time", stats, ProxyStats::slowQueries);
        counter("switchyard.query.retries", "Statements retried on another connection after their backend failed",
                stats, ProxyStats::retries);
        counter("switchyard.query.timeouts", "Statements killed for running longer than their timeout",
                stats, ProxyStats::queryTimeouts);
        counter("switchyard.multiplexed.releases", "Backend connections given back to the pool between statements",
                stats, ProxyStats::multiplexedReleases);
        counter("switchyard.statement.reprepares", "Prepared statements prepared again on another backend connection",
                stats, ProxyStats::stmtReprepares);
        counter("switchyard.causal.read.waits", "Reads that waited on a replica for a write they must see (mysql-causal_reads)",
                stats, ProxyStats::causalWaits);
        counter("switchyard.causal.reads.writer", "Reads sent to the writer because no replica had the write they must see in time",
                stats, ProxyStats::causalReadsOnWriter);
        counter("switchyard.transactions.replayed", "Transactions whose connection was lost that ran again on another with the same results",
                stats, ProxyStats::transactionsReplayed);
        counter("switchyard.transaction.replay.failures", "Transactions whose connection was lost that could not run again (session closed)",
                stats, ProxyStats::transactionReplaysFailed);
        counter("switchyard.read.only.transactions.readers", "Read-only transactions started on a reader instead of the writer",
                stats, ProxyStats::readOnlyTransactionsOnReaders);
        counter("switchyard.read.only.transactions.moved", "Read-only transactions moved from a reader to the writer, replayed with the same results",
                stats, ProxyStats::readOnlyTransactionsMoved);
        counter("switchyard.eventslog.lines", "Lines written to the query events log (mysql-eventslog_filename)",
                stats, s -> s.events().written());
        counter("switchyard.eventslog.lines.lost", "Lines of the query events log lost: its queue was full or its file could not be written",
                stats, s -> s.events().lost());
        counter("switchyard.read.only.transactions.move.failures", "Read-only transactions that had to move to the writer and could not (session closed)",
                stats, ProxyStats::readOnlyTransactionMovesFailed);
    }

    private <T> void counter(String name, String description, T source, ToLongFunction<T> value) {
        FunctionCounter.builder(name, source, s -> value.applyAsLong(s)).description(description).register(registry);
    }

    @Override
    public void refresh() {
        errorCounts = stats.errorsByCode();
        ruleHitCounts = stats.ruleHits();
        for (Integer code : errorCounts.keySet()) {
            errors.computeIfAbsent(code, c -> FunctionCounter.builder("switchyard.errors", this, m -> m.errorCounts.getOrDefault(c, 0L))
                    .description("Errors sent to clients, by MySQL error code (the proxy's own and the servers' relayed)")
                    .tags("code", Integer.toString(c))
                    .register(registry));
        }
        for (Integer rule : ruleHitCounts.keySet()) {
            ruleHits.computeIfAbsent(rule, r -> FunctionCounter.builder("switchyard.query.rule.hits", this,
                            m -> m.ruleHitCounts.getOrDefault(r, 0L))
                    .description("Statements matched by a query rule, by rule_id")
                    .tags("rule", Integer.toString(r))
                    .register(registry));
        }
    }
}
