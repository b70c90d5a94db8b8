package io.switchyard.routing;

/**
 * One row of {@code mysql_query_rules}, with ProxySQL's column names and meanings. Nullable
 * columns are boxed; null means "this rule does not filter on / does not change this". The
 * record is plain data and is not validated here: {@link QueryRules#compile} validates a whole
 * rule set at once and reports the first bad rule.
 *
 * <p>Columns of ProxySQL's table that this record does not carry, so no loader accepts them:
 * {@code reconnect} (deprecated in ProxySQL), {@code sticky_conn} (which ProxySQL itself
 * documents as not implemented), {@code cache_empty_result}, {@code cache_timeout},
 * {@code next_query_flagIN}, {@code gtid_from_hostgroup} and {@code attributes}. Of the columns
 * it carries, {@code cache_ttl} (there is no query cache) and {@code mirror_flagOUT} are
 * refused when a configuration is put in force ({@code RuntimeConfig}); the rest are applied.
 *
 * @param ruleId               unique id; rules are visited in ascending rule_id order
 * @param active               inactive rules are validated but never evaluated
 * @param username             exact (case-sensitive) client user name, or null for any
 * @param schemaname           exact current schema, or null for any
 * @param flagIn               the flag a query must carry for this rule to be considered
 * @param clientAddr           client IP, exact or with a trailing {@code %} wildcard, or null
 * @param proxyAddr            proxy listener address the client connected to, or null
 * @param proxyPort            proxy listener port the client connected to, or null
 * @param digest               64-bit digest the query's digest must equal, or null
 * @param matchDigest          regex searched in the digest text, or null
 * @param matchPattern         regex searched in the (possibly rewritten) query text, or null
 * @param negateMatchPattern   invert the result of match_digest and match_pattern
 * @param reModifiers          comma-separated {@code CASELESS}, {@code GLOBAL}; null for none
 * @param flagOut              flag the query carries after matching, or null to keep it
 * @param replacePattern       rewrite of the text matched by match_pattern ({@code \1} groups)
 * @param destinationHostgroup hostgroup to send the query to, or null
 * @param cacheTtl             query cache TTL in ms; refused when not null (no query cache)
 * @param timeout              query timeout in ms, or null
 * @param retries              retries on a failed backend connection (0..1000), or null
 * @param delay                delay before execution in ms, or null
 * @param mirrorFlagOut        flag the mirrored query starts with; refused when not null
 * @param mirrorHostgroup      hostgroup to mirror the query to, or null
 * @param causalReads          {@code mysql-causal_reads} for the statements the rule matches (off, local, global,
 *                             fast), or null to leave the variable's; the {@code causal_reads} key of the admin
 *                             table's {@code attributes}
 * @param errorMsg             block the query with this error message, or null
 * @param okMsg                answer the query with an OK packet carrying this message, or null
 * @param multiplex            0 disable, 1 enable, 2 keep multiplexing despite {@code @}; or null
 * @param log                  1 log the query, 0 do not; or null
 * @param apply                stop evaluating further rules after this one matches
 * @param comment              free text for operators
 */
public record QueryRule(
        int ruleId,
        boolean active,
        String username,
        String schemaname,
        int flagIn,
        String clientAddr,
        String proxyAddr,
        Integer proxyPort,
        Long digest,
        String matchDigest,
        String matchPattern,
        boolean negateMatchPattern,
        String reModifiers,
        Integer flagOut,
        String replacePattern,
        Integer destinationHostgroup,
        Integer cacheTtl,
        Integer timeout,
        Integer retries,
        Integer delay,
        Integer mirrorFlagOut,
        Integer mirrorHostgroup,
        String errorMsg,
        String okMsg,
        Integer multiplex,
        Integer log,
        boolean apply,
        String comment,
        String causalReads) {

    /** ProxySQL's column default for re_modifiers. */
    public static final String DEFAULT_RE_MODIFIERS = "CASELESS";

    /**
     * A builder with the table's column defaults, except that the rule is active: a rule built
     * in code is meant to be used. Not thread-safe.
     */
    public static Builder builder(int ruleId) {
        return new Builder(ruleId);
    }

    /** A builder starting from this rule's values. */
    public Builder toBuilder() {
        Builder b = new Builder(ruleId);
        b.active = active;
        b.username = username;
        b.schemaname = schemaname;
        b.flagIn = flagIn;
        b.clientAddr = clientAddr;
        b.proxyAddr = proxyAddr;
        b.proxyPort = proxyPort;
        b.digest = digest;
        b.matchDigest = matchDigest;
        b.matchPattern = matchPattern;
        b.negateMatchPattern = negateMatchPattern;
        b.reModifiers = reModifiers;
        b.flagOut = flagOut;
        b.replacePattern = replacePattern;
        b.destinationHostgroup = destinationHostgroup;
        b.cacheTtl = cacheTtl;
        b.timeout = timeout;
        b.retries = retries;
        b.delay = delay;
        b.mirrorFlagOut = mirrorFlagOut;
        b.mirrorHostgroup = mirrorHostgroup;
        b.errorMsg = errorMsg;
        b.okMsg = okMsg;
        b.multiplex = multiplex;
        b.log = log;
        b.apply = apply;
        b.comment = comment;
        b.causalReads = causalReads;
        return b;
    }

    /** Fluent construction of a {@link QueryRule}; one setter per column. Not thread-safe. */
    public static final class Builder {
        private final int ruleId;
        private boolean active = true;
        private String username;
        private String schemaname;
        private int flagIn;
        private String clientAddr;
        private String proxyAddr;
        private Integer proxyPort;
        private Long digest;
        private String matchDigest;
        private String matchPattern;
        private boolean negateMatchPattern;
        private String reModifiers = DEFAULT_RE_MODIFIERS;
        private Integer flagOut;
        private String replacePattern;
        private Integer destinationHostgroup;
        private Integer cacheTtl;
        private Integer timeout;
        private Integer retries;
        private Integer delay;
        private Integer mirrorFlagOut;
        private Integer mirrorHostgroup;
        private String errorMsg;
        private String okMsg;
        private Integer multiplex;
        private Integer log;
        private boolean apply;
        private String comment;
        private String causalReads;

        private Builder(int ruleId) {
            this.ruleId = ruleId;
        }

        public Builder active(boolean v) { active = v; return this; }
        public Builder username(String v) { username = v; return this; }
        public Builder schemaname(String v) { schemaname = v; return this; }
        public Builder flagIn(int v) { flagIn = v; return this; }
        public Builder clientAddr(String v) { clientAddr = v; return this; }
        public Builder proxyAddr(String v) { proxyAddr = v; return this; }
        public Builder proxyPort(Integer v) { proxyPort = v; return this; }
        public Builder digest(Long v) { digest = v; return this; }
        public Builder matchDigest(String v) { matchDigest = v; return this; }
        public Builder matchPattern(String v) { matchPattern = v; return this; }
        public Builder negateMatchPattern(boolean v) { negateMatchPattern = v; return this; }
        public Builder reModifiers(String v) { reModifiers = v; return this; }
        public Builder flagOut(Integer v) { flagOut = v; return this; }
        public Builder replacePattern(String v) { replacePattern = v; return this; }
        public Builder destinationHostgroup(Integer v) { destinationHostgroup = v; return this; }
        public Builder cacheTtl(Integer v) { cacheTtl = v; return this; }
        public Builder timeout(Integer v) { timeout = v; return this; }
        public Builder retries(Integer v) { retries = v; return this; }
        public Builder delay(Integer v) { delay = v; return this; }
        public Builder mirrorFlagOut(Integer v) { mirrorFlagOut = v; return this; }
        public Builder mirrorHostgroup(Integer v) { mirrorHostgroup = v; return this; }
        public Builder errorMsg(String v) { errorMsg = v; return this; }
        public Builder okMsg(String v) { okMsg = v; return this; }
        public Builder multiplex(Integer v) { multiplex = v; return this; }
        public Builder log(Integer v) { log = v; return this; }
        public Builder apply(boolean v) { apply = v; return this; }
        public Builder comment(String v) { comment = v; return this; }
        public Builder causalReads(String v) { causalReads = v; return this; }

        public QueryRule build() {
            return new QueryRule(ruleId, active, username, schemaname, flagIn, clientAddr,
                    proxyAddr, proxyPort, digest, matchDigest, matchPattern, negateMatchPattern,
                    reModifiers, flagOut, replacePattern, destinationHostgroup, cacheTtl, timeout,
                    retries, delay, mirrorFlagOut, mirrorHostgroup, errorMsg, okMsg, multiplex,
                    log, apply, comment, causalReads);
        }
    }
}
