package io.switchyard.routing.bench;

import io.switchyard.routing.QueryContext;
import io.switchyard.routing.QueryRule;
import io.switchyard.routing.QueryRules;
import io.switchyard.routing.RuleOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of {@link QueryRules#evaluate} on a realistic 20-rule set: 18 rules that a typical
 * application query does not match (other users, other schemas, patterns for other statements),
 * visited first, then a read/write split. Run by hand with JMH's main class (see the README of
 * the benchmark scripts); not part of the test suite.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RuleBenchmark {
    private QueryRules rules;
    private QueryContext pointSelect;
    private QueryContext update;

    @Setup
    public void setUp() {
        List<QueryRule> list = new ArrayList<>();
        int id = 1;
        for (String user : List.of("etl", "reporting", "backup", "cron", "analyst", "migrator")) {
            list.add(QueryRule.builder(id++).username(user).destinationHostgroup(3).apply(true).build());
        }
        for (String schema : List.of("analytics", "audit", "archive", "billing", "search", "legacy")) {
            list.add(QueryRule.builder(id++).schemaname(schema).destinationHostgroup(4).apply(true).build());
        }
        list.add(QueryRule.builder(id++).matchDigest("^INSERT INTO audit_log").destinationHostgroup(5).apply(true).build());
        list.add(QueryRule.builder(id++).matchDigest("^DELETE FROM sessions WHERE expires").destinationHostgroup(1).apply(true).build());
        list.add(QueryRule.builder(id++).matchDigest("^SELECT .* FROM big_report").destinationHostgroup(6).apply(true).build());
        list.add(QueryRule.builder(id++).matchPattern("^DROP ").errorMsg("DROP is not allowed").apply(true).build());
        list.add(QueryRule.builder(id++).matchPattern("^TRUNCATE ").errorMsg("TRUNCATE is not allowed").apply(true).build());
        list.add(QueryRule.builder(id++).matchPattern("SQL_NO_CACHE").timeout(60_000).build());
        list.add(QueryRule.builder(100).matchDigest("^SELECT.*FOR UPDATE").destinationHostgroup(1).apply(true).build());
        list.add(QueryRule.builder(101).matchDigest("^SELECT").destinationHostgroup(2).apply(true).build());
        rules = QueryRules.compile(list);

        pointSelect = QueryContext.of("app", "shop", "10.0.0.5",
                "SELECT c FROM sbtest1 WHERE id=4242", "SELECT c FROM sbtest1 WHERE id=?", 0x1234L);
        update = QueryContext.of("app", "shop", "10.0.0.5",
                "UPDATE sbtest1 SET k=k+1 WHERE id=4242", "UPDATE sbtest1 SET k=k+? WHERE id=?", 0x5678L);
    }

    /** A point select routed to the readers by rule 101 after 19 misses. */
    @Benchmark
    public RuleOutcome pointSelect() {
        return rules.evaluate(pointSelect);
    }

    /** A write that no rule matches: every rule is tried. */
    @Benchmark
    public RuleOutcome updateMatchingNoRule() {
        return rules.evaluate(update);
    }
}
