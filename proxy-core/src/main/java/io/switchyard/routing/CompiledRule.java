package io.switchyard.routing;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One active rule in the form evaluation needs: regexes compiled once, nullable columns turned
 * into sentinels (-1 for "not set") so the hot path neither unboxes nor allocates. Built only by
 * {@link #compile}, which validates the row. Immutable.
 */
final class CompiledRule {
    static final int NOT_SET = -1;

    private enum AddrMatch { ANY, EXACT, PREFIX }

    final QueryRule source;
    final int ruleId;
    final int position;
    final int flagIn;
    final int flagOut;
    final boolean apply;

    private final String username;
    private final String schemaname;
    private final AddrMatch clientAddrMatch;
    private final String clientAddr;
    private final String proxyAddr;
    private final int proxyPort;
    private final boolean hasDigest;
    private final long digest;
    final Pattern matchDigest;
    final Pattern matchPattern;
    /** Indexes of this rule's matchers in the per-thread array; see {@link QueryRules}. */
    private final int digestSlot;
    private final int patternSlot;
    private final boolean negate;
    private final boolean global;
    private final RewriteTemplate replacement;

    final int destinationHostgroup;
    final int timeout;
    final int retries;
    final int delay;
    final int mirrorFlagOut;
    final int mirrorHostgroup;
    final int multiplex;
    final int log;
    final String errorMsg;
    final String causalReads;
    final String okMsg;

    private CompiledRule(QueryRule r, int position, int firstSlot, boolean global,
            Pattern matchDigest, Pattern matchPattern, RewriteTemplate replacement) {
        this.source = r;
        this.ruleId = r.ruleId();
        this.position = position;
        this.flagIn = r.flagIn();
        this.flagOut = orNotSet(r.flagOut());
        this.apply = r.apply();
        this.username = emptyToNull(r.username());
        this.schemaname = emptyToNull(r.schemaname());
        String addr = emptyToNull(r.clientAddr());
        if (addr == null || addr.equals("%")) {
            this.clientAddrMatch = AddrMatch.ANY;
            this.clientAddr = null;
        } else if (addr.endsWith("%")) {
            this.clientAddrMatch = AddrMatch.PREFIX;
            this.clientAddr = addr.substring(0, addr.length() - 1);
        } else {
            this.clientAddrMatch = AddrMatch.EXACT;
            this.clientAddr = addr;
        }
        this.proxyAddr = emptyToNull(r.proxyAddr());
        this.proxyPort = orNotSet(r.proxyPort());
        this.hasDigest = r.digest() != null;
        this.digest = hasDigest ? r.digest() : 0L;
        this.matchDigest = matchDigest;
        this.matchPattern = matchPattern;
        this.digestSlot = matchDigest == null ? NOT_SET : firstSlot;
        this.patternSlot = matchPattern == null ? NOT_SET
                : matchDigest == null ? firstSlot : firstSlot + 1;
        this.negate = r.negateMatchPattern();
        this.global = global;
        this.replacement = replacement;
        this.destinationHostgroup = orNotSet(r.destinationHostgroup());
        this.timeout = orNotSet(r.timeout());
        this.retries = orNotSet(r.retries());
        this.delay = orNotSet(r.delay());
        this.mirrorFlagOut = orNotSet(r.mirrorFlagOut());
        this.mirrorHostgroup = orNotSet(r.mirrorHostgroup());
        this.multiplex = orNotSet(r.multiplex());
        this.log = orNotSet(r.log());
        this.errorMsg = r.errorMsg();
        this.okMsg = r.okMsg();
        this.causalReads = r.causalReads();
    }

    /**
     * Validates {@code r} and compiles its regexes. {@code position} is the rule's index in
     * rule_id order among the rules that take part in evaluation; its matchers take slots
     * {@code firstSlot} onwards (see {@link #slots()}).
     *
     * @throws RuleException naming the rule and the column at fault
     */
    static CompiledRule compile(QueryRule r, int position, int firstSlot) {
        int id = r.ruleId();
        if (id < 0) {
            throw new RuleException(id, "rule_id must not be negative");
        }
        nonNegative(id, "flagIN", r.flagIn());
        nonNegative(id, "flagOUT", r.flagOut());
        nonNegative(id, "destination_hostgroup", r.destinationHostgroup());
        nonNegative(id, "timeout", r.timeout());
        nonNegative(id, "delay", r.delay());
        nonNegative(id, "mirror_flagOUT", r.mirrorFlagOut());
        nonNegative(id, "mirror_hostgroup", r.mirrorHostgroup());
        inRange(id, "retries", r.retries(), 0, 1000);
        inRange(id, "multiplex", r.multiplex(), 0, 2);
        inRange(id, "log", r.log(), 0, 1);
        inRange(id, "proxy_port", r.proxyPort(), 0, 65535);
        if (r.causalReads() != null && !java.util.List.of("off", "local", "global", "fast").contains(r.causalReads())) {
            throw new RuleException(id, "causal_reads must be off, local, global or fast, got '" + r.causalReads() + "'");
        }
        if (r.cacheTtl() != null && r.cacheTtl() <= 0) {
            throw new RuleException(id, "cache_ttl must be greater than 0, got " + r.cacheTtl());
        }
        String addr = r.clientAddr();
        if (addr != null && addr.indexOf('%') >= 0 && addr.indexOf('%') != addr.length() - 1) {
            throw new RuleException(id, "client_addr '" + addr
                    + "' may use '%' only as its last character (prefix match)");
        }

        int reFlags = 0;
        boolean global = false;
        if (r.reModifiers() != null) {
            for (String token : r.reModifiers().split(",")) {
                String t = token.trim().toUpperCase(Locale.ROOT);
                switch (t) {
                    case "" -> { }
                    case "CASELESS" -> reFlags |= Pattern.CASE_INSENSITIVE;
                    case "GLOBAL" -> global = true;
                    default -> throw new RuleException(id, "unknown re_modifiers value '"
                            + token.trim() + "' (known: CASELESS, GLOBAL)");
                }
            }
        }
        Pattern matchDigest = regex(id, "match_digest", r.matchDigest(), reFlags);
        Pattern matchPattern = regex(id, "match_pattern", r.matchPattern(), reFlags);

        RewriteTemplate replacement = null;
        if (r.replacePattern() != null) {
            if (matchPattern == null) {
                throw new RuleException(id, "replace_pattern needs a match_pattern to replace");
            }
            if (r.negateMatchPattern()) {
                throw new RuleException(id, "replace_pattern cannot be combined with "
                        + "negate_match_pattern: the rule matches only when match_pattern does not,"
                        + " so there is never anything to replace");
            }
            try {
                replacement = RewriteTemplate.parse(r.replacePattern(),
                        matchPattern.matcher("").groupCount());
            } catch (IllegalArgumentException e) {
                throw new RuleException(id, "invalid replace_pattern '" + r.replacePattern()
                        + "': " + e.getMessage());
            }
        }
        return new CompiledRule(r, position, firstSlot, global, matchDigest, matchPattern,
                replacement);
    }

    /** How many matcher slots this rule uses (one per regex). */
    int slots() {
        return (matchDigest == null ? 0 : 1) + (matchPattern == null ? 0 : 1);
    }

    /** Puts a fresh matcher for each of this rule's regexes into its slots of {@code matchers}. */
    void fillMatchers(Matcher[] matchers) {
        if (matchDigest != null) {
            matchers[digestSlot] = matchDigest.matcher("");
        }
        if (matchPattern != null) {
            matchers[patternSlot] = matchPattern.matcher("");
        }
    }

    /**
     * True when every filter this rule sets accepts the statement; {@code text} is the current
     * (possibly already rewritten) statement text, {@code matchers} the calling thread's.
     */
    boolean matches(QueryContext ctx, String text, Matcher[] matchers) {
        if (username != null && !username.equals(ctx.username())) {
            return false;
        }
        if (schemaname != null && !schemaname.equals(ctx.schemaname())) {
            return false;
        }
        if (clientAddrMatch != AddrMatch.ANY && ctx.clientAddr() != null) {
            boolean ok = clientAddrMatch == AddrMatch.EXACT
                    ? clientAddr.equals(ctx.clientAddr())
                    : ctx.clientAddr().startsWith(clientAddr);
            if (!ok) {
                return false;
            }
        }
        if (proxyAddr != null && ctx.proxyAddr() != null && !proxyAddr.equals(ctx.proxyAddr())) {
            return false;
        }
        if (proxyPort != NOT_SET && proxyPort != ctx.proxyPort()) {
            return false;
        }
        if (hasDigest && digest != ctx.digest()) {
            return false;
        }
        if (matchDigest != null && matchers[digestSlot].reset(ctx.digestText()).find() == negate) {
            return false;
        }
        return matchPattern == null || matchers[patternSlot].reset(text).find() != negate;
    }

    boolean rewrites() {
        return replacement != null;
    }

    /** {@code text} with the first (or, with GLOBAL, every) match replaced; null when the
     * pattern does not occur in it. */
    String rewrite(String text, Matcher[] matchers) {
        Matcher m = matchers[patternSlot].reset(text);
        if (!m.find()) {
            return null;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        int last = 0;
        do {
            out.append(text, last, m.start());
            replacement.appendTo(out, m);
            last = m.end();
        } while (global && m.find());
        return out.append(text, last, text.length()).toString();
    }

    private static Pattern regex(int id, String column, String regex, int flags) {
        if (regex == null) {
            return null;
        }
        try {
            return Pattern.compile(regex, flags);
        } catch (PatternSyntaxException e) {
            throw new RuleException(id, "invalid " + column + " '" + regex + "': "
                    + e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
    }

    private static void nonNegative(int id, String column, Integer value) {
        if (value != null && value < 0) {
            throw new RuleException(id, column + " must not be negative, got " + value);
        }
    }

    private static void inRange(int id, String column, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw new RuleException(id, column + " must be between " + min + " and " + max
                    + ", got " + value);
        }
    }

    private static int orNotSet(Integer value) {
        return value == null ? NOT_SET : value;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
