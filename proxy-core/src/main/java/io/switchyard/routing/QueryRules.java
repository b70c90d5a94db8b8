package io.switchyard.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * A validated, compiled set of {@code mysql_query_rules}, evaluated per statement with
 * ProxySQL's semantics. Immutable and safe to share between threads; part of the runtime
 * snapshot, replaced as a whole by {@code LOAD MYSQL QUERY RULES TO RUNTIME}.
 *
 * <h2>Evaluation</h2>
 * The query starts with flag 0. Active rules are visited in rule_id order; a rule is considered
 * only when its flagIN equals the current flag, and matches when every filter it sets accepts the
 * statement: username, schemaname, client_addr (exact or trailing-{@code %} prefix), proxy_addr,
 * proxy_port, digest (equality), match_digest (searched in the digest text), match_pattern
 * (searched in the current, possibly rewritten, text). negate_match_pattern inverts the result
 * of both regex filters, as in ProxySQL. A matching rule:
 * <ol>
 *   <li>is recorded (one hit for {@code stats_mysql_query_rules});</li>
 *   <li>sets each action column it has (destination_hostgroup, timeout, retries, delay,
 *       mirror_flagOUT, mirror_hostgroup, error_msg, OK_msg, multiplex, log), overriding values
 *       set by earlier rules;</li>
 *   <li>applies its replace_pattern to the current text (first occurrence, or all with the
 *       GLOBAL modifier); later rules' match_pattern sees the rewritten text, while
 *       match_digest always sees the original digest;</li>
 *   <li>with apply=1, ends evaluation;</li>
 *   <li>otherwise, with flagOUT set, changes the current flag to flagOUT. Like ProxySQL, the
 *       scan then <em>continues forward</em> from the next rule: rules with the new flagIN but a
 *       smaller rule_id are not visited. Only with {@code processorIterations} &gt; 0 (ProxySQL's
 *       {@code mysql-query_processor_iterations}) does a flag change restart the scan from the
 *       first rule, at most that many times per statement.</li>
 * </ol>
 *
 * <h2>Allocation</h2>
 * {@link java.util.regex.Pattern#matcher} allocates, so each thread that evaluates gets its own
 * reusable array of matchers, one per regex of the set, created on its first evaluation. A
 * matcher keeps a reference to the last text it searched until its next use: each thread
 * retains at most the last statement per regex, released with the rule set.
 *
 * <h2>Termination</h2>
 * A flagIN/flagOUT cycle cannot loop forever: without restarts every rule is visited at most
 * once; with restarts at most {@code (processorIterations + 1)} times, and
 * {@code processorIterations} is capped at {@value #MAX_PROCESSOR_ITERATIONS}.
 *
 * <h2>Regular expressions</h2>
 * Compiled once with {@link java.util.regex}; CASELESS maps to {@code CASE_INSENSITIVE}
 * (ASCII case folding only). ProxySQL's default engine is PCRE ({@code query_processor_regex=1}),
 * optionally RE2 (=2). Differences an operator may meet:
 * <ul>
 *   <li>Java, like PCRE, accepts backreferences and lookaround; RE2 rejects them, so a rule set
 *       written for RE2 compiles here, but not always the reverse.</li>
 *   <li>Java's engine backtracks like PCRE: a pathological pattern such as {@code (a+)+$} can
 *       take exponential time on a crafted statement; RE2 is linear. Keep patterns simple and
 *       anchored.</li>
 *   <li>Without MULTILINE, Java's {@code $} also matches before a final line terminator; RE2's
 *       only at the very end.</li>
 *   <li>Possessive quantifiers and {@code \p{javaXxx}} classes are Java-only; RE2's
 *       {@code \C} and {@code (?P<name>...)} are not accepted (Java spells the latter
 *       {@code (?<name>...)}).</li>
 *   <li>replace_pattern uses ProxySQL's (PCRE's and RE2's) rewrite syntax: {@code \0}..{@code \9}
 *       for groups and {@code \\} for a backslash, not Java's {@code $1}; a {@code $} is
 *       literal. Any other backslash escape, or a group the pattern lacks, is rejected.</li>
 * </ul>
 *
 * <h2>Departures from ProxySQL</h2>
 * The digest and digest text are always present in Switchyard, so digest and match_digest
 * filters always apply (ProxySQL skips them when it computed no digest). Inactive rules are
 * validated too, so a broken row is reported when it is loaded rather than when activated.
 * replace_pattern is rejected without match_pattern or together with negate_match_pattern.
 */
public final class QueryRules {
    /** Upper bound accepted for {@code processorIterations}. */
    public static final int MAX_PROCESSOR_ITERATIONS = 1000;

    private static final CompiledRule[] NO_RULES = new CompiledRule[0];

    private final List<QueryRule> rules;
    private final CompiledRule[] flagZero;
    private final Map<Integer, CompiledRule[]> byFlagIn;
    private final int processorIterations;
    private final ThreadLocal<Matcher[]> matchers;

    private QueryRules(List<QueryRule> rules, Map<Integer, CompiledRule[]> byFlagIn,
            int slots, int processorIterations) {
        this.rules = rules;
        this.byFlagIn = byFlagIn;
        this.flagZero = byFlagIn.getOrDefault(0, NO_RULES);
        this.processorIterations = processorIterations;
        this.matchers = ThreadLocal.withInitial(() -> {
            Matcher[] array = new Matcher[slots];
            for (CompiledRule[] group : byFlagIn.values()) {
                for (CompiledRule rule : group) {
                    rule.fillMatchers(array);
                }
            }
            return array;
        });
    }

    /** An empty rule set: every statement goes to the user's default hostgroup unchanged. */
    public static QueryRules empty() {
        return new QueryRules(List.of(), Map.of(), 0, 0);
    }

    /** Compiles {@code rules} with ProxySQL's default of no restarts after a flag change. */
    public static QueryRules compile(List<QueryRule> rules) {
        return compile(rules, 0);
    }

    /**
     * Validates and compiles {@code rules} (in any order).
     *
     * @param processorIterations ProxySQL's {@code mysql-query_processor_iterations}: how many
     *                            times a flagOUT may restart the scan from the first rule
     * @throws RuleException naming the first invalid rule (in rule_id order)
     */
    public static QueryRules compile(List<QueryRule> rules, int processorIterations) {
        if (processorIterations < 0 || processorIterations > MAX_PROCESSOR_ITERATIONS) {
            throw new IllegalArgumentException("mysql-query_processor_iterations must be between 0"
                    + " and " + MAX_PROCESSOR_ITERATIONS + ", got " + processorIterations);
        }
        List<QueryRule> sorted = new ArrayList<>(rules);
        sorted.sort(Comparator.comparingInt(QueryRule::ruleId));
        Set<Integer> seen = new HashSet<>();
        Map<Integer, List<CompiledRule>> groups = new HashMap<>();
        int position = 0;
        int slots = 0;
        for (QueryRule rule : sorted) {
            if (!seen.add(rule.ruleId())) {
                throw new RuleException(rule.ruleId(), "duplicate rule_id");
            }
            CompiledRule compiled = CompiledRule.compile(rule, position, slots);
            if (rule.active()) {
                groups.computeIfAbsent(rule.flagIn(), f -> new ArrayList<>()).add(compiled);
                position++;
                slots += compiled.slots();
            }
        }
        Map<Integer, CompiledRule[]> byFlagIn = new HashMap<>();
        groups.forEach((flag, list) -> byFlagIn.put(flag, list.toArray(CompiledRule[]::new)));
        return new QueryRules(List.copyOf(sorted), Map.copyOf(byFlagIn), slots, processorIterations);
    }

    /** All rules of the set, active or not, in rule_id order. */
    public List<QueryRule> rules() {
        return rules;
    }

    /**
     * Runs the rules over one statement. Once the calling thread's matchers exist, allocates
     * nothing when no rule matches; otherwise the outcome, its array of matched rule ids, and
     * any rewritten text.
     */
    public RuleOutcome evaluate(QueryContext ctx) {
        Matcher[] ms = matchers.get();
        CompiledRule[] group = flagZero;
        int next = 0;
        int flag = 0;
        int restartsLeft = processorIterations;
        String text = ctx.query();
        String rewritten = null;
        int[] matched = null;
        int matchCount = 0;
        boolean stoppedByApply = false;
        int hostgroup = CompiledRule.NOT_SET;
        int timeout = CompiledRule.NOT_SET;
        int retries = CompiledRule.NOT_SET;
        int delay = CompiledRule.NOT_SET;
        int mirrorFlagOut = CompiledRule.NOT_SET;
        int mirrorHostgroup = CompiledRule.NOT_SET;
        int multiplex = CompiledRule.NOT_SET;
        int log = CompiledRule.NOT_SET;
        String errorMsg = null;
        String causalReads = null;
        String okMsg = null;

        while (next < group.length) {
            CompiledRule rule = group[next++];
            if (!rule.matches(ctx, text, ms)) {
                continue;
            }
            if (matched == null) {
                matched = new int[4];
            } else if (matchCount == matched.length) {
                matched = Arrays.copyOf(matched, matchCount * 2);
            }
            matched[matchCount++] = rule.ruleId;
            if (rule.destinationHostgroup != CompiledRule.NOT_SET) hostgroup = rule.destinationHostgroup;
            if (rule.timeout != CompiledRule.NOT_SET) timeout = rule.timeout;
            if (rule.retries != CompiledRule.NOT_SET) retries = rule.retries;
            if (rule.delay != CompiledRule.NOT_SET) delay = rule.delay;
            if (rule.mirrorFlagOut != CompiledRule.NOT_SET) mirrorFlagOut = rule.mirrorFlagOut;
            if (rule.mirrorHostgroup != CompiledRule.NOT_SET) mirrorHostgroup = rule.mirrorHostgroup;
            if (rule.multiplex != CompiledRule.NOT_SET) multiplex = rule.multiplex;
            if (rule.log != CompiledRule.NOT_SET) log = rule.log;
            if (rule.errorMsg != null) errorMsg = rule.errorMsg;
            if (rule.causalReads != null) causalReads = rule.causalReads;
            if (rule.okMsg != null) okMsg = rule.okMsg;
            if (rule.rewrites()) {
                String out = rule.rewrite(text, ms);
                if (out != null) {
                    text = out;
                    rewritten = out;
                }
            }
            if (rule.apply) {
                stoppedByApply = true;
                break;
            }
            if (rule.flagOut != CompiledRule.NOT_SET) {
                flag = rule.flagOut;
                group = flag == 0 ? flagZero : byFlagIn.getOrDefault(flag, NO_RULES);
                if (restartsLeft > 0) {
                    restartsLeft--;
                    next = 0;
                } else {
                    next = firstAfter(group, rule.position);
                }
            }
        }
        if (matchCount == 0) {
            return RuleOutcome.NONE;
        }
        return new RuleOutcome(matched, matchCount, flag, stoppedByApply, rewritten,
                boxed(hostgroup), boxed(timeout), boxed(retries), boxed(delay),
                boxed(mirrorFlagOut), boxed(mirrorHostgroup), errorMsg, okMsg,
                multiplex == CompiledRule.NOT_SET ? null : RuleOutcome.Multiplex.ofColumn(multiplex),
                log == CompiledRule.NOT_SET ? null : log == 1, causalReads);
    }

    /** Index in {@code group} of the first rule positioned after {@code position}. */
    private static int firstAfter(CompiledRule[] group, int position) {
        int lo = 0;
        int hi = group.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (group[mid].position <= position) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static Integer boxed(int value) {
        return value == CompiledRule.NOT_SET ? null : value;
    }
}
