package io.switchyard.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the query rules decided for one statement. Every action is null when no matching rule
 * set it; later matching rules override earlier ones, as in ProxySQL. Immutable.
 *
 * <p>How the session acts on it, in ProxySQL's order: {@link #okMsg()} set → answer OK without
 * touching a backend; else {@link #errorMsg()} set → answer with an error; else send
 * {@link #query(String) the (possibly rewritten) query} to {@link #destinationHostgroup()}, or
 * to the user's default hostgroup when that is null.
 */
public final class RuleOutcome {
    static final int[] NO_RULES = new int[0];

    /** The outcome when no rule matched. */
    static final RuleOutcome NONE = new RuleOutcome(NO_RULES, 0, 0, false, null, null, null,
            null, null, null, null, null, null, null, null, null);

    /** ProxySQL's multiplex column values, as an action on the session's connection. */
    public enum Multiplex {
        /** 0: keep the backend connection attached to the session (no multiplexing). */
        DISABLE,
        /** 1: multiplexing may resume, unless something else (a transaction, a lock) holds it. */
        ENABLE,
        /** 2: this query does not disable multiplexing although its digest contains {@code @}. */
        KEEP_DESPITE_USER_VARIABLES;

        static Multiplex ofColumn(int value) {
            return values()[value];
        }
    }

    private final int[] matchedRuleIds;
    private final int matchCount;
    private final int finalFlag;
    private final boolean stoppedByApply;
    private final String rewrittenQuery;
    private final Integer destinationHostgroup;
    private final Integer timeout;
    private final Integer retries;
    private final Integer delay;
    private final Integer mirrorFlagOut;
    private final Integer mirrorHostgroup;
    private final String errorMsg;
    private final String causalReads;
    private final String okMsg;
    private final Multiplex multiplex;
    private final Boolean log;

    RuleOutcome(int[] matchedRuleIds, int matchCount, int finalFlag, boolean stoppedByApply,
            String rewrittenQuery, Integer destinationHostgroup, Integer timeout, Integer retries,
            Integer delay, Integer mirrorFlagOut, Integer mirrorHostgroup, String errorMsg,
            String okMsg, Multiplex multiplex, Boolean log, String causalReads) {
        this.causalReads = causalReads;
        this.matchedRuleIds = matchedRuleIds;
        this.matchCount = matchCount;
        this.finalFlag = finalFlag;
        this.stoppedByApply = stoppedByApply;
        this.rewrittenQuery = rewrittenQuery;
        this.destinationHostgroup = destinationHostgroup;
        this.timeout = timeout;
        this.retries = retries;
        this.delay = delay;
        this.mirrorFlagOut = mirrorFlagOut;
        this.mirrorHostgroup = mirrorHostgroup;
        this.errorMsg = errorMsg;
        this.okMsg = okMsg;
        this.multiplex = multiplex;
        this.log = log;
    }

    /** How many rules matched (each counts one hit in {@code stats_mysql_query_rules}). */
    public int matchCount() {
        return matchCount;
    }

    /** The rule_id of the {@code i}-th matching rule, in evaluation order. */
    public int matchedRuleId(int i) {
        if (i < 0 || i >= matchCount) {
            throw new IndexOutOfBoundsException(i);
        }
        return matchedRuleIds[i];
    }

    /** The rule_ids of the matching rules, in evaluation order (a new list each call). */
    public List<Integer> matchedRuleIds() {
        List<Integer> ids = new ArrayList<>(matchCount);
        for (int i = 0; i < matchCount; i++) {
            ids.add(matchedRuleIds[i]);
        }
        return ids;
    }

    /** The flag the query carried when evaluation ended (ProxySQL's fast-routing key part). */
    public int finalFlag() {
        return finalFlag;
    }

    /** True when a matching rule with apply=1 ended evaluation. */
    public boolean stoppedByApply() {
        return stoppedByApply;
    }

    /** True when a replace_pattern changed the statement text. */
    public boolean rewritten() {
        return rewrittenQuery != null;
    }

    /** The rewritten statement, or null when no replace_pattern applied. */
    public String rewrittenQuery() {
        return rewrittenQuery;
    }

    /** The statement to send: the rewritten text if there is one, else {@code original}. */
    public String query(String original) {
        return rewrittenQuery != null ? rewrittenQuery : original;
    }

    public Integer destinationHostgroup() {
        return destinationHostgroup;
    }

    /** Query timeout in milliseconds. */
    public Integer timeout() {
        return timeout;
    }

    public Integer retries() {
        return retries;
    }

    /** Delay before execution in milliseconds. */
    public Integer delay() {
        return delay;
    }

    public Integer mirrorFlagOut() {
        return mirrorFlagOut;
    }

    public Integer mirrorHostgroup() {
        return mirrorHostgroup;
    }

    /** {@code mysql-causal_reads} for this statement, from the last matching rule that sets it; null to use the variable's. */
    public String causalReads() {
        return causalReads;
    }

    public String errorMsg() {
        return errorMsg;
    }

    public String okMsg() {
        return okMsg;
    }

    /** True when the client gets an error instead of a result (and no OK_msg overrides it). */
    public boolean blocked() {
        return errorMsg != null && okMsg == null;
    }

    /** True when the client gets an OK packet without the query reaching a backend. */
    public boolean answeredWithOk() {
        return okMsg != null;
    }

    public Multiplex multiplex() {
        return multiplex;
    }

    public Boolean log() {
        return log;
    }

    @Override
    public String toString() {
        return "RuleOutcome{matched=" + Arrays.toString(Arrays.copyOf(matchedRuleIds, matchCount))
                + ", flag=" + finalFlag + ", apply=" + stoppedByApply
                + ", hostgroup=" + destinationHostgroup + ", rewritten=" + rewritten()
                + ", error=" + errorMsg + ", ok=" + okMsg + ", timeout=" + timeout
                + ", retries=" + retries + ", delay=" + delay + ", mirror=" + mirrorHostgroup
                + ", multiplex=" + multiplex + ", log=" + log + '}';
    }
}
