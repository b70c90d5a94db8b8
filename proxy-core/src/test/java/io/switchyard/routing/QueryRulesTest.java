package io.switchyard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.routing.RuleOutcome.Multiplex;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class QueryRulesTest {

    private static QueryRule.Builder rule(int id) {
        return QueryRule.builder(id);
    }

    private static QueryContext query(String sql) {
        return QueryContext.of("app", "shop", "10.0.0.5", sql, sql, 0L);
    }

    private static RuleOutcome evaluate(String sql, QueryRule.Builder... rules) {
        return compile(rules).evaluate(query(sql));
    }

    private static QueryRules compile(QueryRule.Builder... rules) {
        return QueryRules.compile(List.of(rules).stream().map(QueryRule.Builder::build).toList());
    }

    @Nested
    class ReadWriteSplit {
        private final QueryRules rules = compile(
                rule(1).matchDigest("^SELECT.*FOR UPDATE").destinationHostgroup(1).apply(true),
                rule(2).matchDigest("^SELECT").destinationHostgroup(2).apply(true));

        @Test
        void selectForUpdateGoesToTheWriter() {
            RuleOutcome outcome = rules.evaluate(query("SELECT * FROM t WHERE id = 1 FOR UPDATE"));
            assertThat(outcome.destinationHostgroup()).isEqualTo(1);
            assertThat(outcome.matchedRuleIds()).containsExactly(1);
            assertThat(outcome.stoppedByApply()).isTrue();
        }

        @Test
        void plainSelectGoesToTheReaders() {
            RuleOutcome outcome = rules.evaluate(query("select c FROM t WHERE id = 1"));
            assertThat(outcome.destinationHostgroup()).isEqualTo(2);
            assertThat(outcome.matchedRuleIds()).containsExactly(2);
        }

        @Test
        void writesMatchNoRuleAndKeepTheDefaultHostgroup() {
            RuleOutcome outcome = rules.evaluate(query("UPDATE t SET c = 1 WHERE id = 1"));
            assertThat(outcome.destinationHostgroup()).isNull();
            assertThat(outcome.matchCount()).isZero();
            assertThat(outcome.rewritten()).isFalse();
            assertThat(outcome.blocked()).isFalse();
        }
    }

    @Test
    void laterMatchingRulesOverrideEarlierActionsUntilApply() {
        RuleOutcome outcome = evaluate("SELECT 1",
                rule(1).matchPattern("^SELECT").destinationHostgroup(2).timeout(1000).retries(3),
                rule(2).destinationHostgroup(3).timeout(500),
                rule(3).destinationHostgroup(4).apply(true),
                rule(4).destinationHostgroup(5));
        assertThat(outcome.matchedRuleIds()).containsExactly(1, 2, 3);
        assertThat(outcome.destinationHostgroup()).isEqualTo(4);
        assertThat(outcome.timeout()).isEqualTo(500);
        assertThat(outcome.retries()).isEqualTo(3);
    }

    @Test
    void rulesAreVisitedInRuleIdOrderWhateverTheListOrder() {
        QueryRules rules = QueryRules.compile(List.of(
                rule(20).destinationHostgroup(20).build(),
                rule(10).destinationHostgroup(10).build()));
        RuleOutcome outcome = rules.evaluate(query("SELECT 1"));
        assertThat(outcome.matchedRuleIds()).containsExactly(10, 20);
        assertThat(outcome.destinationHostgroup()).isEqualTo(20);
    }

    @Test
    void oneRuleSetServesManyThreadsAtOnce() throws Exception {
        QueryRules rules = compile(
                rule(1).matchPattern("^SELECT.*FOR UPDATE").destinationHostgroup(1).apply(true),
                rule(2).matchPattern("^SELECT (\\w+)").replacePattern("SELECT \\1").destinationHostgroup(2));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        String sql = (i + thread) % 2 == 0 ? "SELECT a FROM t FOR UPDATE" : "SELECT b" + i + " FROM t";
                        RuleOutcome outcome = rules.evaluate(query(sql));
                        int expected = (i + thread) % 2 == 0 ? 1 : 2;
                        if (outcome.destinationHostgroup() != expected || !outcome.query(sql).equals(sql)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void inactiveRulesAreIgnored() {
        RuleOutcome outcome = evaluate("SELECT 1",
                rule(1).active(false).destinationHostgroup(9).apply(true),
                rule(2).destinationHostgroup(2));
        assertThat(outcome.matchedRuleIds()).containsExactly(2);
        assertThat(outcome.destinationHostgroup()).isEqualTo(2);
    }

    @Nested
    class FlagChains {
        @Test
        void flagOutLeadsToRulesWithThatFlagIn() {
            RuleOutcome outcome = evaluate("SELECT * FROM orders",
                    rule(1).username("app").flagOut(10),
                    rule(2).matchPattern("orders").destinationHostgroup(7),
                    rule(3).flagIn(10).matchPattern("orders").destinationHostgroup(3).apply(true));
            assertThat(outcome.matchedRuleIds()).containsExactly(1, 3);
            assertThat(outcome.destinationHostgroup()).isEqualTo(3);
            assertThat(outcome.finalFlag()).isEqualTo(10);
        }

        @Test
        void aFlagChangeContinuesForwardAndSkipsEarlierRulesWithTheNewFlag() {
            RuleOutcome outcome = evaluate("SELECT 1",
                    rule(1).flagIn(5).destinationHostgroup(1),
                    rule(2).flagOut(5),
                    rule(3).flagIn(5).destinationHostgroup(3));
            assertThat(outcome.matchedRuleIds()).containsExactly(2, 3);
            assertThat(outcome.destinationHostgroup()).isEqualTo(3);
        }

        @Test
        void withProcessorIterationsAFlagChangeRestartsFromTheFirstRule() {
            QueryRules rules = QueryRules.compile(List.of(
                    rule(1).flagIn(5).destinationHostgroup(1).build(),
                    rule(2).flagOut(5).build(),
                    rule(3).flagIn(5).destinationHostgroup(3).build()), 1);
            RuleOutcome outcome = rules.evaluate(query("SELECT 1"));
            assertThat(outcome.matchedRuleIds()).containsExactly(2, 1, 3);
        }

        @Test
        void chainWithoutApplyEndsWhenRulesRunOut() {
            RuleOutcome outcome = evaluate("SELECT 1",
                    rule(1).flagOut(1).timeout(10),
                    rule(2).flagIn(1).flagOut(2).retries(1),
                    rule(3).flagIn(2).delay(5));
            assertThat(outcome.matchedRuleIds()).containsExactly(1, 2, 3);
            assertThat(outcome.finalFlag()).isEqualTo(2);
            assertThat(outcome.stoppedByApply()).isFalse();
            assertThat(outcome.delay()).isEqualTo(5);
        }

        @Test
        void applyStopsTheChainBeforeFlagOutTakesEffect() {
            RuleOutcome outcome = evaluate("SELECT 1",
                    rule(1).flagOut(1).apply(true).destinationHostgroup(1),
                    rule(2).flagIn(1).destinationHostgroup(2));
            assertThat(outcome.matchedRuleIds()).containsExactly(1);
            assertThat(outcome.destinationHostgroup()).isEqualTo(1);
        }

        @Test
        void aFlagCycleTerminatesWithoutRestarts() {
            RuleOutcome outcome = evaluate("SELECT 1",
                    rule(1).flagOut(1),
                    rule(2).flagIn(1).flagOut(0),
                    rule(3).flagOut(1),
                    rule(4).flagIn(1).flagOut(1));
            assertThat(outcome.matchedRuleIds()).containsExactly(1, 2, 3, 4);
        }

        @Test
        void aFlagCycleWithRestartsIsBoundedByProcessorIterations() {
            QueryRules rules = QueryRules.compile(List.of(
                    rule(1).flagOut(1).build(),
                    rule(2).flagIn(1).flagOut(0).build()), 5);
            RuleOutcome outcome = rules.evaluate(query("SELECT 1"));
            assertThat(outcome.matchedRuleIds()).containsExactly(1, 2, 1, 2, 1, 2);
        }

        @Test
        void processorIterationsAreBounded() {
            assertThatThrownBy(() -> QueryRules.compile(List.of(), 1001))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mysql-query_processor_iterations");
        }
    }

    @Nested
    class Patterns {
        @Test
        void negateMatchPatternMatchesStatementsWithoutThePattern() {
            QueryRules rules = compile(
                    rule(1).matchPattern("^SELECT").negateMatchPattern(true).destinationHostgroup(1));
            assertThat(rules.evaluate(query("DELETE FROM t")).destinationHostgroup()).isEqualTo(1);
            assertThat(rules.evaluate(query("SELECT 1")).destinationHostgroup()).isNull();
        }

        @Test
        void negateAlsoInvertsMatchDigest() {
            QueryRules rules = compile(
                    rule(1).matchDigest("^SELECT").negateMatchPattern(true).destinationHostgroup(1));
            assertThat(rules.evaluate(query("INSERT INTO t VALUES (1)")).destinationHostgroup())
                    .isEqualTo(1);
            assertThat(rules.evaluate(query("SELECT 1")).matchCount()).isZero();
        }

        @Test
        void caselessIsTheDefaultModifier() {
            RuleOutcome outcome = evaluate("select 1", rule(1).matchPattern("^SELECT").destinationHostgroup(2));
            assertThat(outcome.destinationHostgroup()).isEqualTo(2);
        }

        @Test
        void withoutCaselessMatchingIsCaseSensitive() {
            RuleOutcome outcome = evaluate("select 1",
                    rule(1).matchPattern("^SELECT").reModifiers("").destinationHostgroup(2));
            assertThat(outcome.matchCount()).isZero();
        }

        @Test
        void patternsSearchAnywhereInTheText() {
            RuleOutcome outcome = evaluate("SELECT * FROM big_table",
                    rule(1).matchPattern("big_table").destinationHostgroup(4));
            assertThat(outcome.destinationHostgroup()).isEqualTo(4);
        }

        @Test
        void matchDigestSeesTheDigestTextNotTheQuery() {
            QueryRules rules = compile(rule(1).matchDigest("id = \\?").destinationHostgroup(2));
            QueryContext ctx = QueryContext.of("app", "shop", "10.0.0.5",
                    "SELECT * FROM t WHERE id = 42", "SELECT * FROM t WHERE id = ?", 0L);
            assertThat(rules.evaluate(ctx).destinationHostgroup()).isEqualTo(2);
        }

        @Test
        void digestFilterComparesTheDigestHash() {
            QueryRules rules = compile(rule(1).digest(0xCAFEBABEDEADBEEFL).errorMsg("no"));
            QueryContext hit = QueryContext.of("app", null, null, "SELECT 1", "SELECT ?", 0xCAFEBABEDEADBEEFL);
            QueryContext miss = QueryContext.of("app", null, null, "SELECT 1", "SELECT ?", 42L);
            assertThat(rules.evaluate(hit).blocked()).isTrue();
            assertThat(rules.evaluate(miss).matchCount()).isZero();
        }
    }

    @Nested
    class Rewrites {
        @Test
        void replacePatternRewritesTheFirstOccurrenceByDefault() {
            RuleOutcome outcome = evaluate("SELECT a FROM old_t JOIN old_t",
                    rule(1).matchPattern("old_t").replacePattern("new_t"));
            assertThat(outcome.rewritten()).isTrue();
            assertThat(outcome.rewrittenQuery()).isEqualTo("SELECT a FROM new_t JOIN old_t");
        }

        @Test
        void globalModifierRewritesEveryOccurrence() {
            RuleOutcome outcome = evaluate("SELECT a FROM old_t JOIN old_t",
                    rule(1).matchPattern("old_t").reModifiers("CASELESS,GLOBAL").replacePattern("new_t"));
            assertThat(outcome.rewrittenQuery()).isEqualTo("SELECT a FROM new_t JOIN new_t");
        }

        @Test
        void replacePatternUsesBackslashGroupReferencesAndKeepsDollarLiteral() {
            RuleOutcome outcome = evaluate("SELECT name FROM users WHERE id = 7",
                    rule(1).matchPattern("SELECT (\\w+) FROM users WHERE id = (\\d+)")
                            .replacePattern("SELECT \\1, '$1\\\\' FROM customers WHERE user_id = \\2"));
            assertThat(outcome.rewrittenQuery())
                    .isEqualTo("SELECT name, '$1\\' FROM customers WHERE user_id = 7");
        }

        @Test
        void laterRulesMatchTheRewrittenText() {
            RuleOutcome outcome = evaluate("SELECT * FROM legacy",
                    rule(1).matchPattern("legacy").replacePattern("modern"),
                    rule(2).matchPattern("legacy").destinationHostgroup(1),
                    rule(3).matchPattern("modern").destinationHostgroup(2));
            assertThat(outcome.matchedRuleIds()).containsExactly(1, 3);
            assertThat(outcome.destinationHostgroup()).isEqualTo(2);
            assertThat(outcome.query("SELECT * FROM legacy")).isEqualTo("SELECT * FROM modern");
        }
    }

    @Nested
    class SessionFilters {
        private final QueryRules rules = compile(
                rule(1).username("reporting").destinationHostgroup(3).apply(true),
                rule(2).schemaname("analytics").destinationHostgroup(4).apply(true),
                rule(3).clientAddr("192.168.1.%").destinationHostgroup(5).apply(true),
                rule(4).clientAddr("10.9.9.9").destinationHostgroup(6).apply(true));

        private Integer hostgroupFor(String user, String schema, String addr) {
            return rules.evaluate(QueryContext.of(user, schema, addr, "SELECT 1", "SELECT ?", 1L))
                    .destinationHostgroup();
        }

        @Test
        void usernameMustMatchExactly() {
            assertThat(hostgroupFor("reporting", "shop", "10.0.0.1")).isEqualTo(3);
            assertThat(hostgroupFor("Reporting", "shop", "10.0.0.1")).isNull();
        }

        @Test
        void schemanameMustMatchAndASessionWithoutSchemaDoesNotMatch() {
            assertThat(hostgroupFor("app", "analytics", "10.0.0.1")).isEqualTo(4);
            assertThat(hostgroupFor("app", null, "10.0.0.1")).isNull();
        }

        @Test
        void clientAddrMatchesExactlyOrByTrailingWildcardPrefix() {
            assertThat(hostgroupFor("app", "shop", "192.168.1.77")).isEqualTo(5);
            assertThat(hostgroupFor("app", "shop", "10.9.9.9")).isEqualTo(6);
            assertThat(hostgroupFor("app", "shop", "10.9.9.90")).isNull();
        }
    }

    @Nested
    class Answers {
        @Test
        void errorMsgBlocksTheQuery() {
            RuleOutcome outcome = evaluate("DROP TABLE t",
                    rule(1).matchPattern("^DROP").errorMsg("DROP is not allowed through the proxy").apply(true));
            assertThat(outcome.blocked()).isTrue();
            assertThat(outcome.errorMsg()).isEqualTo("DROP is not allowed through the proxy");
        }

        @Test
        void okMsgAnswersWithOkAndWinsOverErrorMsg() {
            RuleOutcome outcome = evaluate("SET sql_log_bin = 0",
                    rule(1).matchPattern("sql_log_bin").errorMsg("no"),
                    rule(2).matchPattern("sql_log_bin").okMsg("ignored"));
            assertThat(outcome.answeredWithOk()).isTrue();
            assertThat(outcome.blocked()).isFalse();
            assertThat(outcome.okMsg()).isEqualTo("ignored");
        }

        @Test
        void multiplexAndLogAndMirrorAreReported() {
            RuleOutcome outcome = evaluate("SELECT @x",
                    rule(1).matchPattern("@").multiplex(2).log(1).mirrorHostgroup(9).mirrorFlagOut(4));
            assertThat(outcome.multiplex()).isEqualTo(Multiplex.KEEP_DESPITE_USER_VARIABLES);
            assertThat(outcome.log()).isTrue();
            assertThat(outcome.mirrorHostgroup()).isEqualTo(9);
            assertThat(outcome.mirrorFlagOut()).isEqualTo(4);
        }
    }
}
